// Tenant management over Microsoft Graph in the fake backend: the Graph app, tenants added
// by domain or tenant id, connection tests, captures (as jobs), schedules and run history.
// It says no where the real one does: no app, no tenant id, an unknown domain.

import {
  BackendError,
  type AddTenantRequest,
  type CaptureRunView,
  type ConnectionTestView,
  type GraphAppView,
  type JobResult,
  type ManagedTenant,
  type SaveGraphAppRequest,
  type TenantRow,
} from "./types";

type Outcome = "ok" | "partial" | "failed";

export interface FakeGraphData {
  app?: GraphAppView | null;
  /** Domains the fake cloud knows: domain to Entra tenant id. */
  domains?: Record<string, string>;
  /** How captures of a tenant end (by tenant id; default ok). */
  outcomes?: Record<string, Outcome>;
  /** What testing a tenant's connection answers (by tenant id; default: all readable). */
  tests?: Record<string, ConnectionTestView>;
  /** Schedules and runs already there (by tenant id). */
  schedules?: Record<string, Partial<Schedule>>;
}

interface Schedule {
  cadenceMinutes: number | null;
  parkedAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  runs: CaptureRunView[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINUTE = 60_000;

export function makeConnectionTest(fields: Partial<ConnectionTestView> = {}): ConnectionTestView {
  return {
    ok: true,
    summary: "Connected: every kind (11) can be read",
    signedIn: true,
    permissions: ["DeviceManagementConfiguration.Read.All", "Group.Read.All"],
    kinds: [
      { kind: "settings_catalog", label: "Settings catalog", readable: true, problem: null },
      { kind: "compliance_policy", label: "Compliance policy", readable: true, problem: null },
    ],
    adminConsentUrl: null,
    ...fields,
  };
}

export class FakeGraph {
  private app: GraphAppView | null;
  private domains: Record<string, string>;
  private outcomes: Record<string, Outcome>;
  private tests: Record<string, ConnectionTestView>;
  private schedules = new Map<string, Schedule>();
  private counter = 0;

  constructor(
    data: FakeGraphData,
    private readonly tenants: () => TenantRow[],
    private readonly addRow: (row: TenantRow) => void,
    private readonly updateRow: (id: string, change: (row: TenantRow) => TenantRow) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.app = data.app ? { ...data.app } : null;
    this.domains = { ...data.domains };
    this.outcomes = { ...data.outcomes };
    this.tests = structuredClone(data.tests ?? {});
    for (const [id, schedule] of Object.entries(data.schedules ?? {})) {
      this.schedules.set(id, { ...this.schedule(id), ...structuredClone(schedule) });
    }
  }

  private schedule(id: string): Schedule {
    let found = this.schedules.get(id);
    if (!found) {
      found = { cadenceMinutes: 1440, parkedAt: null, lastError: null, consecutiveFailures: 0, runs: [] };
      this.schedules.set(id, found);
    }
    return found;
  }

  private row(id: string): TenantRow {
    const row = this.tenants().find((t) => t.id === id);
    if (!row) throw new BackendError("not_found", "That tenant no longer exists.");
    return row;
  }

  getApp(): GraphAppView | null {
    return this.app ? { ...this.app } : null;
  }

  saveApp(request: SaveGraphAppRequest): GraphAppView {
    const clientId = request.clientId.trim().toLowerCase();
    if (!GUID.test(clientId)) {
      throw new BackendError(
        "invalid_input",
        `The application (client) id is on the Overview page of the app registration in the Microsoft Entra admin centre, 36 characters like 72f988bf-86f1-41af-91ab-2d7cd011db47; "${request.clientId}" is not of that form: copy it again from there`,
      );
    }
    const certificate = request.certificatePem?.trim() ?? "";
    const key = request.privateKeyPem?.trim() ?? "";
    if ((certificate === "") !== (key === "")) {
      throw new BackendError(
        "invalid_input",
        "A certificate sign-in needs both the certificate and its private key (PEM): add the one that is missing.",
      );
    }
    if (certificate !== "") {
      if (!certificate.includes("BEGIN CERTIFICATE") || !key.includes("PRIVATE KEY")) {
        throw new BackendError("invalid_input", "That is not a PEM certificate and private key.");
      }
      this.app = {
        clientId,
        cloud: request.cloud.trim() || "global",
        secretSetAt: new Date(this.now()).toISOString(),
        credential: "certificate",
        certificateThumbprint: "fake-thumbprint-" + String(certificate.length),
      };
      return { ...this.app };
    }
    const secret = request.secret?.trim() ?? "";
    if (secret !== "" && GUID.test(secret)) {
      throw new BackendError(
        "invalid_input",
        "That is a GUID, most likely the secret's ID: paste the secret's Value instead",
      );
    }
    this.app = {
      clientId,
      cloud: request.cloud.trim() || "global",
      secretSetAt: secret !== "" ? new Date(this.now()).toISOString() : (this.app?.secretSetAt ?? null),
      credential: "secret",
      certificateThumbprint: null,
    };
    return { ...this.app };
  }

  managed(): ManagedTenant[] {
    return this.tenants().map((t) => this.view(t));
  }

  one(id: string): ManagedTenant {
    return this.view(this.row(id));
  }

  private view(row: TenantRow): ManagedTenant {
    const s = this.schedule(row.id);
    const last = s.runs[0] ?? null;
    let nextDueAt: string | null = null;
    if (row.entraTenantId !== null && s.cadenceMinutes !== null && s.parkedAt === null) {
      const lastAt = row.lastCaptureAt ? Date.parse(row.lastCaptureAt) : null;
      nextDueAt = new Date(lastAt === null ? this.now() - MINUTE : lastAt + s.cadenceMinutes * MINUTE).toISOString();
    }
    return {
      id: row.id,
      name: row.name,
      primaryDomain: row.primaryDomain,
      entraTenantId: row.entraTenantId,
      isDemo: row.isDemo,
      tags: [...row.tags],
      cadenceMinutes: s.cadenceMinutes,
      nextDueAt,
      parkedAt: s.parkedAt,
      lastError: s.lastError,
      consecutiveFailures: s.consecutiveFailures,
      lastCaptureAt: row.lastCaptureAt,
      lastRun: last ? structuredClone(last) : null,
    };
  }

  add(request: AddTenantRequest): ManagedTenant {
    const name = request.name.trim();
    if (name === "") throw new BackendError("invalid_input", "Name the tenant as your team calls the customer.");
    if (this.tenants().some((t) => t.name.toLowerCase() === name.toLowerCase())) {
      throw new BackendError("conflict", `A tenant named ${name} exists already: choose another name, or connect that one.`);
    }
    const given = request.domainOrTenantId.trim().toLowerCase();
    const entra = GUID.test(given) ? given : this.domains[given];
    if (entra === undefined) {
      throw new BackendError(
        "invalid_input",
        `no tenant uses the domain ${given} in this cloud: check the spelling, or enter the Entra tenant id`,
      );
    }
    this.counter += 1;
    const row: TenantRow = {
      id: `tenant-added-${this.counter}`,
      name,
      primaryDomain: GUID.test(given) ? null : given,
      entraTenantId: entra,
      tags: [],
      isDemo: false,
      captureCount: 0,
      lastCaptureAt: null,
      itemCount: 0,
      failedKinds: [],
    };
    this.addRow(row);
    return this.view(row);
  }

  private requireConnection(row: TenantRow): void {
    if (row.entraTenantId === null) {
      throw new BackendError(
        "invalid_input",
        `${row.name} has no Entra tenant id: add it (Tenants → Connect, or \`plumbline graph connect\`)`,
      );
    }
    if (this.app === null) {
      throw new BackendError(
        "invalid_input",
        "no Graph app is set up on this device: save the MSP's app registration (Settings → Microsoft Graph, or `plumbline graph app --client-id ID --secret-stdin`)",
      );
    }
  }

  /** Makes testing `id`'s connection answer `view` from now on. */
  setTest(id: string, view: ConnectionTestView): void {
    this.tests[id] = structuredClone(view);
  }

  test(id: string): ConnectionTestView {
    const row = this.row(id);
    this.requireConnection(row);
    return structuredClone(this.tests[id] ?? makeConnectionTest());
  }

  /** Checks a capture can start (as the real command does before the job). */
  checkCapture(ids: string[]): string[] {
    if (ids.length === 0) throw new BackendError("invalid_input", "Choose the tenants to capture.");
    return ids.map((id) => this.row(id).name);
  }

  /** Runs the captures (when the fake job ends). */
  capture(ids: string[]): { result: JobResult; summary: string } {
    let captured = 0;
    let partial = 0;
    let items = 0;
    const failures: string[] = [];
    for (const id of ids) {
      const row = this.row(id);
      const s = this.schedule(id);
      const at = new Date(this.now()).toISOString();
      const outcome: Outcome = this.outcomes[id] ?? "ok";
      let error: string | null = null;
      if (row.entraTenantId === null || this.app === null) {
        failures.push(`${row.name}: not connected`);
        continue;
      }
      if (outcome === "failed") error = "sign-in refused (AADSTS700016): the app is not consented in this tenant";
      const count = outcome === "failed" ? 0 : 120;
      const run: CaptureRunView = {
        id: `run-${id}-${s.runs.length + 1}`,
        startedAt: at,
        status: outcome,
        durationMs: 1800,
        requests: 42,
        throttled: 0,
        items: count,
        kindsFailed:
          outcome === "partial"
            ? [{ kind: "app_protection", label: "App protection policy", error: "permission missing: the app needs DeviceManagementApps.Read.All" }]
            : [],
        warnings: [],
        error,
      };
      s.runs.unshift(run);
      if (outcome === "failed") {
        s.consecutiveFailures += 1;
        s.lastError = error;
        if (s.consecutiveFailures >= 5 && s.parkedAt === null) s.parkedAt = at;
        failures.push(`${row.name}: ${error}`);
      } else {
        s.consecutiveFailures = 0;
        s.lastError = null;
        s.parkedAt = null;
        items += count;
        if (outcome === "ok") captured += 1;
        else partial += 1;
        this.updateRow(id, (r) => ({ ...r, lastCaptureAt: at, captureCount: r.captureCount + 1, itemCount: count }));
      }
    }
    return {
      result: { type: "capture", tenants: ids.length, captured, partial, items, failures },
      summary: `${captured} of ${ids.length} tenants captured whole; ${items} items.`,
    };
  }

  setCadence(id: string, minutes: number | null): ManagedTenant {
    this.row(id);
    if (minutes !== null && (minutes < 15 || minutes > 7 * 24 * 60)) {
      throw new BackendError("invalid_input", "A cadence is between 15 minutes and 7 days.");
    }
    this.schedule(id).cadenceMinutes = minutes;
    return this.one(id);
  }

  resume(id: string): ManagedTenant {
    const s = this.schedule(id);
    s.parkedAt = null;
    s.consecutiveFailures = 0;
    s.lastError = null;
    return this.one(id);
  }

  setTags(id: string, tags: string[]): ManagedTenant {
    this.row(id);
    const kept: string[] = [];
    for (const raw of tags) {
      const tag = raw.trim();
      if (tag === "" || kept.some((k) => k.toLowerCase() === tag.toLowerCase())) continue;
      if ([...tag].length > 40) {
        throw new BackendError("invalid_input", `the tag "${tag}" is longer than 40 characters: shorten it`);
      }
      kept.push(tag);
    }
    if (kept.length > 20) {
      throw new BackendError("invalid_input", `${kept.length} tags are more than the 20 a tenant can have`);
    }
    this.updateRow(id, (row) => ({ ...row, tags: kept }));
    return this.one(id);
  }

  runs(id: string): CaptureRunView[] {
    this.row(id);
    return structuredClone(this.schedule(id).runs);
  }
}
