// Sample baselines for running the UI in a plain browser (`npm run dev`): one published
// baseline with a draft in progress, assigned to the first sample tenants, and a folder
// to create one from. Made up; the shell labels everything as sample data.

import type { FakeBaselineItem, FakeBaselinesData } from "./fakeBaselines";
import type { TenantRow } from "./types";

const ITEMS: FakeBaselineItem[] = [
  {
    kind: "compliance_policy",
    name: "Win - Password",
    severity: "high",
    settings: [
      { path: "passwordMinimumLength", label: "Password minimum length", value: "14" },
      { path: "passwordRequired", label: "Password required", value: "true" },
      { path: "passwordExpirationDays", label: "Password expiration days", value: "90" },
    ],
    rules: {
      passwordMinimumLength: { kind: "at_least", values: [], number: 14, variable: null, severity: "high" },
    },
    assignments: ["include/group:All Devices"],
  },
  {
    kind: "settings_catalog",
    name: "Win - Defender",
    severity: "medium",
    settings: [
      {
        path: "device_vendor_msft_policy_config_defender_allowrealtimemonitoring",
        label: "Defender: Allow realtime monitoring",
        value: "\"device_vendor_msft_policy_config_defender_allowrealtimemonitoring_1\"",
        highRisk: "critical",
      },
      {
        path: "device_vendor_msft_policy_config_defender_cloudblocklevel",
        label: "Defender: Cloud block level",
        value: "\"device_vendor_msft_policy_config_defender_cloudblocklevel_2\"",
      },
    ],
  },
  {
    kind: "windows_update_ring",
    name: "Win - Update Ring - Broad",
    severity: "medium",
    settings: [
      { path: "qualityUpdatesDeferralPeriodInDays", label: "Quality updates deferral period in days", value: "3" },
      { path: "installationSchedule/activeHoursStart", label: "Installation schedule: Active hours start", value: "\"08:00:00\"" },
    ],
    rules: {
      qualityUpdatesDeferralPeriodInDays: { kind: "at_most", values: [], number: 7, variable: null, severity: null },
      "installationSchedule/activeHoursStart": {
        kind: "tenant_value",
        values: [],
        number: null,
        variable: "activeHoursStart",
        severity: "low",
      },
    },
  },
];

export function sampleBaselines(tenants: TenantRow[], now: number): FakeBaselinesData {
  const captured = tenants.filter((t) => t.captureCount > 0);
  return {
    now: () => now,
    baselines: [
      {
        name: "MSP Standard",
        description: "Every managed Windows device",
        versions: [
          { version: 1, status: "retired", items: ITEMS.slice(0, 2) },
          { version: 2, status: "published", items: ITEMS },
          { version: 3, status: "draft", items: ITEMS },
        ],
        assignments: captured.slice(0, 3).map((t, i) => ({
          tenantId: t.id,
          variables: i === 2 ? [] : [{ key: "activeHoursStart", value: "\"07:00:00\"" }],
          pinnedVersion: i === 1 ? 1 : null,
        })),
      },
    ],
    captures: Object.fromEntries(captured.map((t) => [t.id, ITEMS])),
    folders: {
      "/home/you/baselines/kiosk": { kind: "policies", items: ITEMS.slice(1, 2) },
    },
  };
}
