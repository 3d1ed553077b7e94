// The Portfolio's texts: the page, its filters, the summary row, the chart cards and the
// tenant table. Tenant names, domains, tags, baseline names, capture kinds and the
// backend's error messages stay as they come.

import { createElement, Fragment, type ReactNode } from "react";
import { formatCount, formatNumber } from "../../format";
import { defineMessages } from "../../i18n";
import type { DemoFilter, PortfolioColumn, ScoreBand } from "./model";

/** Text with elements in it (a command), in the order a language needs. */
const rich = (...parts: ReactNode[]): ReactNode => createElement(Fragment, null, ...parts);

const en = {
  // Portfolio.tsx
  title: "Portfolio",
  description:
    "Every tenant you manage: score, trend, open findings and last capture. Open one for its page.",
  loading: "Loading tenants…",
  demoTitle: "Demo data",
  /** The demo banner, around the command `plumbline import …`. */
  demoBody: (command: ReactNode) =>
    rich(
      "These tenants were generated from the OpenIntuneBaseline corpus so that you can explore Plumbline. To work with a real tenant, import its configuration export with ",
      command,
      ".",
    ),
  couldNotLoad: "Couldn't load the portfolio",
  /** After the backend's message. */
  errorCode: (code: string) => ` (code: ${code})`,
  retry: "Retry",
  noTenants: "No tenants yet",
  noTenantsBody: (command: ReactNode) =>
    rich(
      "Import a tenant's configuration export with ",
      command,
      ". It appears here with its first capture.",
    ),
  scoreDistribution: "Score distribution",
  /** Before any review, around the command `plumbline review`. */
  noScoreYet: (command: ReactNode) =>
    rich("No tenant has a score yet. Open a tenant and choose Review now, or run ", command, "."),
  notReviewedYet: (n: number) => `${formatCount(n, "tenant")} not reviewed yet`,
  heatmapTitle: "Open findings by tenant and category",
  heatmapEmpty: (command: ReactNode) =>
    rich(
      "No open findings. Reviews fill this in: open a tenant and choose Review now, or run ",
      command,
      ".",
    ),
  heatmapLabel: "Open findings by tenant and category, worst tenants first",
  tenants: "Tenants",
  noMatches: "No tenant matches the search and filters.",
  clearFilters: "Clear filters",

  // PortfolioFilters.tsx
  filterTenants: "Filter tenants",
  searchPlaceholder: "Search name, domain or tag",
  searchTenants: "Search tenants",
  criticalOrHigh: "Open critical or high",
  noCaptureIn: (days: number) => `No capture in ${days} days`,
  demoFilter: {
    all: "Demo and real",
    demo: "Demo only",
    real: "Real only",
  } satisfies Record<DemoFilter, string>,
  baseline: "Baseline",
  anyBaseline: "Any baseline",
  noBaseline: "No baseline",
  tenantCount: (n: number) => formatCount(n, "tenant"),
  shownOf: (shown: number, total: number) =>
    `${formatNumber(shown)} of ${formatCount(total, "tenant")}`,

  // PortfolioSummary.tsx
  inPortfolio: "in the portfolio",
  ofFiltered: (total: number) => `of ${formatCount(total, "tenant")} (filtered)`,
  averageScore: "Average score",
  noneReviewed: "no tenant reviewed yet",
  ofReviewed: (n: number) => `of ${formatCount(n, "reviewed tenant")}`,
  openCriticalHigh: "Open critical / high",
  overdueFindings: (n: number) => `${formatCount(n, "open finding")} overdue`,
  noneOverdue: "none overdue",
  staleCaptures: "Stale captures",
  noCaptureInLower: (days: number) => `no capture in ${days} days`,

  // PortfolioTable.tsx
  column: {
    name: "Tenant",
    score: "Score",
    trend: "Trend",
    open: "Open findings",
    lastCapture: "Last capture",
  } satisfies Record<PortfolioColumn, string>,
  baselines: "Baselines",
  band: {
    good: "Good (90 or more)",
    fair: "Fair (70 to 89)",
    poor: "Poor (below 70)",
    none: "Not reviewed",
  } satisfies Record<ScoreBand, string>,
  notReviewed: "Not reviewed",
  /** Severities after a count: "1 critical". */
  severity: { critical: "critical", high: "high", medium: "medium", low: "low" },
  overdue: (n: number) => `${formatNumber(n)} overdue`,
  none: "None",
  demo: "Demo",
  neverCaptured: "Never captured",
  /** Read after a stale capture's age. */
  staleHidden: (days: number) => `, stale: no capture in ${days} days`,
  failedKinds: (named: string, more: number) =>
    more > 0 ? `Failed: ${named} +${more} more` : `Failed: ${named}`,
  couldNotRead: (kinds: string) => `The last capture could not read: ${kinds}`,
  tableShown: (shown: number, total: number) =>
    `Showing ${formatNumber(shown)} of ${formatCount(total, "tenant")}`,
  showMore: (n: number) => `Show ${formatNumber(n)} more`,
  showAll: "Show all",
};

export type PortfolioMessages = typeof en;

