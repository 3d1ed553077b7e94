// An in-memory Backend for tests and for running the UI in a plain browser. It behaves
// like the real one at the interface: it returns copies (callers cannot mutate its
// state), it can be slow, and it can fail with a given BackendError per method.

import { FakeBaselines, type FakeBaselinesData } from "./fakeBaselines";
import { FakeConsole, type FakeConsoleData } from "./fakeConsole";
import { FakeDelivery, type FakeDeliveryData } from "./fakeDelivery";
import { FakeEvidence, type FakeEvidenceData } from "./fakeEvidence";
import { FakeGraph, type FakeGraphData } from "./fakeGraph";
import { FakeJobs } from "./fakeJobs";
import { fakePortfolioOverview, type FakePortfolioData } from "./fakePortfolio";
import { FakeSettings, type FakeSettingsData } from "./fakeSettings";
import {
  BackendError,
  type AppInfo,
  type AssignRequest,
  type Backend,
  type BaselineDetail,
  type BaselineItemView,
  type BaselineRow,
  type CreateBaselineRequest,
  type CreatedBaselineView,
  type ExportedBaselineView,
  type ExportRequest,
  type ItemSettingsView,
  type SetRuleRequest,
  type Severity,
  type CaptureComparison,
  type DataDirectory,
  type DecisionOutcome,
  type DecisionRequest,
  type FindingDetail,
  type FindingPage,
  type FindingQuery,
  type ExportedKey,
  type GeneratedReport,
  type GenerateReportRequest,
  type PolicyDiff,
  type PortfolioOverview,
  type ReportSummary,
  type AlertRow,
  type AlertView,
  type AddedDestination,
  type AttemptRow,
  type DeliveryRow,
  type DestinationInput,
  type DestinationRow,
  type PolicyRow,
  type RuleRow,
  type SilenceRow,
  type TestOutcome,
  type CreatePackRequest,
  type EvidencePackView,
  type ImportRequest,
  type ImportPreview,
  type Job,
  type PackVerdict,
  type PickKind,
  type PolicyKindOption,
  type PreviewImportRequest,
  type StartupTiming,
  type ReportLanguage,
  type ReportSettingsView,
  type SaveBrandingRequest,
  type SaveConnectionRequest,
  type ServerConnectionView,
  type SyncView,
  type RejectedView,
  type ServerSignInRequest,
  type SigningKeyView,
  type TenantConnections,
  type TenantConnectionView,
  type TenantOverview,
  type TenantRow,
  type AddTenantRequest,
  type CaptureRunView,
  type ConnectionTestView,
  type GraphAppView,
  type ManagedTenant,
  type SaveGraphAppRequest,
} from "./types";

export { makeFinding, type FakeFinding } from "./fakeConsole";
export { makeAlert, makePack } from "./fakeEvidence";
export { FAKE_WRONG_PASSWORD, type FakeLogoFile, type FakeSettingsData } from "./fakeSettings";
export { makeConnectionTest, type FakeGraphData } from "./fakeGraph";
export type { FakeBaseline, FakeBaselineItem, FakeBaselinesData, FakeFolder } from "./fakeBaselines";

type Method = keyof Backend;

export interface FakeBackendOptions {
  appInfo?: Partial<AppInfo>;
  tenants?: TenantRow[];
  /** Reports already recorded, newest first. */
  reports?: ReportSummary[];
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Methods that fail, and with what, until `fail(method, null)` clears them. */
  failures?: Partial<Record<Method, BackendError>>;
  /** Findings, tenant pages, comparisons and diffs. */
  console?: FakeConsoleData;
  /** Evidence packs and alerts. */
  evidence?: FakeEvidenceData;
  /** Polls a background job stays running for (default 2). */
  jobPolls?: number;
  /** Scores and baseline assignments for the Portfolio (its counts come from `console`). */
  portfolio?: FakePortfolioData;
  /** Report branding and language, tenant connections, the signing key, the server. */
  settings?: FakeSettingsData;
  /** Baselines, the tenants' latest captures to create them from, and folders. */
  baselines?: FakeBaselinesData;
  /** What previewing each export folder shows; any other path is not a folder. */
  previews?: Record<string, ImportPreview>;
  /** The Graph app, known domains, capture outcomes, connection tests, schedules. */
  graph?: FakeGraphData;
  /** Alert destinations, the delivery log, silences, escalation policies. */
  delivery?: FakeDeliveryData;
}

