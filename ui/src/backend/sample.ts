// Sample tenants for running the UI in a plain browser (`npm run dev`), where there is
// no desktop backend. The shell labels them as sample data wherever they are shown.

import { FakeBackend, makeFinding, makeTenant } from "./fake";
import { sampleBaselines } from "./sampleBaselines";
import type { FakeFinding } from "./fakeConsole";
import type { TenantOverview, TenantRow } from "./types";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function hoursAgo(now: number, hours: number): string {
  return new Date(now - hours * HOUR).toISOString();
}

const SETTINGS = [
  ["Win - Password", "passwordMinimumLength", "14", "8"],
  ["Win - BitLocker", "requireDeviceEncryption", "true", "false"],
  ["Win - Firewall", "firewallEnabled", "true", "false"],
  ["Win - Defender", "realTimeProtection", "\"enabled\"", "\"disabled\""],
  ["Win - Update Ring", "qualityUpdatesDeferralPeriodInDays", "3", "14"],
] as const;

const KINDS = ["settings_catalog", "compliance_policy", "conditional_access", "windows_update_ring"];

/** Made-up findings spread over the sample tenants, every severity, state and category. */
function sampleFindings(tenants: TenantRow[], now: number): FakeFinding[] {
  const severities = ["critical", "high", "medium", "low"];
  const statuses = ["open", "open", "acknowledged", "risk_accepted", "resolved"];
  const out: FakeFinding[] = [];
  for (let i = 0; i < 1500; i += 1) {
    const tenant = tenants[i % tenants.length];
    if (tenant === undefined) break;
    const [item, setting, expected, actual] = SETTINGS[i % SETTINGS.length] ?? SETTINGS[0];
    out.push(
      makeFinding({
        id: `sample-${i}`,
        tenant: tenant.name,
        tenantId: tenant.id,
        severity: severities[i % 4],
        status: statuses[(i + Math.floor(i / 5)) % 5],
        resourceKind: KINDS[Math.floor(i / 3) % KINDS.length],
        item: `${item} ${Math.floor(i / 25)}`,
        settingPath: setting,
        title: `${setting} differs from the baseline`,
        expected,
        actual,
        dueAt: new Date(now + ((i % 40) - 10) * DAY).toISOString(),
      }),
    );
  }
  return out;
}

function sampleOverview(tenant: TenantRow, now: number): TenantOverview {
  return {
    tenant,
    scores: [0, 1, 2, 3].map((i) => ({
      at: new Date(now - (30 - i * 10) * DAY).toISOString(),
      score: 70 + ((tenant.name.length * 7 + i * 5) % 25),
      captureId: `capture-${i}`,
    })),
    captures: [],
    driftByBaseline: [],
    unresolvedIds: [],
  };
}

export function createSampleBackend(now: number = Date.now()): FakeBackend {
  const tenants = sampleTenants(now);
  return new FakeBackend({
    latencyMs: 300,
    appInfo: { version: "browser-preview", dbPath: "(none: sample data in the browser)" },
    tenants,
    console: {
      findings: sampleFindings(tenants, now),
      overviews: Object.fromEntries(tenants.map((t) => [t.id, sampleOverview(t, now)])),
    },
    portfolio: {
      assignments: Object.fromEntries(
        tenants.map((t, i) => [t.id, i % 2 === 0 ? ["MSP Standard"] : ["MSP Standard", "Finance"]]),
      ),
    },
    settings: {
      connections: {
        "tenant-contoso-ltd": {
          entraTenantId: "3f1c2a6e-8d4b-4f7a-9c2e-5b6d7e8f9a0b",
          graphAppId: "b7e2c4a1-5d3f-4e6a-8b9c-0d1e2f3a4b5c",
          secretSetAt: new Date(now - 12 * DAY).toISOString(),
        },
      },
    },
    baselines: sampleBaselines(tenants, now),
  });
}

function sampleTenants(now: number): TenantRow[] {
  return new FakeBackend({
    latencyMs: 300,
    appInfo: { version: "browser-preview", dbPath: "(none: sample data in the browser)" },
    tenants: [
      makeTenant({
        name: "Contoso Ltd",
        primaryDomain: "contoso.com",
        captureCount: 14,
        lastCaptureAt: hoursAgo(now, 3),
        itemCount: 212,
      }),
      makeTenant({
        name: "Fabrikam Inc",
        primaryDomain: "fabrikam.com",
        captureCount: 9,
        lastCaptureAt: hoursAgo(now, 3 * 24 + 5),
        itemCount: 187,
        failedKinds: ["conditional_access_policy", "settings_catalog"],
      }),
      makeTenant({
        name: "Northwind Traders",
        primaryDomain: "northwindtraders.com",
        captureCount: 2,
        lastCaptureAt: new Date(now - 40 * DAY).toISOString(),
        itemCount: 96,
      }),
      makeTenant({
        name: "Tailspin Toys",
        primaryDomain: "tailspintoys.com",
        captureCount: 0,
      }),
      makeTenant({
        name: "Woodgrove Bank",
        primaryDomain: "woodgrovebank.com",
        captureCount: 31,
        lastCaptureAt: hoursAgo(now, 0.2),
        itemCount: 344,
      }),
    ],
  }).tenantsSnapshot();
}
