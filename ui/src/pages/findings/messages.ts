// The findings area's texts: the table, its filters and saved views, the detail pane,
// the risk dialog, and the words for severities, states and sources (labels.tsx).

import type { DecisionAction } from "../../backend";
import { defineMessages } from "../../i18n";
import { formatCount, formatNumber } from "../../format";

const en = {
  // labels.tsx
  severity: { critical: "Critical", high: "High", medium: "Medium", low: "Low" },
  status: {
    open: "Open",
    acknowledged: "Acknowledged",
    risk_accepted: "Risk accepted",
    resolved: "Resolved",
    false_positive: "False positive",
  },
  kind: {
    drift: "Drift from baseline",
    lint: "Lint rule",
    history: "Change between captures",
  },
  due: {
    any: "Any due date",
    overdue: "Overdue",
    next_seven_days: "Due in 7 days",
    later: "Due later",
  },
  sort: { severity: "Severity", due: "Due date", tenant: "Tenant", last_seen: "Last seen" },
  notSet: "not set",

  // Findings.tsx
  title: "Findings",
  description: "Every deviation across the portfolio. Press ? for keyboard shortcuts.",
  filterFindings: "Filter findings",
  searchPlaceholder: "Search title, policy, setting, tenant",
  searchFindings: "Search findings",
  filters: {
    tenant: "Tenant",
    severity: "Severity",
    status: "Status",
    kind: "Kind",
    baseline: "Baseline",
    due: "Due",
    sortBy: "Sort by",
  },
  /** A menu button: "Severity: all", "Severity: Critical, High". */
  filterChoice: (label: string, names: readonly string[]) =>
    `${label}: ${names.length === 0 ? "all" : names.join(", ")}`,
  sortChoice: (name: string) => `Sort: ${name}`,
  resetFilters: "Reset filters",
  keyboardShortcuts: "Keyboard shortcuts",
  loadingFindings: "Loading findings…",
  matchedOf: (matched: number, total: number) =>
    `${formatNumber(matched)} of ${formatCount(total, "finding")}`,
  severityCounts: (c: { critical: number; high: number; medium: number; low: number }) =>
    `${formatNumber(c.critical)} critical · ${formatNumber(c.high)} high · ` +
    `${formatNumber(c.medium)} medium · ${formatNumber(c.low)} low`,
  selectedCount: (n: number) => `${formatNumber(n)} selected`,
  clearSelection: "Clear selection",
  dismiss: "Dismiss",
  couldNotLoad: (message: string, code: string) =>
    `Couldn't load the findings: ${message} (code: ${code})`,
  retry: "Retry",
  /** The empty state, around the command `plumbline review`. */
  emptyBefore:
    "No findings yet. Findings appear after a review: open a tenant and choose Review now, or run ",
  emptyAfter: ".",
  noMatch: "No finding matches these filters. Reset the filters to see every finding.",
  close: "Close",
  shortcuts: {
    next: "Next finding",
    previous: "Previous finding",
    open: "Open the finding's details",
    select: "Select or unselect the finding",
    acknowledge: "Acknowledge the selected findings (or the current one)",
    resolve: "Resolve the selected findings (or the current one)",
    acceptRisk: "Accept the risk of the selected findings (or the current one)",
    search: "Search",
    closeDetails: "Close the details",
    help: "Show these shortcuts",
  },
  /** What a decision did, after the count: "2 findings acknowledged". */
  decided: {
    acknowledge: "acknowledged",
    resolve: "resolved",
    accept_risk: "accepted as a risk",
    false_positive: "marked false positive",
    reopen: "re-opened",
  } satisfies Record<DecisionAction, string>,
  decisionDone: (count: number, verb: string) => `${formatCount(count, "finding")} ${verb}`,
  decisionFailed: (count: number, first: string) =>
    `${formatCount(count, "finding")} not: ${first}`,

  // FindingDetailPane.tsx
  actions: {
    acknowledge: "Acknowledge",
    resolve: "Resolve",
    accept_risk: "Accept risk…",
    false_positive: "False positive",
    reopen: "Re-open",
  } satisfies Record<DecisionAction, string>,
  findingDetails: "Finding details",
  loadingFinding: "Loading the finding…",
  closeDetails: "Close details",
  notAssessed: "Not assessed in the latest capture",
  facts: {
    tenant: "Tenant",
    kind: "Kind",
    baseline: "Baseline",
    rule: "Rule",
    policy: "Policy",
    setting: "Setting",
    expected: "Expected",
    actual: "Actual",
    due: "Due",
    acceptedUntil: "Accepted until",
    firstSeen: "First seen",
    lastSeen: "Last seen",
    reopened: "Re-opened",
  },
  reopenTimes: (n: number) => `${n} times`,
  compareWithBaseline: "Compare the policy with the baseline",
  history: "History",
  riskAcceptances: "Risk acceptances",
  acceptanceValue: (value: string, by: string) => `Value ${value} · by ${by}`,
  acceptanceApprovedBy: (approver: string) => `, approved by ${approver}`,
  acceptanceUntil: (date: string) => ` · until ${date}`,
  acceptanceLapsed: (date: string, reason: string) => ` · lapsed ${date} (${reason})`,
  superseded: (who: string, status: string, at: string) =>
    `Superseded by ${who} (${status}) at ${at} UTC: both decided without seeing the other`,

  // FindingsTable.tsx
  columns: {
    selected: "Selected",
    severity: "Severity",
    status: "Status",
    finding: "Finding",
    tenant: "Tenant",
    where: "Policy · setting",
    kind: "Kind",
    due: "Due",
  },
  selectFinding: (title: string) => `Select ${title}`,
  loading: "Loading…",

  // RiskDialog.tsx
  riskTitle: (count: number) =>
    count === 1 ? "Accept the risk" : `Accept the risk of ${count} findings`,
  acceptedValue: "Accepted value",
  eachCurrentValue: "Each finding's current value. The acceptance lapses when it changes.",
  justification: "Justification",
  expiresOn: "Expires on",
  expiresOnHint: "The finding re-opens after this day.",
  approver: "Approver",
  approverHint: "Four eyes: a second person approves risk acceptances.",
  needJustification: "Write a justification: why is this risk acceptable until the expiry?",
  needExpiry: "Choose the date the acceptance expires.",
  expiryInPast: "The acceptance must expire in the future: choose a later date.",
  needApprover: (actor: string | undefined) =>
    `This workspace requires a second person to approve risk acceptances: enter their name (not ${actor ?? "yours"}).`,
  cancel: "Cancel",
  acceptRisk: "Accept risk",

  // SavedViews.tsx, savedViews.ts
  views: "Views",
  savedViews: "Saved views",
  builtInViews: "Built-in views",
  yourViews: "Your views",
  noViews: "None yet: set the filters, then save them under a name below.",
  deleteView: (name: string) => `Delete “${name}”`,
  saveAs: "Save the current filters as",
  viewNamePlaceholder: "e.g. Contoso, open high",
  save: "Save",
  builtIn: {
    overdue: "Overdue critical and high",
    waiting: "Waiting for a decision",
    accepted: "Accepted risks",
  },
  nameMissing: "Give the view a name.",
  nameTooLong: "Keep the name under 60 characters.",
  nameBuiltIn: "A built-in view has that name: choose another.",
};

