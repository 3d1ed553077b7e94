// The tenant page's texts: score trend, drift by baseline, open drift findings, capture
// timeline and comparison, unresolved ids, and the review and import actions. Tenant
// names, policy names and kinds, and the backend's messages stay as they come.

import { createElement, Fragment, type ReactNode } from "react";
import { formatCount, formatNumber } from "../../format";
import { defineMessages } from "../../i18n";

/** Text with elements in it (a command, a bold word), in the order a language needs. */
const rich = (...parts: ReactNode[]): ReactNode => createElement(Fragment, null, ...parts);

const en = {
  // The page
  loading: "Loading the tenant…",
  couldNotLoad: "Couldn't load the tenant",
  retry: "Retry",
  demoData: "demo data",

  // Score trend
  scoreTrend: "Score trend",
  noScore: "No score yet: review the tenant to get one.",
  /** Before the latest score: "Score <strong>74.3</strong> …". */
  score: "Score",
  /** After the latest score: "… of 100 after 2 reviews". */
  scoreOf: (reviews: number) => `of 100 after ${formatCount(reviews, "review")}`,
  scoreTrendLabel: (scores: string[]) => `Score trend: ${scores.join(", ")}`,

  // Drift by baseline
  driftByBaseline: "Drift by baseline",
  noFindingsYet: "No findings yet.",
  baseline: "Baseline",
  open: "Open",
  acknowledgedShort: "Ack.",
  accepted: "Accepted",
  resolved: "Resolved",

  // Open drift findings
  openDriftFindings: "Open drift findings",
  loadingFindings: "Loading findings…",
  noOpenDriftFindings:
    "No open drift findings. Review the tenant to compare its latest capture with its baselines.",
  openDriftCount: (matched: number, shown: number) =>
    `${formatNumber(matched)} open drift findings` +
    (matched > shown ? ` (the first ${formatNumber(shown)} shown)` : ""),
  allFindings: "all findings",
  severity: "Severity",
  finding: "Finding",
  status: "Status",

  // Captures
  captureTimeline: "Capture timeline",
  noCaptures: (command: ReactNode) => rich("No captures yet: import one with ", command, "."),
  captureItems: (items: number) => `${formatNumber(items)} items`,
  /** Where a capture came from (graph, import, demo). */
  captureSource: (source: string) => source,
  failedKinds: (kinds: string) => `failed: ${kinds}`,
  changesBetweenCaptures: "Changes between captures",
  oneCaptureOnly: "One capture only: import or take another capture to see what changed.",
  from: "From",
  to: "to",
  earlierCapture: "Earlier capture",
  laterCapture: "Later capture",
  comparing: "Comparing…",
  added: "Added",
  removed: "Removed (ghost policies)",
  changed: "Changed",
  settingsChanged: " · settings",
  assignmentsChanged: " · assignments",
  notCompared: (kinds: string) => `Not compared (failed in the later capture): ${kinds}`,

  // Unresolved directory ids
  unresolvedIds: "Unresolved directory ids",
  everyIdResolves: "Every group, filter and location id in the latest capture resolves to a name.",
  unresolvedExplained:
    "These ids name no captured directory object, so their settings cannot be compared across tenants. Capture the tenant's groups and filters too.",
  id: "Id",
  policy: "Policy",
  kind: "Kind",

  // Actions
  reviewNow: "Review now",
  importCapture: "Import capture…",
  importTitle: "Import a capture",
  exportFolder: "Export folder",
  folderMissing: "Choose the folder the export was saved to.",
  folderHint:
    "An IntuneManagement export, an IntuneCD backup (JSON or YAML), files saved with the admin center's Export JSON or Microsoft's PowerShell samples, or Graph JSON; in UTF-8 or UTF-16, nested as you like.",
  dropHint: "Or drop an export folder on the window.",
  previewing: "Reading the folder…",
  previewSummary: (items: number, directory: number) =>
    `${formatCount(items, "policy", "policies")} to import` +
    (directory > 0 ? `, ${formatCount(directory, "directory object", "directory objects")} to resolve ids` : ""),
  previewFormats: (formats: string) => `Recognised: ${formats}`,
  previewNotPolicies: (files: number) =>
    `${formatCount(files, "file is", "files are")} not a policy (scripts, payloads, reports…): listed, not imported.`,
  previewUnreadable: (files: number) =>
    `${formatCount(files, "file", "files")} cannot be read (see below).`,
  previewFiles: "Files in the folder",
  previewNote: (note: string) => `Note: ${note}`,
  unreadableBlocks: "Some files cannot be read: fix them, or skip them to import the rest.",
  nothingToImport: "The folder holds no policy to import.",
  importItems: (items: number) => `Import ${formatCount(items, "policy", "policies")}`,
  skipBadFiles:
    "Skip malformed files and import the rest (otherwise one bad file imports nothing)",
  cancel: "Cancel",
  import: "Import",
};

const SOURCES_DE: Record<string, string> = { graph: "Graph", import: "Import", demo: "Demo" };

