// Texts of the Reports page. The report language (en/de) chosen in the form is the
// language of the PDF, not of the interface: only its labels are translated here.

import type { ReportLanguage } from "../backend";
import { formatCount } from "../format";
import { defineMessages } from "../i18n";

const en = {
  title: "Reports",
  /** The page description, around the <Command>plumbline report</Command>. */
  descriptionBefore:
    "Branded PDF reports for one customer or the whole portfolio, recorded with their SHA-256. The same reports come from ",
  descriptionAfter: ".",
  loadingTenants: "Loading tenants…",
  couldNotLoadTenants: "Couldn't load the tenants",
  couldNotLoadSettings: "Couldn't load the saved branding",
  enterBranding: "Enter the branding below for this report.",
  newReport: "New report",
  newReportHint:
    "Branding and language start from Settings; changes here apply to this report only.",
  couldNotGenerate: "Couldn't generate the report",
  couldNotOpen: "Couldn't open the report",
  pastReports: "Past reports",
  loadingReports: "Loading reports…",
  couldNotLoadReports: "Couldn't load the past reports",
  retry: "Retry",
  errorCode: (code: string) => `(code: ${code})`,

  // The report just generated.
  reportReady: (tenant: string | null) => `Report ready${tenant ? `: ${tenant}` : ""}`,
  open: "Open",
  file: "File",
  size: "Size",
  sizeAndPages: (size: string, pages: number) =>
    `${size}, ${pages} ${pages === 1 ? "page" : "pages"}`,
  reportId: "Report ID",
  fallbackFonts: "Fallback fonts",

  // Past reports.
  noReports: "No reports yet",
  /** The empty state, around the name of the Generate report button. */
  noReportsBefore: "Choose a report, a period and your branding above, then select ",
  noReportsAfter: ". Every report is listed here with its SHA-256.",
  columns: {
    kind: "Kind",
    tenant: "Tenant",
    created: "Created",
    size: "Size",
    actions: "Actions",
  },
  kinds: {
    executive: "Executive",
    portfolio: "Portfolio",
    export_findings: "Findings (CSV)",
    export_drift: "Drift (CSV)",
    export_inventory: "Inventory (CSV)",
    export_risks: "Risk acceptances (CSV)",
  },
  allTenants: "All tenants",
  openReport: (kind: string, tenant: string | null, created: string) =>
    `Open ${kind} report${tenant ? ` of ${tenant}` : ""} created ${created}`,

  // The form.
  report: "Report",
  executiveOption: "Executive (one tenant)",
  portfolioOption: "Portfolio (all tenants)",
  tenant: "Tenant",
  noTenants: "No tenants yet: import one with plumbline import.",
  from: "From",
  fromHint: "First day of the period (UTC).",
  to: "To",
  toHint: "Last day, included in full (UTC).",
  language: "Language",
  /** The languages a report can be written in (the PDF's, not the interface's). */
  languageNames: { en: "English", de: "Deutsch" } satisfies Record<ReportLanguage, string>,
  mspName: "MSP name",
  mspNameHint: "On the cover and in every page's header.",
  accentColour: "Accent colour",
  accentColourHint: "#RRGGBB, for example #1F4E79.",
  savedLogo: "Saved logo",
  useSavedLogo: (width: number, height: number) =>
    `Use the logo saved in Settings (${width} × ${height} px)`,
  logo: "Logo (optional)",
  logoHintWithSaved: "A PNG image for this report only; it replaces the saved logo.",
  logoHint: "A PNG image for the cover. Save one in Settings to use it every time.",
  generate: "Generate report",
  generating: "Generating the report…",
  generatingLabel: "Generating the report",
};

export const messages = defineMessages(en, {
  title: "Berichte",
  descriptionBefore:
    "Gebrandete PDF-Berichte für einen Kunden oder das gesamte Portfolio, jeweils mit ihrem SHA-256 gespeichert. Dieselben Berichte erstellt ",
  descriptionAfter: ".",
  loadingTenants: "Mandanten werden geladen…",
  couldNotLoadTenants: "Die Mandanten konnten nicht geladen werden",
  couldNotLoadSettings: "Das gespeicherte Branding konnte nicht geladen werden",
  enterBranding: "Geben Sie das Branding für diesen Bericht unten ein.",
  newReport: "Neuer Bericht",
  newReportHint:
    "Branding und Sprache stammen aus den Einstellungen; Änderungen hier gelten nur für diesen Bericht.",
  couldNotGenerate: "Der Bericht konnte nicht erstellt werden",
  couldNotOpen: "Der Bericht konnte nicht geöffnet werden",
  pastReports: "Bisherige Berichte",
  loadingReports: "Berichte werden geladen…",
  couldNotLoadReports: "Die bisherigen Berichte konnten nicht geladen werden",
  retry: "Erneut versuchen",
  errorCode: (code) => `(Code: ${code})`,

  reportReady: (tenant) => `Bericht bereit${tenant ? `: ${tenant}` : ""}`,
  open: "Öffnen",
  file: "Datei",
  size: "Größe",
  sizeAndPages: (size, pages) => `${size}, ${formatCount(pages, "Seite", "Seiten")}`,
  reportId: "Berichts-ID",
  fallbackFonts: "Ersatzschriftarten",

  noReports: "Noch keine Berichte",
  noReportsBefore:
    "Wählen Sie oben einen Bericht, einen Zeitraum und Ihr Branding aus, und wählen Sie dann ",
  noReportsAfter: ". Jeder Bericht wird hier mit seinem SHA-256 aufgeführt.",
  columns: {
    kind: "Art",
    tenant: "Mandant",
    created: "Erstellt",
    size: "Größe",
    actions: "Aktionen",
  },
  kinds: {
    executive: "Management",
    portfolio: "Portfolio",
    export_findings: "Befunde (CSV)",
    export_drift: "Abweichungen (CSV)",
    export_inventory: "Inventar (CSV)",
    export_risks: "Risikoakzeptanzen (CSV)",
  },
  allTenants: "Alle Mandanten",
  openReport: (kind, tenant, created) =>
    `Bericht „${kind}“${tenant ? ` von ${tenant}` : ""}, erstellt ${created}, öffnen`,

  report: "Bericht",
  executiveOption: "Management (ein Mandant)",
  portfolioOption: "Portfolio (alle Mandanten)",
  tenant: "Mandant",
  noTenants: "Noch keine Mandanten: Importieren Sie einen mit plumbline import.",
  from: "Von",
  fromHint: "Erster Tag des Zeitraums (UTC).",
  to: "Bis",
  toHint: "Letzter Tag, vollständig eingeschlossen (UTC).",
  language: "Berichtssprache",
  languageNames: { en: "English (Englisch)", de: "Deutsch" },
  mspName: "MSP-Name",
  mspNameHint: "Auf dem Deckblatt und in der Kopfzeile jeder Seite.",
  accentColour: "Akzentfarbe",
  accentColourHint: "#RRGGBB, zum Beispiel #1F4E79.",
  savedLogo: "Gespeichertes Logo",
  useSavedLogo: (width, height) =>
    `In den Einstellungen gespeichertes Logo verwenden (${width} × ${height} px)`,
  logo: "Logo (optional)",
  logoHintWithSaved: "Ein PNG-Bild nur für diesen Bericht; es ersetzt das gespeicherte Logo.",
  logoHint:
    "Ein PNG-Bild für das Deckblatt. Speichern Sie ein Logo in den Einstellungen, um es jedes Mal zu verwenden.",
  generate: "Bericht erstellen",
  generating: "Der Bericht wird erstellt…",
  generatingLabel: "Der Bericht wird erstellt",
});
