// Baselines for tests: one published with a draft in progress and two assigned tenants
// (one lacking a variable), one never published, a tenant capture to create from, and
// folders (an export, exported policies, a broken one).

import type { FakeBaselineItem, FakeBaselinesData } from "../backend/fake";
import { NOW } from "./fixtures";

const PASSWORD: FakeBaselineItem = {
  kind: "compliance_policy",
  name: "Win - Password",
  severity: "medium",
  settings: [
    { path: "passwordMinimumLength", label: "Password minimum length", value: "14" },
    { path: "passwordRequired", label: "Password required", value: "true" },
    { path: "timeZone", label: "Time zone", value: "\"UTC\"" },
  ],
  rules: {
    passwordMinimumLength: { kind: "at_least", values: [], number: 14, variable: null, severity: "high" },
    timeZone: { kind: "tenant_value", values: [], number: null, variable: "timezone", severity: null },
  },
  assignments: ["include/group:All Devices"],
};

const DEFENDER: FakeBaselineItem = {
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
  ],
};

export const BASELINES: FakeBaselinesData = {
  now: () => NOW.getTime(),
  actor: "alice",
  baselines: [
    {
      name: "MSP Standard",
      description: "Every managed Windows device",
      versions: [
        { version: 1, status: "retired", items: [PASSWORD] },
        {
          version: 2,
          status: "published",
          createdBy: "bob",
          items: [PASSWORD, DEFENDER],
        },
        { version: 3, status: "draft", createdBy: "alice", items: [PASSWORD, DEFENDER] },
      ],
      assignments: [
        {
          tenantId: "tenant-contoso",
          variables: [{ key: "timezone", value: "CET" }],
          pinnedVersion: null,
        },
        { tenantId: "tenant-fabrikam", variables: [], pinnedVersion: 1 },
      ],
    },
    {
      name: "Kiosk",
      description: "",
      versions: [{ version: 1, status: "draft", items: [DEFENDER] }],
    },
  ],
  captures: {
    "tenant-woodgrove-bank": [PASSWORD, DEFENDER],
  },
  folders: {
    "/exports/policies": { kind: "policies", items: [DEFENDER] },
    "/exports/broken": {
      kind: "broken",
      message: "/exports/broken/items/compliance_policy/Win - Password.json: not a baseline item: EOF while parsing an object at line 2 column 0",
    },
  },
};

/** Only the published MSP Standard: no draft, nothing else. */
export const PUBLISHED_ONLY: FakeBaselinesData = {
  now: () => NOW.getTime(),
  baselines: [
    {
      name: "MSP Standard",
      versions: [{ version: 1, status: "published", items: [PASSWORD] }],
    },
  ],
};
