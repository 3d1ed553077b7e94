// The contract between the UI and the desktop backend. The data shapes come from the
// generated `bindings.ts` (tauri-specta), so the Rust side stays their single source of
// truth; this file only adds the interface the UI codes against and the error the UI
// switches on.

import type {
  AssignmentRow,
  AssignRequest,
  BaselineDetail,
  BaselineItemView,
  BaselineRow,
  CreateBaselineRequest,
  CreatedBaselineView,
  ExportedBaselineView,
  ExportRequest,
  ItemSettingsView,
  RuleKind,
  RuleSpec,
  SetRuleRequest,
  SettingView,
  Severity,
  VariableEntry,
  VersionRow,
  AcceptanceRow,
  AlertRow,
  AlertState,
  AlertView,
  AppInfo,
  Branding,
  CaptureComparison,
  CategoryCounts,
  CaptureView,
  ChangedPolicy,
  CommandError,
  ConsoleFinding,
  CreatePackRequest,
  DecisionAction,
  DecisionOutcome,
  DecisionRequest,
  DiffRow,
  SettingWords,
  DriftByBaseline,
  DueFilter,
  ErrorCode,
  EvidencePackView,
  FindingDetail,
  FindingPage,
  FindingQuery,
  FindingSort,
  FindingView,
  GenerateReportRequest,
  GeneratedReport,
  ImportRequest,
  ImportPreview,
  PickKind,
  PolicyKindOption,
  PreviewFile,
  PreviewImportRequest,
  Job,
  JobKind,
  JobResult,
  JobState,
  PackVerdict,
  PolicyDiff,
  PortfolioCategory,
  PortfolioOverview,
  PortfolioTenant,
  ReportKind,
  ReportLanguage,
  ReportSummary,
  ScorePoint,
  SeverityCounts,
  StartupTiming,
  TenantOverview,
  TenantRow,
  TransitionView,
  TrendPoint,
  UnresolvedId,
  DataDirectory,
  ExportedKey,
  LogoView,
  ReportSettingsView,
  RetiredKey,
  SaveBrandingRequest,
  SaveConnectionRequest,
  SigningKeyView,
  TenantConnectionView,
  TenantConnections,
  ServerConnectionView,
  ServerSignInRequest,
  ServerStatus,
  ServerUser,
  ServerWorkspace,
  SyncView,
  SyncPhase,
  SyncProgressView,
  RejectedView,
  AddTenantRequest,
  CaptureRunView,
  ConnectionTestView,
  FailedKindView,
  GraphAppView,
  KindAccessView,
  ManagedTenant,
  SaveGraphAppRequest,
  AddedDestination,
  AttemptRow,
  DeliveryRow,
  DestinationInput,
  DestinationRow,
  PolicyRow,
  RuleRow,
  SilenceRow,
  TestOutcome,
} from "../bindings";

export type {
  AssignmentRow,
  AssignRequest,
  BaselineDetail,
  BaselineItemView,
  BaselineRow,
  CreateBaselineRequest,
  CreatedBaselineView,
  ExportedBaselineView,
  ExportRequest,
  ItemSettingsView,
  RuleKind,
  RuleSpec,
  SetRuleRequest,
  SettingView,
  Severity,
  VariableEntry,
  VersionRow,
  AcceptanceRow,
  AlertRow,
  AlertState,
  AlertView,
  AppInfo,
  Branding,
  CaptureComparison,
  CategoryCounts,
  CaptureView,
  ChangedPolicy,
  CommandError,
  ConsoleFinding,
  CreatePackRequest,
  DecisionAction,
  DecisionOutcome,
  DecisionRequest,
  DiffRow,
  SettingWords,
  DriftByBaseline,
  DueFilter,
  ErrorCode,
  EvidencePackView,
  FindingDetail,
  FindingPage,
  FindingQuery,
  FindingSort,
  FindingView,
  GenerateReportRequest,
  GeneratedReport,
  ImportRequest,
  ImportPreview,
  PickKind,
  PolicyKindOption,
  PreviewFile,
  PreviewImportRequest,
  Job,
  JobKind,
  JobResult,
  JobState,
  PackVerdict,
  PolicyDiff,
  PortfolioCategory,
  PortfolioOverview,
  PortfolioTenant,
  ReportKind,
  ReportLanguage,
  ReportSummary,
  ScorePoint,
  SeverityCounts,
  StartupTiming,
  TenantOverview,
  TenantRow,
  TransitionView,
  TrendPoint,
  UnresolvedId,
  DataDirectory,
  ExportedKey,
  LogoView,
  ReportSettingsView,
  RetiredKey,
  SaveBrandingRequest,
  SaveConnectionRequest,
  SigningKeyView,
  TenantConnectionView,
  TenantConnections,
  ServerConnectionView,
  ServerSignInRequest,
  ServerStatus,
  ServerUser,
  ServerWorkspace,
  SyncView,
  SyncPhase,
  SyncProgressView,
  RejectedView,
  AddTenantRequest,
  CaptureRunView,
  ConnectionTestView,
  FailedKindView,
  GraphAppView,
  KindAccessView,
  ManagedTenant,
  SaveGraphAppRequest,
  AddedDestination,
  AttemptRow,
  DeliveryRow,
  DestinationInput,
  DestinationRow,
  PolicyRow,
  RuleRow,
  SilenceRow,
  TestOutcome,
};

