// Tenants for tests. Their name order, newest-capture order and oldest-capture order all
// differ, so a test can tell which sort is applied.

import { makeFinding, makeTenant, type FakeFinding } from "../backend/fake";
import type { CaptureComparison, PolicyDiff, TenantOverview, TenantRow } from "../backend";

/** The fixed "now" of the tests. */
export const NOW = new Date("2026-11-20T12:00:00Z");

export const TENANTS: TenantRow[] = [
  makeTenant({
    name: "Woodgrove Bank",
    primaryDomain: "woodgrovebank.com",
    captureCount: 2,
    lastCaptureAt: "2026-10-11T12:00:00Z", // 40 days before NOW
    itemCount: 96,
  }),
  makeTenant({
    name: "Fabrikam",
    primaryDomain: "fabrikam.com",
    captureCount: 3,
    lastCaptureAt: "2026-11-20T09:00:00Z", // 3 hours before NOW
    itemCount: 87,
    failedKinds: ["settings_catalog", "conditional_access_policy", "compliance_policy"],
  }),
  makeTenant({
    name: "Contoso",
    primaryDomain: "contoso.com",
    captureCount: 0,
  }),
  makeTenant({
    name: "Alpine Ski House",
    primaryDomain: "alpineskihouse.com",
    captureCount: 12,
    lastCaptureAt: "2026-11-17T12:00:00Z", // 3 days before NOW
    itemCount: 1204,
    isDemo: true,
  }),
];

/** Findings for tests: two tenants, every severity, several states. */
export const FINDINGS: FakeFinding[] = [
  makeFinding({
    id: "f-1",
    tenant: "Contoso",
    severity: "critical",
    title: "BitLocker required is off",
    item: "Win - BitLocker",
    settingPath: "requireDeviceEncryption",
    expected: "true",
    actual: "false",
    dueAt: "2026-11-10T00:00:00.000Z",
  }),
  makeFinding({
    id: "f-2",
    tenant: "Contoso",
    severity: "high",
    title: "Password length below 14",
    item: "Win - Password",
    settingPath: "passwordMinimumLength",
    expected: "14",
    actual: "8",
    dueAt: "2026-11-25T00:00:00.000Z",
  }),
  makeFinding({
    id: "f-3",
    tenant: "Fabrikam",
    severity: "medium",
    title: "Firewall profile changed",
    item: "Win - Firewall",
    settingPath: "firewallEnabled",
    status: "acknowledged",
    dueAt: "2026-12-20T00:00:00.000Z",
  }),
  makeFinding({
    id: "f-4",
    tenant: "Fabrikam",
    severity: "low",
    source: "lint",
    baseline: null,
    rule: "naming",
    title: "Policy name breaks the convention",
    item: "test policy",
    settingPath: "",
    status: "resolved",
    dueAt: null,
  }),
];

/** Contoso's page: two reviews, three captures, one unresolved id. */
export const CONTOSO_OVERVIEW: TenantOverview = {
  tenant: { ...(TENANTS[2] ?? TENANTS[0]), captureCount: 3, lastCaptureAt: "2026-11-19T00:00:00Z" },
  scores: [
    { at: "2026-11-01T00:00:00.000Z", score: 81.5, captureId: "c-1" },
    { at: "2026-11-19T00:00:00.000Z", score: 74.25, captureId: "c-3" },
  ],
  captures: [
    { id: "c-3", source: "import", takenAt: "2026-11-19T00:00:00.000Z", itemCount: 210, failedKinds: [] },
    {
      id: "c-2",
      source: "import",
      takenAt: "2026-11-10T00:00:00.000Z",
      itemCount: 208,
      failedKinds: ["conditional_access_policy"],
    },
    { id: "c-1", source: "import", takenAt: "2026-11-01T00:00:00.000Z", itemCount: 205, failedKinds: [] },
  ],
  driftByBaseline: [
    {
      name: "MSP Standard",
      source: "drift",
      open: 2,
      acknowledged: 0,
      riskAccepted: 0,
      resolved: 1,
      falsePositive: 0,
      active: { critical: 1, high: 1, medium: 0, low: 0 },
    },
  ],
  unresolvedIds: [
    { id: "0b5e1c2d-aaaa-4bbb-8ccc-123456789abc", kind: "compliance_policy", policy: "Win - Compliance" },
  ],
};

export const CONTOSO_COMPARISON: CaptureComparison = {
  fromCapture: "c-2",
  toCapture: "c-3",
  added: [
    { kind: "settings_catalog", name: "Win - New Policy", externalId: "n1", settingsChanged: false, assignmentsChanged: false },
  ],
  removed: [
    { kind: "settings_catalog", name: "Win - Old Policy", externalId: "o1", settingsChanged: false, assignmentsChanged: false },
  ],
  changed: [
    { kind: "settings_catalog", name: "Win - Password", externalId: "p1", settingsChanged: true, assignmentsChanged: false },
  ],
  notComparedKinds: [],
};

export const PASSWORD_DIFF: PolicyDiff = {
  tenantId: "tenant-contoso",
  tenant: "Contoso",
  resourceKind: "settings_catalog",
  baseline: "MSP Standard",
  baselineVersion: 2,
  baselineItem: "Win - Password",
  tenantItem: "Win - Password",
  captureId: "c-3",
  settings: [
    { path: "passwordMinimumLength", label: "Minimum password length", state: "changed", baseline: "14", tenant: "8", description: null, baselineText: null, tenantText: null },
    { path: "passwordRequired", label: "Password required", state: "same", baseline: "true", tenant: "true", description: null, baselineText: null, tenantText: null },
    { path: "passwordExpirationDays", label: "Password expiration (days)", state: "missing", baseline: "90", tenant: null, description: null, baselineText: null, tenantText: null },
    { path: "passwordHint", label: "Password hint", state: "added", baseline: null, tenant: "\"hi\"", description: null, baselineText: null, tenantText: null },
  ],
  assignments: [
    { path: "include/group:All Devices", label: "include/group:All Devices", state: "same", baseline: "null", tenant: "null", description: null, baselineText: null, tenantText: null },
    { path: "exclude/group:Pilot", label: "exclude/group:Pilot", state: "missing", baseline: "null", tenant: null, description: null, baselineText: null, tenantText: null },
  ],
  baselineRaw: "{\n  \"displayName\": \"Win - Password\",\n  \"passwordMinimumLength\": 14\n}",
  tenantRaw: "{\n  \"displayName\": \"Win - Password\",\n  \"passwordMinimumLength\": 8\n}",
};