/** A preview of an export folder with neutral defaults. */
export function makeImportPreview(
  folder: string,
  fields: Partial<ImportPreview> = {},
): ImportPreview {
  return {
    folder,
    items: 2,
    directoryObjects: 1,
    byKind: [{ kind: "settings_catalog", label: "Settings catalog", count: 2 }],
    formats: ["IntuneManagement export (3)"],
    unreadable: 0,
    notPolicies: 0,
    files: [
      {
        path: "SettingsCatalog/Win - Defender.json",
        outcome: "policies",
        summary: 'Settings catalog "Win - Defender", by @odata.type #microsoft.graph.deviceManagementConfigurationPolicy',
        notes: [],
      },
      {
        path: "SettingsCatalog/Win - Firewall.json",
        outcome: "policies",
        summary: 'Settings catalog "Win - Firewall", by the folder "SettingsCatalog"',
        notes: [],
      },
      {
        path: "MigrationTable.json",
        outcome: "directory",
        summary: "1 directory objects (groups, filters, …) to resolve ids",
        notes: [],
      },
    ],
    ...fields,
  };
}

const POLICY_KINDS: PolicyKindOption[] = [
  { key: "settings_catalog", label: "Settings catalog" },
  { key: "compliance_policy", label: "Compliance policy" },
  { key: "conditional_access", label: "Conditional Access policy" },
];

const DEFAULT_APP_INFO: AppInfo = {
  version: "0.0.0-fake",
  dbPath: ":memory:",
  isDemoData: false,
  demoCreatedNow: false,
};

/** A tenant row with neutral defaults, for building fixtures in a line. */
export function makeTenant(fields: Partial<TenantRow> & Pick<TenantRow, "name">): TenantRow {
  const slug = fields.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    id: `tenant-${slug}`,
    primaryDomain: null,
    entraTenantId: null,
    tags: [],
    isDemo: false,
    captureCount: 0,
    lastCaptureAt: null,
    itemCount: 0,
    failedKinds: [],
    ...fields,
  };
}

/** A recorded report with neutral defaults. */
export function makeReport(fields: Partial<ReportSummary> & Pick<ReportSummary, "id">): ReportSummary {
  return {
    kind: "executive",
    format: "pdf",
    tenantId: null,
    tenantName: null,
    createdAt: "2026-01-01T00:00:00Z",
    sha256: "0".repeat(64),
    size: 1024,
    path: `/fake/reports/${fields.id}.pdf`,
    reportId: null,
    pages: null,
    language: "en",
    ...fields,
  };
}

/** A stable 64-hex-digit stand-in for a SHA-256, different for every `n`. */
function fakeSha256(n: number): string {
  const word = (n * 2654435761 + 0x9e3779b9) >>> 0;
  return word.toString(16).padStart(8, "0").repeat(8);
}

function copyTenant(tenant: TenantRow): TenantRow {
  return { ...tenant, tags: [...tenant.tags], failedKinds: [...tenant.failedKinds] };
}