export type FindingMessages = typeof en;

export const messages = defineMessages(en, {
  severity: { critical: "Kritisch", high: "Hoch", medium: "Mittel", low: "Niedrig" },
  status: {
    open: "Offen",
    acknowledged: "Zur Kenntnis genommen",
    risk_accepted: "Risiko akzeptiert",
    resolved: "Behoben",
    false_positive: "Falsch positiv",
  },
  kind: {
    drift: "Abweichung von der Baseline",
    lint: "Lint-Regel",
    history: "Änderung zwischen Erfassungen",
  },
  due: {
    any: "Beliebiges Fälligkeitsdatum",
    overdue: "Überfällig",
    next_seven_days: "In 7 Tagen fällig",
    later: "Später fällig",
  },
  sort: {
    severity: "Schweregrad",
    due: "Fälligkeitsdatum",
    tenant: "Mandant",
    last_seen: "Zuletzt gesehen",
  },
  notSet: "nicht festgelegt",

  title: "Befunde",
  description:
    "Jede Abweichung im gesamten Portfolio. Drücken Sie ?, um die Tastenkombinationen anzuzeigen.",
  filterFindings: "Befunde filtern",
  searchPlaceholder: "Titel, Richtlinie, Einstellung, Mandant suchen",
  searchFindings: "Befunde durchsuchen",
  filters: {
    tenant: "Mandant",
    severity: "Schweregrad",
    status: "Status",
    kind: "Art",
    baseline: "Baseline",
    due: "Fällig",
    sortBy: "Sortieren nach",
  },
  filterChoice: (label, names) => `${label}: ${names.length === 0 ? "alle" : names.join(", ")}`,
  sortChoice: (name) => `Sortierung: ${name}`,
  resetFilters: "Filter zurücksetzen",
  keyboardShortcuts: "Tastenkombinationen",
  loadingFindings: "Befunde werden geladen…",
  matchedOf: (matched, total) =>
    `${formatNumber(matched)} von ${formatCount(total, "Befund", "Befunden")}`,
  severityCounts: (c) =>
    `${formatNumber(c.critical)} kritisch · ${formatNumber(c.high)} hoch · ` +
    `${formatNumber(c.medium)} mittel · ${formatNumber(c.low)} niedrig`,
  selectedCount: (n) => `${formatNumber(n)} ausgewählt`,
  clearSelection: "Auswahl aufheben",
  dismiss: "Schließen",
  couldNotLoad: (message, code) =>
    `Die Befunde konnten nicht geladen werden: ${message} (Code: ${code})`,
  retry: "Erneut versuchen",
  emptyBefore:
    "Noch keine Befunde. Befunde erscheinen nach einer Prüfung: Öffnen Sie einen Mandanten und wählen Sie „Jetzt prüfen“, oder führen Sie ",
  emptyAfter: " aus.",
  noMatch:
    "Kein Befund entspricht diesen Filtern. Setzen Sie die Filter zurück, um alle Befunde zu sehen.",
  close: "Schließen",
  shortcuts: {
    next: "Nächster Befund",
    previous: "Vorheriger Befund",
    open: "Details des Befunds öffnen",
    select: "Befund auswählen oder Auswahl aufheben",
    acknowledge: "Ausgewählte Befunde bestätigen (oder den aktuellen)",
    resolve: "Ausgewählte Befunde als behoben markieren (oder den aktuellen)",
    acceptRisk: "Risiko der ausgewählten Befunde akzeptieren (oder des aktuellen)",
    search: "Suchen",
    closeDetails: "Details schließen",
    help: "Diese Tastenkombinationen anzeigen",
  },
  decided: {
    acknowledge: "bestätigt",
    resolve: "als behoben markiert",
    accept_risk: "als Risiko akzeptiert",
    false_positive: "als falsch positiv markiert",
    reopen: "erneut geöffnet",
  },
  decisionDone: (count, verb) => `${formatCount(count, "Befund", "Befunde")} ${verb}`,
  decisionFailed: (count, first) => `${formatCount(count, "Befund", "Befunde")} nicht: ${first}`,

  actions: {
    acknowledge: "Bestätigen",
    resolve: "Als behoben markieren",
    accept_risk: "Risiko akzeptieren…",
    false_positive: "Falsch positiv",
    reopen: "Erneut öffnen",
  },
  findingDetails: "Details des Befunds",
  loadingFinding: "Befund wird geladen…",
  closeDetails: "Details schließen",
  notAssessed: "In der letzten Erfassung nicht bewertet",
  facts: {
    tenant: "Mandant",
    kind: "Art",
    baseline: "Baseline",
    rule: "Regel",
    policy: "Richtlinie",
    setting: "Einstellung",
    expected: "Erwartet",
    actual: "Tatsächlich",
    due: "Fällig",
    acceptedUntil: "Akzeptiert bis",
    firstSeen: "Zuerst gesehen",
    lastSeen: "Zuletzt gesehen",
    reopened: "Erneut geöffnet",
  },
  reopenTimes: (n) => `${formatNumber(n)}-mal`,
  compareWithBaseline: "Richtlinie mit der Baseline vergleichen",
  history: "Verlauf",
  riskAcceptances: "Risikoakzeptanzen",
  acceptanceValue: (value, by) => `Wert ${value} · von ${by}`,
  acceptanceApprovedBy: (approver) => `, genehmigt von ${approver}`,
  acceptanceUntil: (date) => ` · bis ${date}`,
  acceptanceLapsed: (date, reason) => ` · abgelaufen am ${date} (${reason})`,
  superseded: (who, status, at) =>
    `Ersetzt durch ${who} (${status}) am ${at} UTC: beide entschieden, ohne die andere Entscheidung zu sehen`,

  columns: {
    selected: "Ausgewählt",
    severity: "Schweregrad",
    status: "Status",
    finding: "Befund",
    tenant: "Mandant",
    where: "Richtlinie · Einstellung",
    kind: "Art",
    due: "Fällig",
  },
  selectFinding: (title) => `${title} auswählen`,
  loading: "Wird geladen…",

  riskTitle: (count) =>
    count === 1 ? "Risiko akzeptieren" : `Risiko von ${formatNumber(count)} Befunden akzeptieren`,
  acceptedValue: "Akzeptierter Wert",
  eachCurrentValue:
    "Der aktuelle Wert jedes Befunds. Die Akzeptanz läuft ab, sobald er sich ändert.",
  justification: "Begründung",
  expiresOn: "Ablaufdatum",
  expiresOnHint: "Der Befund wird nach diesem Tag erneut geöffnet.",
  approver: "Genehmigende Person",
  approverHint: "Vier-Augen-Prinzip: Eine zweite Person genehmigt Risikoakzeptanzen.",
  needJustification:
    "Geben Sie eine Begründung ein: Warum ist dieses Risiko bis zum Ablaufdatum akzeptabel?",
  needExpiry: "Wählen Sie das Datum, an dem die Akzeptanz abläuft.",
  expiryInPast: "Die Akzeptanz muss in der Zukunft ablaufen: Wählen Sie ein späteres Datum.",
  needApprover: (actor) =>
    `Dieser Arbeitsbereich verlangt, dass eine zweite Person Risikoakzeptanzen genehmigt: Geben Sie deren Namen ein (nicht ${actor ?? "Ihren eigenen"}).`,
  cancel: "Abbrechen",
  acceptRisk: "Risiko akzeptieren",

  views: "Ansichten",
  savedViews: "Gespeicherte Ansichten",
  builtInViews: "Integrierte Ansichten",
  yourViews: "Ihre Ansichten",
  noViews: "Noch keine: Legen Sie die Filter fest und speichern Sie sie unten unter einem Namen.",
  deleteView: (name) => `„${name}“ löschen`,
  saveAs: "Aktuelle Filter speichern als",
  viewNamePlaceholder: "z. B. Contoso, offen hoch",
  save: "Speichern",
  builtIn: {
    overdue: "Überfällig, kritisch und hoch",
    waiting: "Warten auf eine Entscheidung",
    accepted: "Akzeptierte Risiken",
  },
  nameMissing: "Geben Sie der Ansicht einen Namen.",
  nameTooLong: "Der Name darf höchstens 60 Zeichen lang sein.",
  nameBuiltIn: "Eine integrierte Ansicht hat diesen Namen: Wählen Sie einen anderen.",
});
