// The Baselines screens' texts: the list, one baseline's page, its versions, items,
// settings and rules, assignments and the dialogs. Names, paths, values and messages that
// come from the backend stay as they come.

import type { RuleKind } from "../../backend";
import { formatCount, formatNumber } from "../../format";
import { defineMessages } from "../../i18n";

const en = {
  // Shared
  cancel: "Cancel",
  close: "Close",
  save: "Save",
  name: "Name",
  tenant: "Tenant",
  tenants: "Tenants",
  version: "Version",
  status: "Status",
  folder: "Folder",
  items: "Items",
  published: "Published",
  draft: "Draft",
  actions: "Actions",
  severity: "Severity",
  variable: "Variable",
  variables: "Variables",
  loadingTenants: "Loading tenants…",
  couldNotLoadTenants: "Couldn't load the tenants",
  noSpacesInVariable: "Variable names have no spaces: use letters, digits, - or _.",
  /** A version's status as a badge. */
  versionStatus: {
    draft: "Draft",
    published: "Published",
    retired: "Retired",
  } as Record<string, string>,
  /** "v2 (published)": a version with its status inside running text. */
  versionWithStatus: (version: number, status: string) => `v${version} (${status})`,
  publishVersion: (version: number) => `Publish v${version}`,

  // The list
  title: "Baselines",
  descriptionBefore:
    "Golden masters: versioned sets of expected settings with a rule and severity per setting, assigned to tenants. The same from ",
  descriptionAfter: ".",
  newBaseline: "New baseline",
  loadingBaselines: "Loading baselines…",
  couldNotLoadBaselines: "Couldn't load the baselines",
  emptyTitle: "No baselines yet",
  emptyBody:
    "A baseline is your golden master: the settings every assigned tenant should have. Make the first one from a well-configured tenant's latest capture, or from a folder of exported policies or an exported baseline.",
  notYet: "Not yet",
  noDraft: "None",
  noTenants: "None",

  // One baseline
  allBaselines: "All baselines",
  baselineTitle: "Baseline",
  loadingBaseline: "Loading the baseline…",
  couldNotLoadBaseline: "Couldn't load the baseline",
  couldNotReadAgain: "Couldn't read the baseline again after the change",
  couldNotStartDraft: "Couldn't start a draft",
  startDraft: "Start a new draft",
  exportToFolder: "Export to folder…",
  versions: "Versions",
  created: "Created",
  retired: "Retired",
  /** Between a version's creation time and who created it: "… by bob". */
  by: "by",
  readOnly: (version: number, status: string) =>
    `v${version} is ${status} and read-only: reviews compare tenants with it exactly as it is.`,
  editDraftInstead: (version: number) => `Edit the draft v${version} instead.`,
  startDraftToChange: "To change a rule, start a new draft from the latest published version.",
  openDraft: "Open the draft",
  noVersions: "This baseline has no versions.",

  // Items of a version
  itemsOf: (version: number) => `Items of v${version}`,
  loadingItems: "Loading items…",
  couldNotLoadItems: "Couldn't load the items",
  noItems:
    "This version has no items. Create a new version from a tenant or a folder that has policies.",
  filterItems: "Filter items",
  filterItemsPlaceholder: "Filter by name or kind",
  itemCount: (count: number) => formatCount(count, "item"),
  itemsShown: (shown: number, total: number) => `${shown} of ${formatCount(total, "item")}`,
  itemAndKind: "Item and kind",
  rules: "Rules",
  chooseItem: (draft: boolean) =>
    `Choose an item to see its settings${draft ? " and edit their rules" : ""}.`,

  // An item's settings
  settingsOf: (item: string) => `Settings of ${item}`,
  setting: "Setting",
  baselineValue: "Baseline value",
  rule: "Rule",
  notConfigured: "not configured",
  severitySource: {
    rule: "set by the rule",
    high_risk: "built-in high-risk setting",
    item: "the item's default",
  } as Record<string, string>,
  editRuleOf: (setting: string) => `Edit the rule of ${setting}`,
  removeRuleOf: (setting: string) => `Remove the rule of ${setting}`,
  settingCount: (count: number) => (count === 1 ? "1 setting" : `${count} settings`),
  defaultSeverity: "Default severity",
  defaultSeverityHint: "For settings without a severity of their own.",
  couldNotChangeSeverity: "Couldn't change the severity",
  ruleForAnotherSetting: "Rule for another setting…",
  filterSettings: "Filter settings",
  filterSettingsPlaceholder: "Filter by label, path or value",
  onlyWithRule: "Only settings with a rule",
  noSettings: "This item configures no settings the review compares.",
  noSettingsAddRule: " Add a rule for a setting it should (not) have.",
  noSettingMatches: "No setting matches the filter.",
  couldNotRemoveRule: "Couldn't remove the rule",
  assignedTo: (assignments: readonly string[]) =>
    `Assigned to (compared apart from the settings): ${assignments.join(", ")}`,
  policyJson: "Policy JSON",
  loadingSettings: "Loading the settings…",
  couldNotLoadSettings: "Couldn't load the item's settings",

  // Rules
  ruleKinds: {
    exact: { label: "Exact", hint: "The tenant's value must equal the baseline's." },
    ignore: { label: "Ignore", hint: "Not judged at all." },
    one_of: { label: "One of", hint: "Any of the listed values is compliant." },
    at_least: {
      label: "At least",
      hint: "A number at least this large is compliant (a stricter tenant is fine).",
    },
    at_most: { label: "At most", hint: "A number at most this large is compliant." },
    present: { label: "Present", hint: "The setting must be configured, with any value." },
    absent: { label: "Absent", hint: "The setting must not be configured." },
    tenant_value: {
      label: "Tenant value",
      hint: "The value must equal a per-tenant variable of the assignment.",
    },
  } satisfies Record<RuleKind, { label: string; hint: string }>,
  exactDefault: "Exact (default)",
  enterCompliantValues:
    'Enter at least one compliant value, one per line (for example 14 or "text").',
  enterNumber: (kind: "at_least" | "at_most") =>
    `Enter the ${kind === "at_least" ? "smallest" : "largest"} compliant number, for example 14.`,
  notANumber: (text: string) => `"${text}" is not a number: enter digits, for example 14 or 1.5.`,
  enterVariable: "Enter the name of the per-tenant variable, for example timezone.",

  // The rule dialog
  ruleFor: (setting: string) => `Rule for ${setting}`,
  ruleForAnother: "Rule for another setting",
  inItem: "In",
  baselineValueLead: ", baseline value",
  enterSettingPath: "Enter the setting path, as findings and the settings list show it.",
  settingPath: "Setting path",
  settingPathHint: "For example passwordMinimumLength, or a settings catalog definition id.",
  compliantValues: "Compliant values",
  compliantValuesHint:
    'One per line, as JSON: 14, true, "text" (text that is not JSON is taken as text).',
  smallestValue: "Smallest compliant value",
  largestValue: "Largest compliant value",
  variableHint: "Each assignment gives its tenant's value for this variable.",
  severityHint: "Of a drift of this setting.",
  itemsSeverity: "The item's (or the built-in high-risk one)",
  couldNotSaveRule: "Couldn't save the rule",
  saveRule: "Save rule",

  // Creating a baseline
  noCapturedTenant: "No tenant has a capture yet: import one with plumbline import first.",
  enterFolder: "Choose the folder.",
  enterName: "Enter a name for the baseline, for example MSP Standard.",
  createFrom: "Create it from",
  fromTenant: "A tenant's latest capture",
  fromFolder: "A folder",
  tenantHint: "Its latest capture becomes the baseline's items.",
  tenantOption: (tenant: string, items: number) => `${tenant} (${items} items)`,
  createFolderHint:
    "A baseline exported earlier (with baseline.json: its rules come along) or a folder of exported policies, in any exporter's layout.",
  exclusiveKinds: "Report policies not in the baseline, for these kinds",
  exclusiveKindsHint:
    "A tenant's other policies of a chosen kind become \"not in the baseline\" findings. None chosen: a baseline folder's own choice.",
  nameHintTenant: "An existing baseline of this name gets a new draft version.",
  nameHintFolder: "Leave empty to use the name in the folder's baseline.json.",
  description: "Description",
  publishRightAway: "Publish right away (otherwise it stays a draft you can edit first)",
  couldNotCreate: "Couldn't create the baseline",
  creating: "Creating…",
  create: "Create",

  // Publishing
  publishTitle: (baseline: string, version: number) => `Publish ${baseline} v${version}?`,
  immutableBefore: "A published version is ",
  immutable: "immutable",
  immutableAfter:
    ": its items, rules and severities can never change again. To change anything later, you start a new draft from it.",
  firstPublish: "Reviews of the assigned tenants compare them with it from now on.",
  replaces: (previous: number, version: number) =>
    `It replaces v${previous}, which is retired: reviews of tenants that follow the latest version compare them with v${version} from now on (tenants pinned to a version keep theirs).`,
  couldNotPublish: "Couldn't publish",

  // Exporting
  enterExportFolder:
    "Enter the full path of the folder to write, for example /home/you/baselines/msp-standard.",
  exportFormLabel: "Export to folder",
  exportTitle: "Export to a folder",
  exportFolderHint:
    "Created, or replaced when it holds an earlier export. One JSON file per policy, for git.",
  couldNotExport: "Couldn't export",
  wrote: (baseline: string, version: number, folder: string) =>
    `Wrote ${baseline} v${version} to ${folder}`,
  fileCount: (count: number) => (count === 1 ? "1 file:" : `${count} files:`),
  exporting: "Exporting…",
  export: "Export",

  // Assignments
  assignedTenants: "Assigned tenants",
  assignTenants: "Assign tenants…",
  nothingPublished:
    "Nothing is published yet: assigned tenants are reviewed against this baseline once a version is published.",
  couldNotUnassign: "Couldn't unassign",
  noAssignmentBefore: "No tenant is assigned yet. Choose ",
  noAssignmentAfter:
    " to review tenants against this baseline, with their own values for its tenant_value rules.",
  noVariables: "None",
  missingVariables: (variables: readonly string[]) =>
    `Missing ${variables.join(", ")}: not judged`,
  latestPublishedNone: "Latest published (none yet)",
  latestPublished: (version: number) => `Latest published (v${version})`,
  pinnedTo: (version: number) => `Pinned to v${version}`,
  editAssignment: (tenant: string) => `Edit the assignment of ${tenant}`,
  unassign: (tenant: string) => `Unassign ${tenant}`,

  // The assign dialog
  nameTheVariable: "Name the variable, or remove the row.",
  listedTwice: (variable: string) => `${variable} is listed twice: keep one.`,
  enterTenantValue: (variable: string) =>
    `Enter the tenant's value for ${variable}, or remove the row.`,
  chooseATenant: "Choose at least one tenant.",
  assignFormLabel: "Assign the baseline",
  editAssignmentTitle: (baseline: string, tenant: string) => `${baseline} for ${tenant}`,
  assignTitle: (baseline: string) => `Assign ${baseline}`,
  chosen: (count: number) =>
    `${count} chosen. An assigned tenant gets these variables and version instead of its own.`,
  filterTenants: "Filter tenants",
  filterByName: "Filter by name",
  chooseAllShown: "Choose all shown",
  clear: "Clear",
  tenantsToAssign: "Tenants to assign",
  noTenantMatches: "No tenant name matches.",
  noTenantsYet: "No tenants yet: import one first.",
  assignedTenant: (tenant: string) => `${tenant} (assigned)`,
  noRuleReadsVariables:
    "No rule reads a per-tenant variable yet; add one for a tenant_value rule you plan.",
  rulesRead: (variables: readonly string[]) =>
    `Rules read: ${variables.join(", ")}. A value is JSON when it parses as JSON (14, true), else text.`,
  variableName: (row: number) => `Variable ${row} name`,
  variableNamePlaceholder: "Name, e.g. timezone",
  variableValue: (row: number, variable: string) =>
    `Variable ${row} value${variable ? ` (${variable})` : ""}`,
  variableValuePlaceholder: "This tenant's value",
  removeVariable: (variable: string) => `Remove variable ${variable}`,
  addVariable: "Add variable",
  pinHint: "Pin a version to keep reviewing against it when a newer one is published.",
  latestPublishedOption: "The latest published (follows new versions)",
  couldNotAssign: "Couldn't assign",
  assign: "Assign",
};

