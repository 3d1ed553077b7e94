// Sample tenants for running the UI in a plain browser (`npm run dev`), where there is
// no desktop backend. The shell labels them as sample data wherever they are shown.

import { sampleBaselines } from "./sampleBaselines";
import { FakeBackend, makeAlert, makeFinding, makePack, makeTenant } from "./fake";
import type { FakeFinding } from "./fakeConsole";
import { fakeHash } from "./fakeEvidence";
import type { AlertRow, EvidencePackView, TenantOverview, TenantRow } from "./types";

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

/** The sample evidence folder (the browser has no database to sit next to). */
const SAMPLE_EVIDENCE = "/home/operator/.local/share/plumbline/evidence";

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Packs made "here": one redacted, one whose file was moved away since. */
function samplePacks(tenants: TenantRow[], now: number): EvidencePackView[] {
  const [contoso, fabrikam, woodgrove] = [tenants[0], tenants[1], tenants[4]];
  if (!contoso || !fabrikam || !woodgrove) return [];
  const pack = (n: number, tenant: TenantRow, daysAgo: number, fields: Partial<EvidencePackView>) => {
    const to = day(now - daysAgo * DAY);
    const from = day(now - (daysAgo + 90) * DAY);
    const slug = tenant.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    return makePack({
      id: `sample-pack-${n}`,
      tenant: tenant.name,
      tenantId: tenant.id,
      periodFrom: from,
      periodTo: to,
      createdAt: hoursAgo(now, daysAgo * 24 + 2),
      sha256: fakeHash(500 + n),
      size: 180_000 + n * 37_000,
      path: `${SAMPLE_EVIDENCE}/evidence-${slug}-${from}-${to}.zip`,
      ...fields,
    });
  };
  return [
    pack(1, contoso, 1, { includeReports: true }),
    pack(2, woodgrove, 12, { redacted: true }),
    pack(3, fabrikam, 40, { fileExists: false }),
  ];
}

/** Alerts in every state: open ones from reviews and a notice, a snoozed and an acknowledged one. */
function sampleAlerts(tenants: TenantRow[], now: number): AlertRow[] {
  const [contoso, fabrikam, northwind, , woodgrove] = tenants;
  if (!contoso || !fabrikam || !northwind || !woodgrove) return [];
  return [
    makeAlert({
      id: "sample-alert-1",
      tenantId: contoso.id,
      tenant: contoso.name,
      severity: "critical",
      title: `${contoso.name}: 2 new findings, the worst critical`,
      body: "[critical] requireDeviceEncryption differs from the baseline\n[high] firewallEnabled differs from the baseline",
      raisedAt: hoursAgo(now, 3),
    }),
    makeAlert({
      id: "sample-alert-2",
      rule: "Risk acceptance lapsed",
      tenantId: fabrikam.id,
      tenant: fabrikam.name,
      severity: "high",
      title: `${fabrikam.name}: a risk acceptance lapsed`,
      body: "passwordMinimumLength differs from the baseline (expired)\nThe findings are open again: decide them anew.",
      raisedAt: hoursAgo(now, 26),
    }),
    makeAlert({
      id: "sample-alert-3",
      rule: null,
      severity: "low",
      title: "Review of every tenant finished",
      body: "5 of 5 tenants reviewed: 12 new findings, 0 re-opened, 3 resolved.",
      raisedAt: hoursAgo(now, 0.5),
      notify: false,
    }),
    makeAlert({
      id: "sample-alert-4",
      rule: "Score dropped by 10 points or more",
      tenantId: northwind.id,
      tenant: northwind.name,
      severity: "medium",
      title: `${northwind.name}: score fell 12 points to 70`,
      body: "The alignment score went from 81.5 to 69.5 in the last review.",
      raisedAt: hoursAgo(now, 50),
      snoozedUntil: new Date(now + 20 * HOUR).toISOString(),
    }),
    makeAlert({
      id: "sample-alert-5",
      tenantId: woodgrove.id,
      tenant: woodgrove.name,
      severity: "high",
      title: `${woodgrove.name}: 1 new high finding`,
      body: "[high] realTimeProtection differs from the baseline",
      raisedAt: hoursAgo(now, 5 * 24),
      acknowledgedAt: hoursAgo(now, 4 * 24),
    }),
  ];
}

export function createSampleBackend(now: number = Date.now()): FakeBackend {
  const tenants = sampleTenants(now);
  const packs = samplePacks(tenants, now);
  const backend = new FakeBackend({
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
    evidence: { packs, alerts: sampleAlerts(tenants, now) },
  });
  // A pack someone sent that was changed on the way, to see a failed verification.
  const tampered = "/home/operator/Downloads/evidence-contoso-tampered.zip";
  backend.evidence.verdicts[tampered] = {
    ok: false,
    path: tampered,
    sha256: fakeHash(999),
    fingerprint: backend.evidence.fingerprint,
    tenant: "Contoso Ltd",
    periodFrom: packs[0]?.periodFrom ?? null,
    periodTo: packs[0]?.periodTo ?? null,
    filesChecked: 38,
    auditEventsChecked: 17,
    passed: ["manifest.sig: Ed25519 signature of manifest.json is valid"],
    failures: [
      "findings.csv: SHA-256 is 9f2c0e7b4a1d3c5e8f6a7b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e, the manifest says 3b1f8e2d7c6a5b4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f: the file was changed",
      "notes.txt: in the pack but not in the manifest (added after signing)",
    ],
    signedByThisWorkspace: true,
  };
  return backend;
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
