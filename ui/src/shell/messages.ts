// The shell's texts: navigation, header, background jobs, shared buttons.

import type { PageId } from "../pages";
import { defineMessages } from "../i18n";

const en = {
  pages: {
    portfolio: "Portfolio",
    tenants: "Tenants",
    baselines: "Baselines",
    findings: "Findings",
    alerts: "Alerts",
    reports: "Reports",
    evidence: "Evidence",
    settings: "Settings",
  } satisfies Record<PageId, string>,
  navigation: "Console",
  navOpenCount: (page: string, open: number) => `${page}, ${open} open`,
  collapseNavigation: "Collapse navigation",
  expandNavigation: "Expand navigation",
  skipToMain: "Skip to main content",
  loading: "Loading…",
  sampleTitle: "Running outside the desktop app: sample data",
  sampleBody: "Nothing here comes from a Plumbline database.",
  retry: "Retry",
  copied: "Copied",
  copyFailed: "Couldn't copy: select the text and press Ctrl+C",
  copy: (what: string) => `Copy ${what}`,
  whatCopied: (what: string) => `${what} copied`,
  jobStates: { running: "Running", succeeded: "Done", failed: "Failed", cancelled: "Cancelled" },
  cancel: "Cancel",
  cancelJob: (title: string) => `Cancel ${title}`,
  jobProgress: (title: string) => `${title}: progress`,
  started: "Started",
  jobsLabel: (running: number) => `Background jobs, ${running === 0 ? "none" : running} running`,
  jobsTitle: "Background jobs",
  loadingJobs: "Loading jobs…",
  noJobs:
    "Nothing has run in the background since the app started. Reviews, imports and evidence packs run here while you keep working; start one from a tenant's page or the Evidence page.",
  recentJobs: "Recent jobs",
};

export const messages = defineMessages(en, {
  pages: {
    portfolio: "Portfolio",
    tenants: "Mandanten",
    baselines: "Baselines",
    findings: "Befunde",
    alerts: "Warnungen",
    reports: "Berichte",
    evidence: "Nachweise",
    settings: "Einstellungen",
  },
  navigation: "Konsole",
  navOpenCount: (page, open) => `${page}, ${open} offen`,
  collapseNavigation: "Navigation einklappen",
  expandNavigation: "Navigation ausklappen",
  skipToMain: "Zum Hauptinhalt springen",
  loading: "Wird geladen…",
  sampleTitle: "Läuft außerhalb der Desktop-App: Beispieldaten",
  sampleBody: "Nichts hier stammt aus einer Plumbline-Datenbank.",
  retry: "Erneut versuchen",
  copied: "Kopiert",
  copyFailed: "Kopieren nicht möglich: Text markieren und Strg+C drücken",
  copy: (what) => `${what} kopieren`,
  whatCopied: (what) => `${what} kopiert`,
  jobStates: {
    running: "Läuft",
    succeeded: "Fertig",
    failed: "Fehlgeschlagen",
    cancelled: "Abgebrochen",
  },
  cancel: "Abbrechen",
  cancelJob: (title) => `${title} abbrechen`,
  jobProgress: (title) => `${title}: Fortschritt`,
  started: "Gestartet",
  jobsLabel: (running) =>
    running === 0
      ? "Hintergrundaufgaben, keine aktiv"
      : `Hintergrundaufgaben, ${running} aktiv`,
  jobsTitle: "Hintergrundaufgaben",
  loadingJobs: "Aufgaben werden geladen…",
  noJobs:
    "Seit dem Start der App lief nichts im Hintergrund. Prüfungen, Importe und Nachweispakete laufen hier, während Sie weiterarbeiten; starten Sie eine auf der Seite eines Mandanten oder auf der Seite Nachweise.",
  recentJobs: "Letzte Aufgaben",
});