export type BaselineMessages = typeof en;

/** A version's status inside a German sentence: "v2 ist veröffentlicht". */
const STATUS_WORD_DE: Record<string, string> = {
  draft: "Entwurf",
  published: "veröffentlicht",
  retired: "zurückgezogen",
};

function statusWordDe(status: string): string {
  return STATUS_WORD_DE[status] ?? status;
}

export const messages = defineMessages(en, {
  // Shared
  cancel: "Abbrechen",
  close: "Schließen",
  save: "Speichern",
  name: "Name",
  tenant: "Mandant",
  tenants: "Mandanten",
  version: "Version",
  status: "Status",
  folder: "Ordner",
  items: "Elemente",
  published: "Veröffentlicht",
  draft: "Entwurf",
  actions: "Aktionen",
  severity: "Schweregrad",
  variable: "Variable",
  variables: "Variablen",
  loadingTenants: "Mandanten werden geladen…",
  couldNotLoadTenants: "Die Mandanten konnten nicht geladen werden",
  noSpacesInVariable:
    "Variablennamen enthalten keine Leerzeichen: Verwenden Sie Buchstaben, Ziffern, - oder _.",
  versionStatus: {
    draft: "Entwurf",
    published: "Veröffentlicht",
    retired: "Zurückgezogen",
  },
  versionWithStatus: (version, status) => `v${version} (${statusWordDe(status)})`,
  publishVersion: (version) => `v${version} veröffentlichen`,

  // The list
  title: "Baselines",
  descriptionBefore:
    "Golden Master: versionierte Sätze erwarteter Einstellungen mit Regel und Schweregrad je Einstellung, Mandanten zugewiesen. Dasselbe mit ",
  descriptionAfter: ".",
  newBaseline: "Neue Baseline",
  loadingBaselines: "Baselines werden geladen…",
  couldNotLoadBaselines: "Die Baselines konnten nicht geladen werden",
  emptyTitle: "Noch keine Baselines",
  emptyBody:
    "Eine Baseline ist Ihr Golden Master: die Einstellungen, die jeder zugewiesene Mandant haben soll. Erstellen Sie die erste aus der letzten Erfassung eines gut konfigurierten Mandanten oder aus einem Ordner mit exportierten Richtlinien oder einer exportierten Baseline.",
  notYet: "Noch nicht",
  noDraft: "Keiner",
  noTenants: "Keine",

  // One baseline
  allBaselines: "Alle Baselines",
  baselineTitle: "Baseline",
  loadingBaseline: "Die Baseline wird geladen…",
  couldNotLoadBaseline: "Die Baseline konnte nicht geladen werden",
  couldNotReadAgain: "Die Baseline konnte nach der Änderung nicht erneut gelesen werden",
  couldNotStartDraft: "Der Entwurf konnte nicht gestartet werden",
  startDraft: "Neuen Entwurf starten",
  exportToFolder: "In Ordner exportieren…",
  versions: "Versionen",
  created: "Erstellt",
  retired: "Zurückgezogen",
  by: "von",
  readOnly: (version, status) =>
    `v${version} ist ${statusWordDe(status)} und schreibgeschützt: Prüfungen vergleichen Mandanten mit dieser Version genau so, wie sie ist.`,
  editDraftInstead: (version) => `Bearbeiten Sie stattdessen den Entwurf v${version}.`,
  startDraftToChange:
    "Um eine Regel zu ändern, starten Sie einen neuen Entwurf aus der neuesten veröffentlichten Version.",
  openDraft: "Entwurf öffnen",
  noVersions: "Diese Baseline hat keine Versionen.",

  // Items of a version
  itemsOf: (version) => `Elemente von v${version}`,
  loadingItems: "Elemente werden geladen…",
  couldNotLoadItems: "Die Elemente konnten nicht geladen werden",
  noItems:
    "Diese Version hat keine Elemente. Erstellen Sie eine neue Version aus einem Mandanten oder einem Ordner mit Richtlinien.",
  filterItems: "Elemente filtern",
  filterItemsPlaceholder: "Nach Name oder Art filtern",
  itemCount: (count) => formatCount(count, "Element", "Elemente"),
  itemsShown: (shown, total) =>
    `${formatNumber(shown)} von ${formatCount(total, "Element", "Elementen")}`,
  itemAndKind: "Element und Art",
  rules: "Regeln",
  chooseItem: (draft) =>
    `Wählen Sie ein Element aus, um seine Einstellungen zu sehen${draft ? " und deren Regeln zu bearbeiten" : ""}.`,

  // An item's settings
  settingsOf: (item) => `Einstellungen von ${item}`,
  setting: "Einstellung",
  baselineValue: "Baseline-Wert",
  rule: "Regel",
  notConfigured: "nicht konfiguriert",
  severitySource: {
    rule: "durch die Regel festgelegt",
    high_risk: "integrierte Hochrisiko-Einstellung",
    item: "Standard des Elements",
  },
  editRuleOf: (setting) => `Regel von ${setting} bearbeiten`,
  removeRuleOf: (setting) => `Regel von ${setting} entfernen`,
  settingCount: (count) => formatCount(count, "Einstellung", "Einstellungen"),
  defaultSeverity: "Standardschweregrad",
  defaultSeverityHint: "Für Einstellungen ohne eigenen Schweregrad.",
  couldNotChangeSeverity: "Der Schweregrad konnte nicht geändert werden",
  ruleForAnotherSetting: "Regel für eine weitere Einstellung…",
  filterSettings: "Einstellungen filtern",
  filterSettingsPlaceholder: "Nach Bezeichnung, Pfad oder Wert filtern",
  onlyWithRule: "Nur Einstellungen mit Regel",
  noSettings: "Dieses Element konfiguriert keine Einstellungen, die die Prüfung vergleicht.",
  noSettingsAddRule: " Fügen Sie eine Regel für eine Einstellung hinzu, die es (nicht) haben soll.",
  noSettingMatches: "Keine Einstellung entspricht dem Filter.",
  couldNotRemoveRule: "Die Regel konnte nicht entfernt werden",
  assignedTo: (assignments) =>
    `Zugewiesen an (getrennt von den Einstellungen verglichen): ${assignments.join(", ")}`,
  policyJson: "Richtlinien-JSON",
  loadingSettings: "Die Einstellungen werden geladen…",
  couldNotLoadSettings: "Die Einstellungen des Elements konnten nicht geladen werden",

  // Rules
  ruleKinds: {
    exact: { label: "Exakt", hint: "Der Wert des Mandanten muss dem der Baseline entsprechen." },
    ignore: { label: "Ignorieren", hint: "Wird nicht bewertet." },
    one_of: { label: "Einer von", hint: "Jeder der aufgeführten Werte ist konform." },
    at_least: {
      label: "Mindestens",
      hint: "Eine Zahl, die mindestens so groß ist, ist konform (ein strengerer Mandant ist in Ordnung).",
    },
    at_most: { label: "Höchstens", hint: "Eine Zahl, die höchstens so groß ist, ist konform." },
    present: {
      label: "Vorhanden",
      hint: "Die Einstellung muss konfiguriert sein, mit beliebigem Wert.",
    },
    absent: { label: "Nicht vorhanden", hint: "Die Einstellung darf nicht konfiguriert sein." },
    tenant_value: {
      label: "Mandantenwert",
      hint: "Der Wert muss einer mandantenspezifischen Variablen der Zuweisung entsprechen.",
    },
  },
  exactDefault: "Exakt (Standard)",
  enterCompliantValues:
    "Geben Sie mindestens einen konformen Wert ein, einen pro Zeile (zum Beispiel 14 oder \"Text\").",
  enterNumber: (kind) =>
    `Geben Sie die ${kind === "at_least" ? "kleinste" : "größte"} konforme Zahl ein, zum Beispiel 14.`,
  notANumber: (text) =>
    `„${text}“ ist keine Zahl: Geben Sie Ziffern ein, zum Beispiel 14 oder 1.5.`,
  enterVariable:
    "Geben Sie den Namen der mandantenspezifischen Variablen ein, zum Beispiel timezone.",

  // The rule dialog
  ruleFor: (setting) => `Regel für ${setting}`,
  ruleForAnother: "Regel für eine weitere Einstellung",
  inItem: "In",
  baselineValueLead: ", Baseline-Wert",
  enterSettingPath:
    "Geben Sie den Pfad der Einstellung ein, wie Befunde und die Einstellungsliste ihn zeigen.",
  settingPath: "Pfad der Einstellung",
  settingPathHint:
    "Zum Beispiel passwordMinimumLength oder die Definitions-ID einer Einstellung aus dem Einstellungskatalog.",
  compliantValues: "Konforme Werte",
  compliantValuesHint:
    'Einer pro Zeile, als JSON: 14, true, "Text" (Text, der kein JSON ist, gilt als Text).',
  smallestValue: "Kleinster konformer Wert",
  largestValue: "Größter konformer Wert",
  variableHint: "Jede Zuweisung gibt den Wert ihres Mandanten für diese Variable an.",
  severityHint: "Einer Abweichung dieser Einstellung.",
  itemsSeverity: "Der des Elements (oder der integrierte Hochrisiko-Schweregrad)",
  couldNotSaveRule: "Die Regel konnte nicht gespeichert werden",
  saveRule: "Regel speichern",

  // Creating a baseline
  noCapturedTenant:
    "Noch kein Mandant hat eine Erfassung: Importieren Sie zuerst eine mit plumbline import.",
  enterFolder: "Wählen Sie den Ordner.",
  enterName: "Geben Sie einen Namen für die Baseline ein, zum Beispiel MSP Standard.",
  createFrom: "Erstellen aus",
  fromTenant: "Letzte Erfassung eines Mandanten",
  fromFolder: "Ordner",
  tenantHint: "Seine letzte Erfassung wird zu den Elementen der Baseline.",
  tenantOption: (tenant, items) => `${tenant} (${formatCount(items, "Element", "Elemente")})`,
  createFolderHint:
    "Eine früher exportierte Baseline (mit baseline.json: ihre Regeln werden übernommen) oder ein Ordner mit exportierten Richtlinien, im Format eines beliebigen Exportwerkzeugs.",
  exclusiveKinds: "Richtlinien außerhalb der Baseline melden, für diese Typen",
  exclusiveKindsHint:
    "Weitere Richtlinien eines gewählten Typs werden zu Befunden „nicht in der Baseline“. Keiner gewählt: die Wahl des Baseline-Ordners.",
  nameHintTenant: "Eine vorhandene Baseline mit diesem Namen erhält eine neue Entwurfsversion.",
  nameHintFolder: "Leer lassen, um den Namen aus der baseline.json des Ordners zu verwenden.",
  description: "Beschreibung",
  publishRightAway:
    "Sofort veröffentlichen (sonst bleibt sie ein Entwurf, den Sie zuerst bearbeiten können)",
  couldNotCreate: "Die Baseline konnte nicht erstellt werden",
  creating: "Wird erstellt…",
  create: "Erstellen",

  // Publishing
  publishTitle: (baseline, version) => `${baseline} v${version} veröffentlichen?`,
  immutableBefore: "Eine veröffentlichte Version ist ",
  immutable: "unveränderlich",
  immutableAfter:
    ": Ihre Elemente, Regeln und Schweregrade können sich nie wieder ändern. Um später etwas zu ändern, starten Sie aus ihr einen neuen Entwurf.",
  firstPublish: "Prüfungen der zugewiesenen Mandanten vergleichen diese ab jetzt mit ihr.",
  replaces: (previous, version) =>
    `Sie ersetzt v${previous}, die zurückgezogen wird: Prüfungen von Mandanten, die der neuesten Version folgen, vergleichen diese ab jetzt mit v${version} (auf eine Version festgelegte Mandanten behalten ihre).`,
  couldNotPublish: "Die Version konnte nicht veröffentlicht werden",

  // Exporting
  enterExportFolder:
    "Geben Sie den vollständigen Pfad des Zielordners ein, zum Beispiel /home/you/baselines/msp-standard.",
  exportFormLabel: "In Ordner exportieren",
  exportTitle: "In einen Ordner exportieren",
  exportFolderHint:
    "Wird erstellt oder ersetzt, wenn er einen früheren Export enthält. Eine JSON-Datei pro Richtlinie, für git.",
  couldNotExport: "Der Export ist fehlgeschlagen",
  wrote: (baseline, version, folder) => `${baseline} v${version} wurde nach ${folder} geschrieben`,
  fileCount: (count) => `${formatCount(count, "Datei", "Dateien")}:`,
  exporting: "Wird exportiert…",
  export: "Exportieren",

  // Assignments
  assignedTenants: "Zugewiesene Mandanten",
  assignTenants: "Mandanten zuweisen…",
  nothingPublished:
    "Noch ist nichts veröffentlicht: Zugewiesene Mandanten werden mit dieser Baseline geprüft, sobald eine Version veröffentlicht ist.",
  couldNotUnassign: "Die Zuweisung konnte nicht aufgehoben werden",
  noAssignmentBefore: "Noch ist kein Mandant zugewiesen. Wählen Sie ",
  noAssignmentAfter:
    ", um Mandanten mit dieser Baseline zu prüfen, mit ihren eigenen Werten für deren tenant_value-Regeln.",
  noVariables: "Keine",
  missingVariables: (variables) => `Fehlend: ${variables.join(", ")} – nicht bewertet`,
  latestPublishedNone: "Neueste veröffentlichte (noch keine)",
  latestPublished: (version) => `Neueste veröffentlichte (v${version})`,
  pinnedTo: (version) => `Festgelegt auf v${version}`,
  editAssignment: (tenant) => `Zuweisung von ${tenant} bearbeiten`,
  unassign: (tenant) => `Zuweisung von ${tenant} aufheben`,

  // The assign dialog
  nameTheVariable: "Benennen Sie die Variable oder entfernen Sie die Zeile.",
  listedTwice: (variable) => `${variable} ist doppelt aufgeführt: Behalten Sie einen Eintrag.`,
  enterTenantValue: (variable) =>
    `Geben Sie den Wert des Mandanten für ${variable} ein oder entfernen Sie die Zeile.`,
  chooseATenant: "Wählen Sie mindestens einen Mandanten aus.",
  assignFormLabel: "Baseline zuweisen",
  editAssignmentTitle: (baseline, tenant) => `${baseline} für ${tenant}`,
  assignTitle: (baseline) => `${baseline} zuweisen`,
  chosen: (count) =>
    `${formatNumber(count)} ausgewählt. Ein zugewiesener Mandant erhält diese Variablen und diese Version anstelle seiner eigenen.`,
  filterTenants: "Mandanten filtern",
  filterByName: "Nach Name filtern",
  chooseAllShown: "Alle angezeigten auswählen",
  clear: "Auswahl aufheben",
  tenantsToAssign: "Zuzuweisende Mandanten",
  noTenantMatches: "Kein Mandantenname stimmt überein.",
  noTenantsYet: "Noch keine Mandanten: Importieren Sie zuerst einen.",
  assignedTenant: (tenant) => `${tenant} (zugewiesen)`,
  noRuleReadsVariables:
    "Noch liest keine Regel eine mandantenspezifische Variable; fügen Sie eine für eine geplante tenant_value-Regel hinzu.",
  rulesRead: (variables) =>
    `Regeln lesen: ${variables.join(", ")}. Ein Wert gilt als JSON, wenn er sich als JSON lesen lässt (14, true), sonst als Text.`,
  variableName: (row) => `Name der Variablen ${row}`,
  variableNamePlaceholder: "Name, z. B. timezone",
  variableValue: (row, variable) => `Wert der Variablen ${row}${variable ? ` (${variable})` : ""}`,
  variableValuePlaceholder: "Wert dieses Mandanten",
  removeVariable: (variable) => `Variable ${variable} entfernen`,
  addVariable: "Variable hinzufügen",
  pinHint:
    "Legen Sie eine Version fest, um weiter mit ihr zu prüfen, auch wenn eine neuere veröffentlicht wird.",
  latestPublishedOption: "Die neueste veröffentlichte (folgt neuen Versionen)",
  couldNotAssign: "Die Baseline konnte nicht zugewiesen werden",
  assign: "Zuweisen",
});