export class FakeBackend implements Backend {
  /** How many times each method was called, for tests that check retries. */
  readonly calls: Record<Method, number> = {
    appInfo: 0,
    listTenants: 0,
    reportInteractive: 0,
    generateReport: 0,
    listReports: 0,
    openPath: 0,
    queryFindings: 0,
    findingDetail: 0,
    decideFindings: 0,
    tenantOverview: 0,
    compareCaptures: 0,
    policyDiff: 0,
    startReview: 0,
    listJobs: 0,
    jobStatus: 0,
    cancelJob: 0,
    importCapture: 0,
    previewImport: 0,
    choosePath: 0,
    onPathDropped: 0,
    listPolicyKinds: 0,
    createEvidencePack: 0,
    listEvidencePacks: 0,
    verifyEvidencePack: 0,
    listAlerts: 0,
    openAlertCount: 0,
    acknowledgeAlerts: 0,
    snoozeAlerts: 0,
    listDestinations: 0,
    addDestination: 0,
    testDestination: 0,
    setDestinationEnabled: 0,
    removeDestination: 0,
    listDeliveries: 0,
    deliveryAttempts: 0,
    replayDelivery: 0,
    listSilences: 0,
    addSilence: 0,
    expireSilence: 0,
    listEscalationPolicies: 0,
    listAlertRules: 0,
    addAlertRule: 0,
    setAlertRuleTenants: 0,
    setAlertRuleEnabled: 0,
    removeAlertRule: 0,
    routeAlertRule: 0,
    setRulePolicy: 0,
    addEscalationPolicy: 0,
    removeEscalationPolicy: 0,
    portfolioOverview: 0,
    reportSettings: 0,
    saveBranding: 0,
    setReportLanguage: 0,
    tenantConnections: 0,
    saveTenantConnection: 0,
    setTenantSecret: 0,
    removeTenantSecret: 0,
    signingKey: 0,
    exportPublicKey: 0,
    rotateSigningKey: 0,
    dataDirectory: 0,
    serverConnection: 0,
    signInToServer: 0,
    checkServerConnection: 0,
    signOutOfServer: 0,
    syncStatus: 0,
    syncNow: 0,
    cancelSync: 0,
    rejectedChanges: 0,
    listBaselines: 0,
    baselineDetail: 0,
    baselineItems: 0,
    baselineItem: 0,
    setBaselineRule: 0,
    removeBaselineRule: 0,
    setBaselineItemSeverity: 0,
    startBaselineDraft: 0,
    publishBaseline: 0,
    createBaseline: 0,
    assignBaseline: 0,
    unassignBaseline: 0,
    exportBaseline: 0,
    graphApp: 0,
    saveGraphApp: 0,
    managedTenants: 0,
    addTenant: 0,
    testTenantConnection: 0,
    captureTenants: 0,
    setCaptureCadence: 0,
    resumeCapture: 0,
    setTenantTags: 0,
    captureRuns: 0,
  };
  /** The console's data and what it was asked. */
  readonly console: FakeConsole;
  /** Background jobs (reviews, imports, packs). */
  readonly jobs: FakeJobs;
  /** Evidence packs and the alerts inbox. */
  readonly evidence: FakeEvidence;
  /** What `importCapture` was asked, in order. */
  readonly importRequests: ImportRequest[] = [];
  /** The settings' data, its keychain and what it exported. */
  readonly settings: FakeSettings;
  /** The baselines' data and what they were asked. */
  readonly baselines: FakeBaselines;
  /** Tenant management over Graph. */
  readonly graph: FakeGraph;
  /** Where alerts go. */
  readonly delivery: FakeDelivery;
  /** What `generateReport` was asked, in order. */
  readonly generateRequests: GenerateReportRequest[] = [];
  /** What `openPath` was asked to open, in order. */
  readonly openedPaths: string[] = [];
  /** What the system's picker answers next, in order (null: cancelled; none left: cancelled). */
  readonly picks: (string | null)[] = [];
  /** What `choosePath` was asked, in order. */
  readonly pickRequests: { kind: PickKind; title: string }[] = [];
  /** What `previewImport` was asked, in order. */
  readonly previewRequests: PreviewImportRequest[] = [];
  private previews: Record<string, ImportPreview>;
  private dropListeners = new Set<(path: string) => void>();

  private info: AppInfo;
  private tenants: TenantRow[];
  private reports: ReportSummary[];
  private latencyMs: number;
  private failures: Partial<Record<Method, BackendError>>;
  private portfolio: FakePortfolioData;

  constructor(options: FakeBackendOptions = {}) {
    this.info = { ...DEFAULT_APP_INFO, ...options.appInfo };
    this.tenants = (options.tenants ?? []).map(copyTenant);
    this.reports = (options.reports ?? []).map((report) => ({ ...report }));
    this.latencyMs = options.latencyMs ?? 0;
    this.failures = { ...options.failures };
    this.console = new FakeConsole(options.console);
    this.jobs = new FakeJobs();
    if (options.jobPolls !== undefined) this.jobs.runningPolls = options.jobPolls;
    this.evidence = new FakeEvidence(options.evidence);
    this.delivery = new FakeDelivery(options.delivery);
    this.portfolio = structuredClone(options.portfolio ?? {});
    this.settings = new FakeSettings(
      options.settings ?? {},
      () => this.tenants,
      () => this.info.dbPath,
    );
    this.baselines = new FakeBaselines(options.baselines ?? {}, () => this.tenants);
    this.previews = structuredClone(options.previews ?? {});
    this.graph = new FakeGraph(
      options.graph ?? {},
      () => this.tenants,
      (row) => {
        this.tenants.push(copyTenant(row));
      },
      (id, change) => {
        this.tenants = this.tenants.map((t) => (t.id === id ? change(t) : t));
      },
    );
  }

  /** Drops `path` on the window, as a person dragging a folder from the file manager. */
  dropPath(path: string): void {
    for (const listener of this.dropListeners) listener(path);
  }

