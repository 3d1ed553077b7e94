// The charts' texts: the heatmap (its corner, legend, cells in words and paging), the
// score histogram (its summary, bar titles and table) and the sparkline (its trend in
// words). Row and column labels (tenant names, categories) come from the caller.

import { formatCount, formatNumber } from "../format";
import { defineMessages } from "../i18n";

type Severity = "critical" | "high" | "medium" | "low";

const en = {
  // Heatmap
  tenant: "Tenant",
  /** Severities inside a count: "1 critical, 2 high". */
  severityWord: {
    critical: "critical",
    high: "high",
    medium: "medium",
    low: "low",
  } satisfies Record<Severity, string>,
  /** The legend's severities. */
  severityName: {
    critical: "Critical",
    high: "High",
    medium: "Medium",
    low: "Low",
  } satisfies Record<Severity, string>,
  severityPart: (count: number, severity: string) => `${count} ${severity}`,
  cellNone: (row: string, column: string) => `${row}, ${column}: no open findings`,
  cellOpen: (row: string, column: string, total: number, parts: readonly string[]) =>
    `${row}, ${column}: ${formatCount(total, "open finding")} (${parts.join(", ")})`,
  legendColour: "Colour: the most severe open finding",
  legendShade: "Shade: 1–2, 3–9, 10 or more",
  heatmapShown: (shown: number, total: number) =>
    `Showing the worst ${formatNumber(shown)} of ${formatCount(total, "tenant")}`,
  showMore: (n: number) => `Show ${formatNumber(n)} more`,

  // ScoreHistogram
  tenantCount: (n: number) => formatCount(n, "tenant"),
  histogramEmpty: "Score distribution: no tenant has a score yet",
  bucketPart: (bucket: string, count: number) => `${bucket}: ${count}`,
  histogramLabel: (total: number, parts: readonly string[]) =>
    `Score distribution of ${formatCount(total, "tenant")}: ${parts.join(", ")}`,
  histogramCaption: "Tenants by latest score",
  scoreColumn: "Score",
  tenantsColumn: "Tenants",

  // Sparkline
  noReviewsYet: "No reviews yet",
  noReviews: "No reviews",
  oneReview: (score: string) => `Score ${score} after one review`,
  unchanged: "unchanged",
  up: (change: string) => `up ${change}`,
  down: (change: string) => `down ${change}`,
  trend: (reviews: number, from: string, to: string, direction: string) =>
    `Score trend over ${reviews} reviews: from ${from} to ${to}, ${direction}`,
};

export type ChartMessages = typeof en;

// "Mandant" is a weak noun: after "von" and "über" it is "Mandanten" in the singular too.
export const messages = defineMessages(en, {
  tenant: "Mandant",
  severityWord: { critical: "kritisch", high: "hoch", medium: "mittel", low: "niedrig" },
  severityName: { critical: "Kritisch", high: "Hoch", medium: "Mittel", low: "Niedrig" },
  severityPart: (count, severity) => `${formatNumber(count)} ${severity}`,
  cellNone: (row, column) => `${row}, ${column}: keine offenen Befunde`,
  cellOpen: (row, column, total, parts) =>
    `${row}, ${column}: ${formatCount(total, "offener Befund", "offene Befunde")} (${parts.join(", ")})`,
  legendColour: "Farbe: der schwerwiegendste offene Befund",
  legendShade: "Abstufung: 1–2, 3–9, 10 oder mehr",
  heatmapShown: (shown, total) =>
    `Angezeigt: die ${formatNumber(shown)} schlechtesten von ${formatCount(total, "Mandanten", "Mandanten")}`,
  showMore: (n) => `${formatNumber(n)} weitere anzeigen`,

  tenantCount: (n) => formatCount(n, "Mandant", "Mandanten"),
  histogramEmpty: "Score-Verteilung: Noch kein Mandant hat einen Score",
  bucketPart: (bucket, count) => `${bucket}: ${formatNumber(count)}`,
  histogramLabel: (total, parts) =>
    `Score-Verteilung über ${formatCount(total, "Mandanten", "Mandanten")}: ${parts.join(", ")}`,
  histogramCaption: "Mandanten nach neuestem Score",
  scoreColumn: "Score",
  tenantsColumn: "Mandanten",

  noReviewsYet: "Noch keine Prüfungen",
  noReviews: "Keine Prüfungen",
  oneReview: (score) => `Score ${score} nach einer Prüfung`,
  unchanged: "unverändert",
  up: (change) => `um ${change} gestiegen`,
  down: (change) => `um ${change} gesunken`,
  trend: (reviews, from, to, direction) =>
    `Score-Verlauf über ${formatNumber(reviews)} Prüfungen: von ${from} auf ${to}, ${direction}`,
});