// "Mandant" is a weak noun: after "von" it is "Mandanten" in the singular too.
export const messages = defineMessages(en, {
  title: "Portfolio",
  description:
    "Alle Mandanten, die Sie verwalten: Score, Verlauf, offene Befunde und letzte Erfassung. Öffnen Sie einen Mandanten, um seine Seite anzuzeigen.",
  loading: "Mandanten werden geladen…",
  demoTitle: "Demodaten",
  demoBody: (command) =>
    rich(
      "Diese Mandanten wurden aus dem OpenIntuneBaseline-Korpus erzeugt, damit Sie Plumbline erkunden können. Um mit einem echten Mandanten zu arbeiten, importieren Sie seinen Konfigurationsexport mit ",
      command,
      ".",
    ),
  couldNotLoad: "Das Portfolio konnte nicht geladen werden",
  errorCode: (code) => ` (Code: ${code})`,
  retry: "Erneut versuchen",
  noTenants: "Noch keine Mandanten",
  noTenantsBody: (command) =>
    rich(
      "Importieren Sie den Konfigurationsexport eines Mandanten mit ",
      command,
      ". Er erscheint hier mit seiner ersten Erfassung.",
    ),
  scoreDistribution: "Score-Verteilung",
  noScoreYet: (command) =>
    rich(
      "Noch kein Mandant hat einen Score. Öffnen Sie einen Mandanten und wählen Sie „Jetzt prüfen“, oder führen Sie ",
      command,
      " aus.",
    ),
  notReviewedYet: (n) => `${formatCount(n, "Mandant", "Mandanten")} noch nicht geprüft`,
  heatmapTitle: "Offene Befunde nach Mandant und Kategorie",
  heatmapEmpty: (command) =>
    rich(
      "Keine offenen Befunde. Prüfungen füllen diese Übersicht: Öffnen Sie einen Mandanten und wählen Sie „Jetzt prüfen“, oder führen Sie ",
      command,
      " aus.",
    ),
  heatmapLabel: "Offene Befunde nach Mandant und Kategorie, schlechteste Mandanten zuerst",
  tenants: "Mandanten",
  noMatches: "Kein Mandant entspricht der Suche und den Filtern.",
  clearFilters: "Filter löschen",

  filterTenants: "Mandanten filtern",
  searchPlaceholder: "Name, Domäne oder Tag suchen",
  searchTenants: "Mandanten durchsuchen",
  criticalOrHigh: "Offene kritische oder hohe Befunde",
  noCaptureIn: (days) => `Keine Erfassung seit ${days} Tagen`,
  demoFilter: {
    all: "Demo und echte",
    demo: "Nur Demo",
    real: "Nur echte",
  },
  baseline: "Baseline",
  anyBaseline: "Beliebige Baseline",
  noBaseline: "Keine Baseline",
  tenantCount: (n) => formatCount(n, "Mandant", "Mandanten"),
  shownOf: (shown, total) =>
    `${formatNumber(shown)} von ${formatCount(total, "Mandanten", "Mandanten")}`,

  inPortfolio: "im Portfolio",
  ofFiltered: (total) => `von ${formatCount(total, "Mandanten", "Mandanten")} (gefiltert)`,
  averageScore: "Durchschnittlicher Score",
  noneReviewed: "noch kein Mandant geprüft",
  ofReviewed: (n) => `von ${formatCount(n, "geprüften Mandanten", "geprüften Mandanten")}`,
  openCriticalHigh: "Offen: kritisch / hoch",
  overdueFindings: (n) => `${formatCount(n, "offener Befund", "offene Befunde")} überfällig`,
  noneOverdue: "keiner überfällig",
  staleCaptures: "Veraltete Erfassungen",
  noCaptureInLower: (days) => `keine Erfassung seit ${days} Tagen`,

  column: {
    name: "Mandant",
    score: "Score",
    trend: "Verlauf",
    open: "Offene Befunde",
    lastCapture: "Letzte Erfassung",
  },
  baselines: "Baselines",
  band: {
    good: "Gut (90 oder mehr)",
    fair: "Mäßig (70 bis 89)",
    poor: "Schwach (unter 70)",
    none: "Nicht geprüft",
  },
  notReviewed: "Nicht geprüft",
  severity: { critical: "kritisch", high: "hoch", medium: "mittel", low: "niedrig" },
  overdue: (n) => `${formatNumber(n)} überfällig`,
  none: "Keine",
  demo: "Demo",
  neverCaptured: "Nie erfasst",
  staleHidden: (days) => `, veraltet: keine Erfassung seit ${days} Tagen`,
  failedKinds: (named, more) =>
    more > 0 ? `Fehlgeschlagen: ${named} +${more} weitere` : `Fehlgeschlagen: ${named}`,
  couldNotRead: (kinds) => `Die letzte Erfassung konnte Folgendes nicht lesen: ${kinds}`,
  tableShown: (shown, total) =>
    `${formatNumber(shown)} von ${formatCount(total, "Mandanten", "Mandanten")} werden angezeigt`,
  showMore: (n) => `${formatNumber(n)} weitere anzeigen`,
  showAll: "Alle anzeigen",
});