  /** Makes `method` fail with `error` from now on, or succeed again with `null`. */
  fail(method: Method, error: BackendError | null): void {
    if (error) this.failures[method] = error;
    else delete this.failures[method];
  }

  /** The tenants as given, without counting a call. */
  tenantsSnapshot(): TenantRow[] {
    return this.tenants.map(copyTenant);
  }

  setTenants(tenants: TenantRow[]): void {
    this.tenants = tenants.map(copyTenant);
  }

  async appInfo(): Promise<AppInfo> {
    await this.answer("appInfo");
    return { ...this.info };
  }

  async reportInteractive(): Promise<StartupTiming> {
    await this.answer("reportInteractive");
    return { interactiveMs: 1 };
  }

  async listTenants(): Promise<TenantRow[]> {
    await this.answer("listTenants");
    return this.tenants.map(copyTenant);
  }

  async generateReport(request: GenerateReportRequest): Promise<GeneratedReport> {
    this.generateRequests.push(structuredClone(request));
    await this.answer("generateReport");
    let tenant: TenantRow | undefined;
    if (request.kind === "executive") {
      if (!request.tenantId) {
        throw new BackendError("invalid_input", "Choose a tenant for the executive report.");
      }
      tenant = this.tenants.find((t) => t.id === request.tenantId);
      if (!tenant) throw new BackendError("not_found", `No tenant ${request.tenantId}.`);
    }
    // As the Rust side: no branding or language in the request means the saved ones.
    const saved = this.settings.settings();
    const branding = request.branding ?? {
      mspName: saved.mspName,
      accentColour: saved.accentColour,
      logoPath: null,
      useSavedLogo: true,
    };
    const language = request.language ?? saved.language;
    if (!branding.mspName.trim()) {
      throw new BackendError(
        "invalid_input",
        "Enter the MSP name: it is printed on the cover and in every page's header (save it once in Settings, under Report branding).",
      );
    }
    if (!/^#?[0-9a-fA-F]{6}$/.test(branding.accentColour.trim())) {
      throw new BackendError(
        "invalid_input",
        `the accent colour "${branding.accentColour}" is not of the form #RRGGBB`,
      );
    }
    const n = this.reports.length + 1;
    const generatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const report: GeneratedReport = {
      reportId: `PL-FAKE-0000-${String(n).padStart(4, "0")}`,
      recordId: `record-${n}`,
      kind: request.kind,
      tenantName: tenant?.name ?? null,
      path: request.outputPath ?? `/fake/reports/${request.kind}-${n}-${language}.pdf`,
      sha256: fakeSha256(n),
      size: 40_000 + n,
      pages: request.kind === "executive" ? 6 : 4,
      generatedAt,
      fontWarning: null,
    };
    this.reports.unshift({
      id: report.recordId,
      kind: report.kind,
      format: "pdf",
      tenantId: tenant?.id ?? null,
      tenantName: report.tenantName,
      createdAt: generatedAt,
      sha256: report.sha256,
      size: report.size,
      path: report.path,
      reportId: report.reportId,
      pages: report.pages,
      language,
    });
    return { ...report };
  }

  async listReports(): Promise<ReportSummary[]> {
    await this.answer("listReports");
    return this.reports.map((report) => ({ ...report }));
  }

  async openPath(path: string): Promise<void> {
    this.openedPaths.push(path);
    await this.answer("openPath");
  }

  async queryFindings(query: FindingQuery): Promise<FindingPage> {
    await this.answer("queryFindings");
    return this.console.query(query);
  }

  async findingDetail(id: string): Promise<FindingDetail> {
    await this.answer("findingDetail");
    return this.console.detail(id);
  }

  async decideFindings(request: DecisionRequest): Promise<DecisionOutcome> {
    await this.answer("decideFindings");
    return this.console.decide(request);
  }

  async tenantOverview(tenantId: string): Promise<TenantOverview> {
    await this.answer("tenantOverview");
    return this.console.overview(tenantId);
  }

  async compareCaptures(from: string, to: string): Promise<CaptureComparison> {
    await this.answer("compareCaptures");
    return this.console.compareCaptures(from, to);
  }

  async policyDiff(findingId: string): Promise<PolicyDiff> {
    await this.answer("policyDiff");
    return this.console.diff(findingId);
  }

