// Tenants for tests. Their name order, newest-capture order and oldest-capture order all
// differ, so a test can tell which sort is applied.

import { makeTenant } from "../backend/fake";
import type { TenantRow } from "../backend";

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