/** Everything the UI may ask of the backend. Implemented over Tauri and by the fake. */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  listTenants(): Promise<TenantRow[]>;
  /** Tells the app its first page shows data (the first call counts, for startup timing). */
  reportInteractive(): Promise<StartupTiming>;
  /** Renders a PDF report, writes it and records it in the database. */
  generateReport(request: GenerateReportRequest): Promise<GeneratedReport>;
  /** Reports recorded in the database, newest first. */
  listReports(): Promise<ReportSummary[]>;
  /** Opens a generated PDF or CSV file with the system's default app. */
  openPath(path: string): Promise<void>;
  /** One window of the portfolio's findings, filtered and sorted. */
  queryFindings(query: FindingQuery): Promise<FindingPage>;
  /** A finding with its history, acceptances and the four-eyes rule. */
  findingDetail(id: string): Promise<FindingDetail>;
  /** Acknowledge, resolve, accept, … one or more findings. */
  decideFindings(request: DecisionRequest): Promise<DecisionOutcome>;
  tenantOverview(tenantId: string): Promise<TenantOverview>;
  /** What changed between two captures of a tenant (`from` the earlier). */
  compareCaptures(from: string, to: string): Promise<CaptureComparison>;
  /** A finding's baseline item next to the tenant's item. */
  policyDiff(findingId: string): Promise<PolicyDiff>;
  /** Starts a background review of one tenant, or of all with `null`. */
  startReview(tenantId: string | null): Promise<Job>;
  /** Running jobs and the last finished ones, newest first. */
  listJobs(): Promise<Job[]>;
  /** One job, to follow its progress. */
  jobStatus(id: string): Promise<Job>;
  /** Asks a running job to stop. */
  cancelJob(id: string): Promise<Job>;
  /** Imports an export folder as a new capture, in the background. */
  importCapture(request: ImportRequest): Promise<Job>;
  /** What an import of a folder would take in, file by file; writes nothing. */
  previewImport(request: PreviewImportRequest): Promise<ImportPreview>;
  /** Opens the system's folder or file picker; the path, or null when cancelled. */
  choosePath(kind: PickKind, title: string): Promise<string | null>;
  /** Calls `listener` with the path of each folder (or file) dropped on the window; returns the unsubscribe. */
  onPathDropped(listener: (path: string) => void): () => void;
  /** Builds a signed evidence pack, in the background. */
  createEvidencePack(request: CreatePackRequest): Promise<Job>;
  /** Packs made on this machine, newest first. */
  listEvidencePacks(tenantId: string | null): Promise<EvidencePackView[]>;
  /** Checks a pack file's hashes, signature and audit chain. */
  verifyEvidencePack(path: string, trustedFingerprint: string | null): Promise<PackVerdict>;
  /** The alerts inbox, newest first. */
  listAlerts(view: AlertView): Promise<AlertRow[]>;
  /** How many alerts are open: the inbox badge. */
  openAlertCount(): Promise<number>;
  /** Acknowledges alerts; resolves to how many changed. */
  acknowledgeAlerts(ids: string[]): Promise<number>;
  /** Snoozes alerts for some hours or until a time (RFC 3339). */
  snoozeAlerts(ids: string[], hours: number | null, until: string | null): Promise<number>;
  /** Where alerts go besides the inbox (never their URLs or secrets). */
  listDestinations(): Promise<DestinationRow[]>;
  /** Adds a destination (admins only); a webhook's signing secret comes back this once. */
  addDestination(input: DestinationInput): Promise<AddedDestination>;
  /** Sends a test alert to a destination now. */
  testDestination(name: string): Promise<TestOutcome>;
  setDestinationEnabled(name: string, enabled: boolean): Promise<DestinationRow>;
  removeDestination(name: string): Promise<void>;
  /** The delivery log, newest first: all, or one state ("dead": the dead letters). */
  listDeliveries(state: string | null): Promise<DeliveryRow[]>;
  deliveryAttempts(id: string): Promise<AttemptRow[]>;
  /** Puts a dead letter back in the outbox. */
  replayDelivery(id: string): Promise<DeliveryRow>;
  /** Silences, active first. */
  listSilences(): Promise<SilenceRow[]>;
  addSilence(ruleId: string | null, tenantId: string | null, hours: number, comment: string): Promise<void>;
  expireSilence(id: string): Promise<void>;
  listEscalationPolicies(): Promise<PolicyRow[]>;
  /** Alert rules with their routes and escalation policies. */
  listAlertRules(): Promise<RuleRow[]>;
  /**
   * A new rule (admins): `when` as `new-findings:high`, `cooldown` as `1h`; it watches
   * tenants with one of `tags` (none: every tenant) except the `except` tenant ids.
   */
  addAlertRule(
    name: string,
    when: string,
    cooldown: string,
    tags: string[],
    except: string[],
  ): Promise<void>;
  /**
   * Which tenants a rule watches (admins): only `tenants` (ids; none: every tenant),
   * only those with one of `tags`, never the `except` tenant ids.
   */
  setAlertRuleTenants(
    rule: string,
    tenants: string[],
    tags: string[],
    except: string[],
  ): Promise<void>;
  setAlertRuleEnabled(rule: string, enabled: boolean): Promise<void>;
  removeAlertRule(rule: string): Promise<void>;
  /** Sends a rule's alerts to a destination, or stops it. */
  routeAlertRule(rule: string, destination: string, on: boolean): Promise<void>;
  setRulePolicy(rule: string, policy: string | null): Promise<void>;
  /** A new escalation policy: steps as `15m:on-call`. */
  addEscalationPolicy(
    name: string,
    steps: string[],
    repeats: number,
    repeatAfter: string,
  ): Promise<PolicyRow>;
  removeEscalationPolicy(name: string): Promise<void>;
  /** Every tenant with its score, trend, open findings and baselines (the Portfolio). */
  portfolioOverview(): Promise<PortfolioOverview>;
  /** Report branding and the default report language, as saved. */
  reportSettings(): Promise<ReportSettingsView>;
  /** Saves the branding; a logo path is read, checked as a PNG and stored as bytes. */
  saveBranding(request: SaveBrandingRequest): Promise<ReportSettingsView>;
  setReportLanguage(language: ReportLanguage): Promise<ReportSettingsView>;
  /** Every tenant's Graph connection, and which keychain holds the secrets. */
  tenantConnections(): Promise<TenantConnections>;
  saveTenantConnection(request: SaveConnectionRequest): Promise<TenantConnectionView>;
  /** Stores (or replaces) a tenant's client secret in the OS keychain. */
  setTenantSecret(tenantId: string, secret: string): Promise<TenantConnectionView>;
  removeTenantSecret(tenantId: string): Promise<TenantConnectionView>;
  /** The workspace's evidence-signing key (created on first view). */
  signingKey(): Promise<SigningKeyView>;
  /** Writes the public key as PEM; relative paths go to the evidence folder. */
  exportPublicKey(path: string): Promise<ExportedKey>;
  /** Makes a new signing key; the old one is retired (its packs still verify). */
  rotateSigningKey(): Promise<SigningKeyView>;
  /** Where the database and its folders are, and its size. */
  dataDirectory(): Promise<DataDirectory>;
  /** The Plumbline server this computer is signed in to, if any, as last checked. */
  serverConnection(): Promise<ServerConnectionView>;
  /** Signs in once; the device token goes to the OS keychain, never to the database. */
  signInToServer(request: ServerSignInRequest): Promise<ServerConnectionView>;
  /** Asks the server who this device's token is; a failure resolves as `failed`. */
  checkServerConnection(): Promise<ServerConnectionView>;
  /** Revokes this device's token on the server and removes it from the keychain. */
  signOutOfServer(): Promise<ServerConnectionView>;
  /** Team sync as the top bar shows it: last sync, pending, refused, errors, progress. */
  syncStatus(): Promise<SyncView>;
  /** Syncs now (resumes a cancelled first sync). */
  syncNow(): Promise<SyncView>;
  /** Cancels the sync under way; a first sync pauses until Sync now. */
  cancelSync(): Promise<SyncView>;
  /** Changes the server refused, with the reason, newest first. */
  rejectedChanges(): Promise<RejectedView[]>;
  /** Every baseline, by name. */
  listBaselines(): Promise<BaselineRow[]>;
  /** A baseline's versions (newest first) and assignments. */
  baselineDetail(baselineId: string): Promise<BaselineDetail>;
  /** The items of one baseline version. */
  baselineItems(versionId: string): Promise<BaselineItemView[]>;
  /** One item's settings by readable label, with their rules and severities. */
  baselineItem(itemId: string): Promise<ItemSettingsView>;
  /** Sets a setting's rule in a draft; refused (conflict) for a published version. */
  setBaselineRule(request: SetRuleRequest): Promise<ItemSettingsView>;
  /** Removes a setting's rule in a draft: it is judged `exact` again. */
  removeBaselineRule(itemId: string, path: string): Promise<ItemSettingsView>;
  /** Changes a draft item's default severity. */
  setBaselineItemSeverity(itemId: string, severity: Severity): Promise<ItemSettingsView>;
  /** A new draft copied from the latest published version; resolves to its number. */
  startBaselineDraft(baselineId: string): Promise<number>;
  /** Publishes the draft (it becomes immutable); resolves to its number. */
  publishBaseline(baselineId: string): Promise<number>;
  /** A baseline (or a new draft of one) from a tenant's latest capture or a folder. */
  createBaseline(request: CreateBaselineRequest): Promise<CreatedBaselineView>;
  /** The kinds of policy Plumbline compares (for forms that name kinds). */
  listPolicyKinds(): Promise<PolicyKindOption[]>;
  /** Assigns a baseline to tenants with variables and an optional pinned version. */
  assignBaseline(request: AssignRequest): Promise<BaselineDetail>;
  unassignBaseline(baselineId: string, tenantId: string): Promise<BaselineDetail>;
  /** Writes a version to a folder of files; resolves to the files written. */
  exportBaseline(request: ExportRequest): Promise<ExportedBaselineView>;
  /** The MSP's Graph app on this device, when one was saved. */
  graphApp(): Promise<GraphAppView | null>;
  /** Saves the Graph app; a non-empty secret goes to the OS keychain only. */
  saveGraphApp(request: SaveGraphAppRequest): Promise<GraphAppView>;
  /** Every tenant with its connection, schedule and last capture run. */
  managedTenants(): Promise<ManagedTenant[]>;
  /** Adds a tenant by domain (its tenant id looked up) or Entra tenant id. */
  addTenant(request: AddTenantRequest): Promise<ManagedTenant>;
  /** Signs in as the tenant's app and says which kinds can be read, and what to fix. */
  testTenantConnection(tenantId: string): Promise<ConnectionTestView>;
  /** Captures tenants from Graph now, as one job. */
  captureTenants(tenantIds: string[]): Promise<Job>;
  /** Sets a tenant's cadence in minutes (`null`: only when asked). */
  setCaptureCadence(tenantId: string, cadenceMinutes: number | null): Promise<ManagedTenant>;
  /** Puts a parked tenant back on its schedule. */
  resumeCapture(tenantId: string): Promise<ManagedTenant>;
  /** Replaces a tenant's tags (trimmed, repeats dropped; they sync to the team). */
  setTenantTags(tenantId: string, tags: string[]): Promise<ManagedTenant>;
  /** A tenant's capture runs, newest first. */
  captureRuns(tenantId: string): Promise<CaptureRunView[]>;
}

// A record, not a list, so that a code added on the Rust side fails `tsc` here until it
// is listed: the UI must never take an unknown code for a known one.
const ERROR_CODES: Record<ErrorCode, true> = {
  not_found: true,
  invalid_input: true,
  conflict: true,
  database: true,
  io: true,
  internal: true,
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return isErrorCode(candidate.code) && typeof candidate.message === "string";
}

/**
 * A failed backend call. `code` is what the UI switches on; `message` is shown to the
 * user as is, so the backend writes it to say what to do next.
 */
export class BackendError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackendError";
    this.code = code;
  }

  /**
   * Normalises whatever a failed call produced. A command's own error arrives as
   * `{ code, message }`; Tauri itself rejects with a plain string (unknown command,
   * permission denied, bad arguments) or an `Error`; both become `internal`.
   */
  static from(value: unknown): BackendError {
    if (value instanceof BackendError) return value;
    if (isCommandError(value)) return new BackendError(value.code, value.message);
    if (value instanceof Error) {
      return new BackendError("internal", value.message, { cause: value });
    }
    if (typeof value === "string" && value.length > 0) {
      return new BackendError("internal", value);
    }
    return new BackendError("internal", "The backend failed without saying why.", {
      cause: value,
    });
  }
}