export const messages = defineMessages(en, {
  loading: "Mandant wird geladen…",
  couldNotLoad: "Der Mandant konnte nicht geladen werden",
  retry: "Erneut versuchen",
  demoData: "Demodaten",

  scoreTrend: "Score-Verlauf",
  noScore: "Noch kein Score: Prüfen Sie den Mandanten, um einen zu erhalten.",
  score: "Score",
  scoreOf: (reviews) => `von 100 nach ${formatCount(reviews, "Prüfung", "Prüfungen")}`,
  // A semicolon: the German decimal comma would run the scores together.
  scoreTrendLabel: (scores) => `Score-Verlauf: ${scores.join("; ")}`,

  driftByBaseline: "Abweichung nach Baseline",
  noFindingsYet: "Noch keine Befunde.",
  baseline: "Baseline",
  open: "Offen",
  acknowledgedShort: "Zur Kenntnis gen.",
  accepted: "Akzeptiert",
  resolved: "Behoben",

  openDriftFindings: "Offene Abweichungsbefunde",
  loadingFindings: "Befunde werden geladen…",
  noOpenDriftFindings:
    "Keine offenen Abweichungsbefunde. Prüfen Sie den Mandanten, um seine neueste Erfassung mit seinen Baselines zu vergleichen.",
  openDriftCount: (matched, shown) =>
    formatCount(matched, "offener Abweichungsbefund", "offene Abweichungsbefunde") +
    (matched > shown ? ` (die ersten ${formatNumber(shown)} werden angezeigt)` : ""),
  allFindings: "alle Befunde",
  severity: "Schweregrad",
  finding: "Befund",
  status: "Status",

  captureTimeline: "Zeitachse der Erfassungen",
  noCaptures: (command) =>
    rich("Noch keine Erfassungen: Importieren Sie eine mit ", command, "."),
  captureItems: (items) => formatCount(items, "Element", "Elemente"),
  captureSource: (source) => SOURCES_DE[source] ?? source,
  failedKinds: (kinds) => `fehlgeschlagen: ${kinds}`,
  changesBetweenCaptures: "Änderungen zwischen Erfassungen",
  oneCaptureOnly:
    "Nur eine Erfassung: Importieren Sie eine weitere Erfassung oder erstellen Sie eine, um zu sehen, was sich geändert hat.",
  from: "Von",
  to: "bis",
  earlierCapture: "Frühere Erfassung",
  laterCapture: "Spätere Erfassung",
  comparing: "Wird verglichen…",
  added: "Hinzugefügt",
  removed: "Entfernt (verwaiste Richtlinien)",
  changed: "Geändert",
  settingsChanged: " · Einstellungen",
  assignmentsChanged: " · Zuweisungen",
  notCompared: (kinds) => `Nicht verglichen (in der späteren Erfassung fehlgeschlagen): ${kinds}`,

  unresolvedIds: "Nicht aufgelöste Verzeichnis-IDs",
  everyIdResolves:
    "Jede Gruppen-, Filter- und Standort-ID in der neuesten Erfassung lässt sich einem Namen zuordnen.",
  unresolvedExplained:
    "Diese IDs benennen kein erfasstes Verzeichnisobjekt, daher lassen sich ihre Einstellungen nicht mandantenübergreifend vergleichen. Erfassen Sie auch die Gruppen und Filter des Mandanten.",
  id: "ID",
  policy: "Richtlinie",
  kind: "Typ",

  reviewNow: "Jetzt prüfen",
  importCapture: "Erfassung importieren…",
  importTitle: "Erfassung importieren",
  exportFolder: "Exportordner",
  folderMissing: "Wählen Sie den Ordner, in dem der Export gespeichert wurde.",
  folderHint:
    "Ein IntuneManagement-Export, ein IntuneCD-Backup (JSON oder YAML), mit „JSON exportieren“ des Admin Centers oder Microsofts PowerShell-Beispielen gespeicherte Dateien oder Graph-JSON; in UTF-8 oder UTF-16, beliebig verschachtelt.",
  dropHint: "Oder ziehen Sie einen Exportordner auf das Fenster.",
  previewing: "Ordner wird gelesen…",
  previewSummary: (items, directory) =>
    `${formatCount(items, "Richtlinie", "Richtlinien")} zu importieren` +
    (directory > 0 ? `, ${formatCount(directory, "Verzeichnisobjekt", "Verzeichnisobjekte")} zum Auflösen von IDs` : ""),
  previewFormats: (formats) => `Erkannt: ${formats}`,
  previewNotPolicies: (files) =>
    `${formatCount(files, "Datei ist", "Dateien sind")} keine Richtlinie (Skripte, Nutzdaten, Berichte…): aufgeführt, nicht importiert.`,
  previewUnreadable: (files) =>
    `${formatCount(files, "Datei kann", "Dateien können")} nicht gelesen werden (siehe unten).`,
  previewFiles: "Dateien im Ordner",
  previewNote: (note) => `Hinweis: ${note}`,
  unreadableBlocks:
    "Einige Dateien können nicht gelesen werden: Korrigieren Sie sie oder überspringen Sie sie, um den Rest zu importieren.",
  nothingToImport: "Der Ordner enthält keine Richtlinie zum Importieren.",
  importItems: (items) => `${formatCount(items, "Richtlinie", "Richtlinien")} importieren`,
  skipBadFiles:
    "Fehlerhafte Dateien überspringen und den Rest importieren (sonst importiert eine einzige fehlerhafte Datei nichts)",
  cancel: "Abbrechen",
  import: "Importieren",
});
