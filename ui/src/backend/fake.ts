// An in-memory Backend for tests and for running the UI in a plain browser. It behaves
// like the real one at the interface: it returns copies (callers cannot mutate its
// state), it can be slow, and it can fail with a given BackendError per method.

import { FakeBaselines, type FakeBaselinesData } from "./fakeBaselines";
import { FakeConsole, type FakeConsoleData } from "./fakeConsole";
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
  type DecisionOutcome,
  type DecisionRequest,
  type FindingDetail,
  type FindingPage,
  type FindingQuery,
  type GeneratedReport,
  type GenerateReportRequest,
  type PolicyDiff,
  type ReportSummary,
  type ReviewJob,
  type TenantOverview,
  type TenantRow,
} from "./types";

export { makeFinding, type FakeFinding } from "./fakeConsole";
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
  /** Baselines, the tenants' latest captures to create them from, and folders. */
  baselines?: FakeBaselinesData;
}

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
    reviewStatus: 0,
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
  };
  /** The console's data and what it was asked. */
  readonly console: FakeConsole;
  /** The baselines' data and what they were asked. */
  readonly baselines: FakeBaselines;
  /** What `generateReport` was asked, in order. */
  readonly generateRequests: GenerateReportRequest[] = [];
  /** What `openPath` was asked to open, in order. */
  readonly openedPaths: string[] = [];

  private info: AppInfo;
  private tenants: TenantRow[];
  private reports: ReportSummary[];
  private latencyMs: number;
  private failures: Partial<Record<Method, BackendError>>;

  constructor(options: FakeBackendOptions = {}) {
    this.info = { ...DEFAULT_APP_INFO, ...options.appInfo };
    this.tenants = (options.tenants ?? []).map(copyTenant);
    this.reports = (options.reports ?? []).map((report) => ({ ...report }));
    this.latencyMs = options.latencyMs ?? 0;
    this.failures = { ...options.failures };
    this.console = new FakeConsole(options.console);
    this.baselines = new FakeBaselines(options.baselines ?? {}, () => this.tenants);
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
    if (!/^#?[0-9a-fA-F]{6}$/.test(request.branding.accentColour.trim())) {
      throw new BackendError(
        "invalid_input",
        `the accent colour "${request.branding.accentColour}" is not of the form #RRGGBB`,
      );
    }
    const n = this.reports.length + 1;
    const generatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const report: GeneratedReport = {
      reportId: `PL-FAKE-0000-${String(n).padStart(4, "0")}`,
      recordId: `record-${n}`,
      kind: request.kind,
      tenantName: tenant?.name ?? null,
      path: request.outputPath ?? `/fake/reports/${request.kind}-${n}-${request.language}.pdf`,
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
      language: request.language,
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

  async startReview(tenantId: string | null): Promise<ReviewJob> {
    await this.answer("startReview");
    return this.console.startReview(tenantId);
  }

  async reviewStatus(): Promise<ReviewJob> {
    await this.answer("reviewStatus");
    return this.console.reviewStatus();
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

  private async answer(method: Method): Promise<void> {
    this.calls[method] += 1;
    if (this.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    }
    const failure = this.failures[method];
    if (failure) throw failure;
  }
}
