// The Backend over Tauri IPC. It only adapts the generated `commands` (which resolve to
// a status-tagged result) to promises that reject with a BackendError.

import { getCurrentWebview } from "@tauri-apps/api/webview";
import { commands } from "../bindings";
import { BackendError, type Backend } from "./types";

type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

async function unwrap<T>(call: () => Promise<CommandResult<T>>): Promise<T> {
  let result: CommandResult<T>;
  try {
    result = await call();
  } catch (thrown) {
    // The generated wrapper rethrows `Error` instances (IPC failures) instead of
    // returning them as a result.
    throw BackendError.from(thrown);
  }
  if (result.status === "ok") return result.data;
  throw BackendError.from(result.error);
}

export function createTauriBackend(): Backend {
  return {
    appInfo: () => unwrap(commands.appInfo),
    listTenants: () => unwrap(commands.listTenants),
    reportInteractive: () => unwrap(commands.reportInteractive),
    generateReport: (request) => unwrap(() => commands.generateReport(request)),
    listReports: () => unwrap(commands.listReports),
    openPath: async (path) => {
      await unwrap(() => commands.openPath(path));
    },
    queryFindings: (query) => unwrap(() => commands.queryFindings(query)),
    findingDetail: (id) => unwrap(() => commands.findingDetail(id)),
    decideFindings: (request) => unwrap(() => commands.decideFindings(request)),
    tenantOverview: (tenantId) => unwrap(() => commands.tenantOverview(tenantId)),
    compareCaptures: (from, to) => unwrap(() => commands.compareCaptures(from, to)),
    policyDiff: (findingId) => unwrap(() => commands.policyDiff(findingId)),
    startReview: (tenantId) => unwrap(() => commands.startReview(tenantId)),
    listJobs: () => unwrap(commands.listJobs),
    jobStatus: (id) => unwrap(() => commands.jobStatus(id)),
    cancelJob: (id) => unwrap(() => commands.cancelJob(id)),
    importCapture: (request) => unwrap(() => commands.importCapture(request)),
    previewImport: (request) => unwrap(() => commands.previewImport(request)),
    choosePath: (kind, title) => unwrap(() => commands.choosePath(kind, title)),
    onPathDropped: (listener) => {
      let stop: (() => void) | null = null;
      let stopped = false;
      void getCurrentWebview()
        .onDragDropEvent((event) => {
          if (event.payload.type === "drop" && event.payload.paths.length > 0) {
            listener(event.payload.paths[0]);
          }
        })
        .then((unlisten) => {
          if (stopped) unlisten();
          else stop = unlisten;
        });
      return () => {
        stopped = true;
        stop?.();
      };
    },
    createEvidencePack: (request) => unwrap(() => commands.createEvidencePack(request)),
    listEvidencePacks: (tenantId) => unwrap(() => commands.listEvidencePacks(tenantId)),
    verifyEvidencePack: (path, fingerprint) =>
      unwrap(() => commands.verifyEvidencePack(path, fingerprint)),
    listAlerts: (view) => unwrap(() => commands.listAlerts(view)),
    openAlertCount: () => unwrap(() => commands.openAlertCount()),
    acknowledgeAlerts: (ids) => unwrap(() => commands.acknowledgeAlerts(ids)),
    snoozeAlerts: (ids, hours, until) => unwrap(() => commands.snoozeAlerts(ids, hours, until)),
    listDestinations: () => unwrap(commands.listDestinations),
    addDestination: (input) => unwrap(() => commands.addDestination(input)),
    testDestination: (name) => unwrap(() => commands.testDestination(name)),
    setDestinationEnabled: (name, enabled) =>
      unwrap(() => commands.setDestinationEnabled(name, enabled)),
    removeDestination: async (name) => {
      await unwrap(() => commands.removeDestination(name));
    },
    listDeliveries: (state) => unwrap(() => commands.listDeliveries(state)),
    deliveryAttempts: (id) => unwrap(() => commands.deliveryAttempts(id)),
    replayDelivery: (id) => unwrap(() => commands.replayDelivery(id)),
    listSilences: () => unwrap(commands.listSilences),
    addSilence: async (ruleId, tenantId, hours, comment) => {
      await unwrap(() => commands.addSilence(ruleId, tenantId, hours, comment));
    },
    expireSilence: async (id) => {
      await unwrap(() => commands.expireSilence(id));
    },
    listEscalationPolicies: () => unwrap(commands.listEscalationPolicies),
    listAlertRules: () => unwrap(commands.listAlertRules),
    setAlertRuleTenants: async (rule, tenants, tags, except) => {
      await unwrap(() => commands.setAlertRuleTenants(rule, tenants, tags, except));
    },
    addAlertRule: async (name, when, cooldown, tags, except) => {
      await unwrap(() => commands.addAlertRule(name, when, cooldown, tags, except));
    },
    setAlertRuleEnabled: async (rule, enabled) => {
      await unwrap(() => commands.setAlertRuleEnabled(rule, enabled));
    },
    removeAlertRule: async (rule) => {
      await unwrap(() => commands.removeAlertRule(rule));
    },
    routeAlertRule: async (rule, destination, on) => {
      await unwrap(() => commands.routeAlertRule(rule, destination, on));
    },
    setRulePolicy: async (rule, policy) => {
      await unwrap(() => commands.setRulePolicy(rule, policy));
    },
    addEscalationPolicy: (name, steps, repeats, repeatAfter) =>
      unwrap(() => commands.addEscalationPolicy(name, steps, repeats, repeatAfter)),
    removeEscalationPolicy: async (name) => {
      await unwrap(() => commands.removeEscalationPolicy(name));
    },
    portfolioOverview: () => unwrap(commands.portfolioOverview),
    reportSettings: () => unwrap(commands.reportSettings),
    saveBranding: (request) => unwrap(() => commands.saveBranding(request)),
    setReportLanguage: (language) => unwrap(() => commands.setReportLanguage(language)),
    tenantConnections: () => unwrap(commands.tenantConnections),
    saveTenantConnection: (request) => unwrap(() => commands.saveTenantConnection(request)),
    setTenantSecret: (tenantId, secret) => unwrap(() => commands.setTenantSecret(tenantId, secret)),
    removeTenantSecret: (tenantId) => unwrap(() => commands.removeTenantSecret(tenantId)),
    signingKey: () => unwrap(commands.signingKey),
    exportPublicKey: (path) => unwrap(() => commands.exportPublicKey(path)),
    rotateSigningKey: () => unwrap(commands.rotateSigningKey),
    dataDirectory: () => unwrap(commands.dataDirectory),
    serverConnection: () => unwrap(commands.serverConnection),
    signInToServer: (request) => unwrap(() => commands.signInToServer(request)),
    checkServerConnection: () => unwrap(commands.checkServerConnection),
    signOutOfServer: () => unwrap(commands.signOutOfServer),
    syncStatus: () => unwrap(commands.syncStatus),
    syncNow: () => unwrap(commands.syncNow),
    cancelSync: () => unwrap(commands.cancelSync),
    rejectedChanges: () => unwrap(commands.rejectedChanges),
    listBaselines: () => unwrap(commands.listBaselines),
    baselineDetail: (baselineId) => unwrap(() => commands.baselineDetail(baselineId)),
    baselineItems: (versionId) => unwrap(() => commands.baselineItems(versionId)),
    baselineItem: (itemId) => unwrap(() => commands.baselineItem(itemId)),
    setBaselineRule: (request) => unwrap(() => commands.setBaselineRule(request)),
    removeBaselineRule: (itemId, path) => unwrap(() => commands.removeBaselineRule(itemId, path)),
    setBaselineItemSeverity: (itemId, severity) =>
      unwrap(() => commands.setBaselineItemSeverity(itemId, severity)),
    startBaselineDraft: (baselineId) => unwrap(() => commands.startBaselineDraft(baselineId)),
    publishBaseline: (baselineId) => unwrap(() => commands.publishBaseline(baselineId)),
    createBaseline: (request) => unwrap(() => commands.createBaseline(request)),
    listPolicyKinds: () => unwrap(commands.listPolicyKinds),
    assignBaseline: (request) => unwrap(() => commands.assignBaseline(request)),
    unassignBaseline: (baselineId, tenantId) =>
      unwrap(() => commands.unassignBaseline(baselineId, tenantId)),
    exportBaseline: (request) => unwrap(() => commands.exportBaseline(request)),
    graphApp: () => unwrap(commands.graphApp),
    saveGraphApp: (request) => unwrap(() => commands.saveGraphApp(request)),
    managedTenants: () => unwrap(commands.managedTenants),
    addTenant: (request) => unwrap(() => commands.addTenant(request)),
    testTenantConnection: (tenantId) => unwrap(() => commands.testTenantConnection(tenantId)),
    captureTenants: (tenantIds) => unwrap(() => commands.captureTenants(tenantIds)),
    setCaptureCadence: (tenantId, cadenceMinutes) =>
      unwrap(() => commands.setCaptureCadence(tenantId, cadenceMinutes)),
    resumeCapture: (tenantId) => unwrap(() => commands.resumeCapture(tenantId)),
    setTenantTags: (tenantId, tags) => unwrap(() => commands.setTenantTags(tenantId, tags)),
    captureRuns: (tenantId) => unwrap(() => commands.captureRuns(tenantId)),
  };
}