  async startReview(tenantId: string | null): Promise<Job> {
    await this.answer("startReview");
    const name = tenantId === null ? null : this.tenantName(tenantId);
    const tenants = tenantId === null ? Math.max(this.console.tenantIds().length, this.tenants.length) : 1;
    return this.jobs.start({
      kind: "review",
      title: name === null ? "Review of every tenant" : `Review of ${name}`,
      tenantId,
      key: "review",
      busy: "A review is already running: wait for it to finish, or cancel it.",
      finish: () => ({
        result: {
          type: "review",
          reviewed: tenants,
          tenants,
          opened: 1,
          resolved: 0,
          reopened: 0,
          alerts: 0,
          failures: [],
        },
        summary:
          tenants === 1
            ? "Reviewed: 1 new finding, 0 re-opened, 0 resolved."
            : `${tenants} of ${tenants} tenants reviewed: 1 new finding, 0 re-opened, 0 resolved.`,
      }),
    });
  }

  async listJobs(): Promise<Job[]> {
    await this.answer("listJobs");
    return this.jobs.list();
  }

  async jobStatus(id: string): Promise<Job> {
    await this.answer("jobStatus");
    return this.jobs.status(id);
  }

  async cancelJob(id: string): Promise<Job> {
    await this.answer("cancelJob");
    return this.jobs.cancel(id);
  }

