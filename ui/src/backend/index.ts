// The one entry point for talking to the Rust side. Components import from here and
// never from `../bindings` or `@tauri-apps/api` directly.

import { createSampleBackend } from "./sample";
import { createTauriBackend } from "./tauri";
import type { Backend } from "./types";

export { BackendProvider, useBackend, useIsSampleData } from "./context";
export { BackendError } from "./types";
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
  AddedDestination,
  AttemptRow,
  DeliveryRow,
  DestinationInput,
  DestinationRow,
  PolicyRow,
  RuleRow,
  SilenceRow,
  TestOutcome,
  CreatePackRequest,
  EvidencePackView,
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
  CaptureComparison,
  CaptureView,
  ChangedPolicy,
  ConsoleFinding,
  DecisionAction,
  DecisionOutcome,
  DecisionRequest,
  DiffRow,
  SettingWords,
  DriftByBaseline,
  DueFilter,
  FindingDetail,
  FindingPage,
  FindingQuery,
  FindingSort,
  FindingView,
  PolicyDiff,
  PortfolioCategory,
  PortfolioOverview,
  PortfolioTenant,
  CategoryCounts,
  TrendPoint,
  ScorePoint,
  SeverityCounts,
  StartupTiming,
  TenantOverview,
  TransitionView,
  UnresolvedId,
  AppInfo,
  Backend,
  Branding,
  ErrorCode,
  GeneratedReport,
  GenerateReportRequest,
  ReportKind,
  ReportLanguage,
  ReportSummary,
  TenantRow,
  DataDirectory,
  ExportedKey,
  LogoView,
  ReportSettingsView,
  ServerConnectionView,
  SyncView,
  SyncPhase,
  SyncProgressView,
  RejectedView,
  ServerSignInRequest,
  RetiredKey,
  SaveBrandingRequest,
  SaveConnectionRequest,
  SigningKeyView,
  TenantConnectionView,
  TenantConnections,
  AddTenantRequest,
  CaptureRunView,
  ConnectionTestView,
  FailedKindView,
  GraphAppView,
  KindAccessView,
  ManagedTenant,
  SaveGraphAppRequest,
} from "./types";

/** True inside the Tauri webview, where the IPC bridge is installed on `window`. */
export function isInsideTauri(target: object = window): boolean {
  return "__TAURI_INTERNALS__" in target;
}

export interface BackendChoice {
  backend: Backend;
  isSampleData: boolean;
}

/** The real backend in the desktop app; sample data when opened in a plain browser. */
export function createDefaultBackend(): BackendChoice {
  if (isInsideTauri()) return { backend: createTauriBackend(), isSampleData: false };
  return { backend: createSampleBackend(), isSampleData: true };
}