  async importCapture(request: ImportRequest): Promise<Job> {
    this.importRequests.push(structuredClone(request));
    await this.answer("importCapture");
    const named = request.tenant.trim();
    if (!named) throw new BackendError("invalid_input", "Name the tenant the export belongs to.");
    if (!request.folder.trim().startsWith("/")) {
      throw new BackendError(
        "invalid_input",
        `${request.folder} is not a folder: choose the folder the export was saved to.`,
      );
    }
    const existing = this.tenants.find((t) => t.id === named || t.name === named);
    const tenant = existing?.name ?? named;
    return this.jobs.start({
      kind: "import",
      title: `Import into ${tenant}`,
      tenantId: existing?.id ?? null,
      key: `import:${tenant.toLowerCase()}`,
      busy: "An import into this tenant is already running: wait for it to finish.",
      finish: () => {
        const id = existing?.id ?? `tenant-${tenant.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
        return {
          result: {
            type: "import",
            tenantId: id,
            tenant,
            captureId: `capture-${this.importRequests.length}`,
            items: 12,
            tenantCreated: existing === undefined,
            skipped: [],
          },
          summary: `12 items from 12 files imported into ${tenant}.`,
        };
      },
    });
  }

  async previewImport(request: PreviewImportRequest): Promise<ImportPreview> {
    this.previewRequests.push(structuredClone(request));
    await this.answer("previewImport");
    const preview = this.previews[request.folder.trim()];
    if (!preview) {
      throw new BackendError(
        "invalid_input",
        `${request.folder} is not a folder: choose the folder the export was saved to.`,
      );
    }
    return structuredClone(preview);
  }

  async choosePath(kind: PickKind, title: string): Promise<string | null> {
    this.pickRequests.push({ kind, title });
    await this.answer("choosePath");
    return this.picks.shift() ?? null;
  }

  onPathDropped(listener: (path: string) => void): () => void {
    this.calls.onPathDropped += 1;
    this.dropListeners.add(listener);
    return () => {
      this.dropListeners.delete(listener);
    };
  }

  async listPolicyKinds(): Promise<PolicyKindOption[]> {
    await this.answer("listPolicyKinds");
    return POLICY_KINDS.map((k) => ({ ...k }));
  }

  async createEvidencePack(request: CreatePackRequest): Promise<Job> {
    await this.answer("createEvidencePack");
    const tenant = this.tenantName(request.tenantId);
    if (tenant === null) throw new BackendError("not_found", `tenant not found: ${request.tenantId}`);
    this.evidence.validate(request);
    const copy = structuredClone(request);
    return this.jobs.start({
      kind: "evidence_pack",
      title: `Evidence pack of ${tenant}, ${request.from} to ${request.to}`,
      tenantId: request.tenantId,
      key: `pack:${request.outputPath ?? `${request.tenantId}:${request.from}:${request.to}`}`,
      busy: "A pack is already being written to that file: wait for it, or choose another name.",
      finish: () => this.evidence.write(copy, tenant),
    });
  }

  async listEvidencePacks(tenantId: string | null): Promise<EvidencePackView[]> {
    await this.answer("listEvidencePacks");
    return this.evidence.list(tenantId);
  }

  async verifyEvidencePack(path: string, trustedFingerprint: string | null): Promise<PackVerdict> {
    await this.answer("verifyEvidencePack");
    return this.evidence.verify(path, trustedFingerprint);
  }

  async openAlertCount(): Promise<number> {
    await this.answer("openAlertCount");
    return this.evidence.listAlerts("open").length;
  }

  async listAlerts(view: AlertView): Promise<AlertRow[]> {
    await this.answer("listAlerts");
    return this.evidence.listAlerts(view);
  }

  async acknowledgeAlerts(ids: string[]): Promise<number> {
    await this.answer("acknowledgeAlerts");
    return this.evidence.acknowledge(ids);
  }

  async snoozeAlerts(ids: string[], hours: number | null, until: string | null): Promise<number> {
    await this.answer("snoozeAlerts");
    return this.evidence.snooze(ids, hours, until);
  }

  async listDestinations(): Promise<DestinationRow[]> {
    await this.answer("listDestinations");
    return this.delivery.listDestinations();
  }

  async addDestination(input: DestinationInput): Promise<AddedDestination> {
    await this.answer("addDestination");
    return this.delivery.add(input);
  }

  async testDestination(name: string): Promise<TestOutcome> {
    await this.answer("testDestination");
    return this.delivery.test(name);
  }

  async setDestinationEnabled(name: string, enabled: boolean): Promise<DestinationRow> {
    await this.answer("setDestinationEnabled");
    return this.delivery.setEnabled(name, enabled);
  }

  async removeDestination(name: string): Promise<void> {
    await this.answer("removeDestination");
    this.delivery.remove(name);
  }

  async listDeliveries(state: string | null): Promise<DeliveryRow[]> {
    await this.answer("listDeliveries");
    return this.delivery.listDeliveries(state);
  }

  async deliveryAttempts(id: string): Promise<AttemptRow[]> {
    await this.answer("deliveryAttempts");
    return this.delivery.attempts(id);
  }

  async replayDelivery(id: string): Promise<DeliveryRow> {
    await this.answer("replayDelivery");
    return this.delivery.replay(id);
  }

  async listSilences(): Promise<SilenceRow[]> {
    await this.answer("listSilences");
    return this.delivery.listSilences();
  }

  async addSilence(
    ruleId: string | null,
    tenantId: string | null,
    hours: number,
    comment: string,
  ): Promise<void> {
    await this.answer("addSilence");
    const tenant = tenantId === null ? null : (this.tenantName(tenantId) ?? tenantId);
    this.delivery.addSilence(ruleId, tenant, hours, comment);
  }

  async expireSilence(id: string): Promise<void> {
    await this.answer("expireSilence");
    this.delivery.expireSilence(id);
  }

  async listEscalationPolicies(): Promise<PolicyRow[]> {
    await this.answer("listEscalationPolicies");
    return this.delivery.listPolicies();
  }

  async listAlertRules(): Promise<RuleRow[]> {
    await this.answer("listAlertRules");
    return this.delivery.listRules();
  }

  async addAlertRule(
    name: string,
    when: string,
    cooldown: string,
    tags: string[],
    except: string[],
  ): Promise<void> {
    await this.answer("addAlertRule");
    const names = except.map((id) => this.tenantName(id) ?? id);
    this.delivery.addRule(name, when, cooldown, tags, names, except);
  }

  async setAlertRuleTenants(
    rule: string,
    tenants: string[],
    tags: string[],
    except: string[],
  ): Promise<void> {
    await this.answer("setAlertRuleTenants");
    for (const id of [...tenants, ...except]) {
      if (this.tenantName(id) === null) {
        throw new BackendError(
          "invalid_input",
          `no tenant ${id} in this workspace: reload the page and choose again`,
        );
      }
    }
    const named = (ids: string[]) => ids.map((id) => ({ id, name: this.tenantName(id) ?? id }));
    this.delivery.setRuleTenants(rule, named(tenants), tags, named(except));
  }

  async setAlertRuleEnabled(rule: string, enabled: boolean): Promise<void> {
    await this.answer("setAlertRuleEnabled");
    this.delivery.setRuleEnabled(rule, enabled);
  }

  async removeAlertRule(rule: string): Promise<void> {
    await this.answer("removeAlertRule");
    this.delivery.removeRule(rule);
  }

  async routeAlertRule(rule: string, destination: string, on: boolean): Promise<void> {
    await this.answer("routeAlertRule");
    this.delivery.route(rule, destination, on);
  }

  async setRulePolicy(rule: string, policy: string | null): Promise<void> {
    await this.answer("setRulePolicy");
    this.delivery.setRulePolicy(rule, policy);
  }

  async addEscalationPolicy(
    name: string,
    steps: string[],
    repeats: number,
    repeatAfter: string,
  ): Promise<PolicyRow> {
    await this.answer("addEscalationPolicy");
    return this.delivery.addPolicy(name, steps, repeats, repeatAfter);
  }

  async removeEscalationPolicy(name: string): Promise<void> {
    await this.answer("removeEscalationPolicy");
    this.delivery.removePolicy(name);
  }

  /** A tenant's name from the tenant list or the console's pages. */
  private tenantName(id: string): string | null {
    const row = this.tenants.find((t) => t.id === id);
    if (row) return row.name;
    try {
      return this.console.overview(id).tenant.name;
    } catch {
      return null;
    }
  }

  async portfolioOverview(): Promise<PortfolioOverview> {
    await this.answer("portfolioOverview");
    const scores = this.portfolio.scores ?? {};
    return fakePortfolioOverview({
      tenants: this.tenants,
      findings: this.console.findingViews(),
      scores: (id) => structuredClone(scores[id]) ?? this.console.scoresOf(id),
      assignments: this.portfolio.assignments ?? {},
      now: this.console.nowMs(),
    });
  }

  async reportSettings(): Promise<ReportSettingsView> {
    await this.answer("reportSettings");
    return this.settings.settings();
  }

  async saveBranding(request: SaveBrandingRequest): Promise<ReportSettingsView> {
    await this.answer("saveBranding");
    return this.settings.saveBranding(request);
  }

  async setReportLanguage(language: ReportLanguage): Promise<ReportSettingsView> {
    await this.answer("setReportLanguage");
    return this.settings.setLanguage(language);
  }

  async tenantConnections(): Promise<TenantConnections> {
    await this.answer("tenantConnections");
    return this.settings.listConnections();
  }

  async saveTenantConnection(request: SaveConnectionRequest): Promise<TenantConnectionView> {
    await this.answer("saveTenantConnection");
    return this.settings.saveConnection(request);
  }

  async setTenantSecret(tenantId: string, secret: string): Promise<TenantConnectionView> {
    await this.answer("setTenantSecret");
    return this.settings.setSecret(tenantId, secret);
  }

  async removeTenantSecret(tenantId: string): Promise<TenantConnectionView> {
    await this.answer("removeTenantSecret");
    return this.settings.removeSecret(tenantId);
  }

  async signingKey(): Promise<SigningKeyView> {
    await this.answer("signingKey");
    return this.settings.signingKey();
  }

  async exportPublicKey(path: string): Promise<ExportedKey> {
    await this.answer("exportPublicKey");
    return this.settings.exportKey(path, this.settings.dataDirectory().evidenceDir);
  }

  async rotateSigningKey(): Promise<SigningKeyView> {
    await this.answer("rotateSigningKey");
    return this.settings.rotateKey();
  }

  async dataDirectory(): Promise<DataDirectory> {
    await this.answer("dataDirectory");
    return this.settings.dataDirectory();
  }

  async serverConnection(): Promise<ServerConnectionView> {
    await this.answer("serverConnection");
    return this.settings.serverConnection();
  }

  async signInToServer(request: ServerSignInRequest): Promise<ServerConnectionView> {
    await this.answer("signInToServer");
    return this.settings.signInToServer(request);
  }

  async checkServerConnection(): Promise<ServerConnectionView> {
    await this.answer("checkServerConnection");
    return this.settings.checkServer();
  }

  async signOutOfServer(): Promise<ServerConnectionView> {
    await this.answer("signOutOfServer");
    return this.settings.signOutOfServer();
  }

  async syncStatus(): Promise<SyncView> {
    await this.answer("syncStatus");
    return this.settings.syncStatus();
  }

  async syncNow(): Promise<SyncView> {
    await this.answer("syncNow");
    return this.settings.syncNow();
  }

  async cancelSync(): Promise<SyncView> {
    await this.answer("cancelSync");
    return this.settings.syncStatus();
  }

  async rejectedChanges(): Promise<RejectedView[]> {
    await this.answer("rejectedChanges");
    return this.settings.rejectedChanges();
  }

  async listBaselines(): Promise<BaselineRow[]> {
    await this.answer("listBaselines");
    return this.baselines.list();
  }

  async baselineDetail(baselineId: string): Promise<BaselineDetail> {
    await this.answer("baselineDetail");
    return this.baselines.detail(baselineId);
  }

  async baselineItems(versionId: string): Promise<BaselineItemView[]> {
    await this.answer("baselineItems");
    return this.baselines.items(versionId);
  }

  async baselineItem(itemId: string): Promise<ItemSettingsView> {
    await this.answer("baselineItem");
    return this.baselines.item(itemId);
  }

  async setBaselineRule(request: SetRuleRequest): Promise<ItemSettingsView> {
    await this.answer("setBaselineRule");
    return this.baselines.setRule(request);
  }

  async removeBaselineRule(itemId: string, path: string): Promise<ItemSettingsView> {
    await this.answer("removeBaselineRule");
    return this.baselines.removeRule(itemId, path);
  }

  async setBaselineItemSeverity(itemId: string, severity: Severity): Promise<ItemSettingsView> {
    await this.answer("setBaselineItemSeverity");
    return this.baselines.setItemSeverity(itemId, severity);
  }

  async startBaselineDraft(baselineId: string): Promise<number> {
    await this.answer("startBaselineDraft");
    return this.baselines.startDraft(baselineId);
  }

  async publishBaseline(baselineId: string): Promise<number> {
    await this.answer("publishBaseline");
    return this.baselines.publish(baselineId);
  }

  async createBaseline(request: CreateBaselineRequest): Promise<CreatedBaselineView> {
    await this.answer("createBaseline");
    return this.baselines.create(request);
  }

  async assignBaseline(request: AssignRequest): Promise<BaselineDetail> {
    await this.answer("assignBaseline");
    return this.baselines.assign(request);
  }

  async unassignBaseline(baselineId: string, tenantId: string): Promise<BaselineDetail> {
    await this.answer("unassignBaseline");
    return this.baselines.unassign(baselineId, tenantId);
  }

  async exportBaseline(request: ExportRequest): Promise<ExportedBaselineView> {
    await this.answer("exportBaseline");
    return this.baselines.export(request);
  }

  async graphApp(): Promise<GraphAppView | null> {
    await this.answer("graphApp");
    return this.graph.getApp();
  }

  async saveGraphApp(request: SaveGraphAppRequest): Promise<GraphAppView> {
    await this.answer("saveGraphApp");
    return this.graph.saveApp(request);
  }

  async managedTenants(): Promise<ManagedTenant[]> {
    await this.answer("managedTenants");
    return this.graph.managed();
  }

  async addTenant(request: AddTenantRequest): Promise<ManagedTenant> {
    await this.answer("addTenant");
    return this.graph.add(request);
  }

  async testTenantConnection(tenantId: string): Promise<ConnectionTestView> {
    await this.answer("testTenantConnection");
    return this.graph.test(tenantId);
  }

  async captureTenants(tenantIds: string[]): Promise<Job> {
    await this.answer("captureTenants");
    const names = this.graph.checkCapture(tenantIds);
    const ids = [...tenantIds];
    return this.jobs.start({
      kind: "capture",
      title:
        names.length === 1
          ? `Capture of ${names[0]} from Microsoft Graph`
          : `Capture of ${names.length} tenants from Microsoft Graph`,
      tenantId: ids.length === 1 ? (ids[0] ?? null) : null,
      key: "capture",
      busy: "A capture is already running: wait for it to finish or cancel it.",
      finish: () => this.graph.capture(ids),
    });
  }

  async setCaptureCadence(tenantId: string, cadenceMinutes: number | null): Promise<ManagedTenant> {
    await this.answer("setCaptureCadence");
    return this.graph.setCadence(tenantId, cadenceMinutes);
  }

  async resumeCapture(tenantId: string): Promise<ManagedTenant> {
    await this.answer("resumeCapture");
    return this.graph.resume(tenantId);
  }

  async setTenantTags(tenantId: string, tags: string[]): Promise<ManagedTenant> {
    await this.answer("setTenantTags");
    return this.graph.setTags(tenantId, tags);
  }

  async captureRuns(tenantId: string): Promise<CaptureRunView[]> {
    await this.answer("captureRuns");
    return this.graph.runs(tenantId);
  }

  private async answer(method: Method): Promise<void> {
    this.calls[method] += 1;
    if (this.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    }
    const failure = this.failures[method];
    if (failure) throw failure;
  }
}
