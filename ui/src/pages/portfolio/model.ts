// What the Portfolio page computes from the backend's answer: filtering, sorting, the
// summary, the score histogram's buckets and the heatmap's order. Pure functions, so the
// components only hold state and the tests pin the numbers.

import type { PortfolioTenant, SeverityCounts } from "../../backend";
import { parseTimestamp } from "../../format";

/** A tenant whose last capture is older than this (or that was never captured) is stale. */
export const STALE_AFTER_DAYS = 7;
const DAY = 24 * 60 * 60 * 1000;

export type DemoFilter = "all" | "demo" | "real";

/** The baseline filter's value for tenants without any baseline. */
export const NO_BASELINE = "\u0000none";

export interface PortfolioFilter {
  /** Words that must all occur in the name, primary domain or a tag. */
  search: string;
  /** Only tenants with an open critical or high finding. */
  criticalOrHigh: boolean;
  /** Only tenants without a capture in the last STALE_AFTER_DAYS days. */
  stale: boolean;
  demo: DemoFilter;
  /** A baseline name, NO_BASELINE, or null for any. */
  baseline: string | null;
}

export type PortfolioColumn = "name" | "score" | "trend" | "open" | "lastCapture";
export type SortDirection = "ascending" | "descending";

export interface PortfolioSort {
  column: PortfolioColumn;
  direction: SortDirection;
}

export interface PortfolioView {
  filter: PortfolioFilter;
  sort: PortfolioSort;
}

export const EMPTY_FILTER: PortfolioFilter = {
  search: "",
  criticalOrHigh: false,
  stale: false,
  demo: "all",
  baseline: null,
};

/** Worst score first: the tenants that need attention open the day. */
export const DEFAULT_SORT: PortfolioSort = { column: "score", direction: "ascending" };

export function isFiltered(filter: PortfolioFilter): boolean {
  return (
    filter.search.trim() !== "" ||
    filter.criticalOrHigh ||
    filter.stale ||
    filter.demo !== "all" ||
    filter.baseline !== null
  );
}

export function openTotal(open: SeverityCounts): number {
  return open.critical + open.high + open.medium + open.low;
}

/** True when the tenant has no capture younger than STALE_AFTER_DAYS at `now`. */
export function isStale(tenant: PortfolioTenant, now: number): boolean {
  const at = parseTimestamp(tenant.lastCaptureAt);
  return at === null || now - at > STALE_AFTER_DAYS * DAY;
}

function matchesSearch(tenant: PortfolioTenant, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = [tenant.name, tenant.primaryDomain ?? "", ...tenant.tags]
    .join("\u001f")
    .toLocaleLowerCase();
  return words.every((word) => text.includes(word));
}

export function filterTenants(
  tenants: readonly PortfolioTenant[],
  filter: PortfolioFilter,
  now: number,
): PortfolioTenant[] {
  const words = filter.search.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return tenants.filter((tenant) => {
    if (filter.criticalOrHigh && tenant.open.critical + tenant.open.high === 0) return false;
    if (filter.stale && !isStale(tenant, now)) return false;
    if (filter.demo === "demo" && !tenant.isDemo) return false;
    if (filter.demo === "real" && tenant.isDemo) return false;
    if (filter.baseline === NO_BASELINE && tenant.baselines.length > 0) return false;
    if (
      filter.baseline !== null &&
      filter.baseline !== NO_BASELINE &&
      !tenant.baselines.includes(filter.baseline)
    ) {
      return false;
    }
    return matchesSearch(tenant, words);
  });
}

/** Every baseline name assigned to some tenant, for the filter. */
export function baselineNames(tenants: readonly PortfolioTenant[]): string[] {
  const names = new Set<string>();
  for (const tenant of tenants) for (const name of tenant.baselines) names.add(name);
  return [...names].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
}

const byName = (a: PortfolioTenant, b: PortfolioTenant) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true }) ||
  a.id.localeCompare(b.id);

/** The trend's scores, oldest first (a score that is not a number arrives as null). */
export function scoredTrend(tenant: PortfolioTenant): { at: string; score: number }[] {
  return tenant.trend.flatMap((p) => (p.score === null ? [] : [{ at: p.at, score: p.score }]));
}

/** The score change over the trend (last minus first), or null with fewer than two points. */
export function trendChange(tenant: PortfolioTenant): number | null {
  const trend = scoredTrend(tenant);
  const first = trend[0];
  const last = trend[trend.length - 1];
  if (trend.length < 2 || first === undefined || last === undefined) return null;
  return last.score - first.score;
}

/** Open findings compared by severity: more criticals first, then highs, mediums, lows. */
export function compareOpen(a: SeverityCounts, b: SeverityCounts): number {
  return a.critical - b.critical || a.high - b.high || a.medium - b.medium || a.low - b.low;
}

/**
 * Sort key for the numeric columns. `null` means "no value" (never reviewed) and sorts
 * last in both directions. A tenant never captured counts as the oldest capture.
 */
function sortKey(tenant: PortfolioTenant, column: PortfolioColumn): number | null {
  switch (column) {
    case "score":
      return tenant.score;
    case "trend":
      return trendChange(tenant);
    case "lastCapture":
      return parseTimestamp(tenant.lastCaptureAt) ?? Number.NEGATIVE_INFINITY;
    case "name":
    case "open":
      return 0;
  }
}

export function sortTenants(
  tenants: readonly PortfolioTenant[],
  sort: PortfolioSort,
): PortfolioTenant[] {
  const factor = sort.direction === "ascending" ? 1 : -1;
  return [...tenants].sort((a, b) => {
    if (sort.column === "name") return factor * byName(a, b);
    if (sort.column === "open") return factor * compareOpen(a.open, b.open) || byName(a, b);
    const keyA = sortKey(a, sort.column);
    const keyB = sortKey(b, sort.column);
    if (keyA === null || keyB === null) {
      if (keyA !== keyB) return keyA === null ? 1 : -1;
      return byName(a, b);
    }
    if (keyA === keyB) return byName(a, b);
    return factor * (keyA < keyB ? -1 : 1);
  });
}

/** The direction a column starts in when first clicked: the worst tenants first. */
export function firstDirection(column: PortfolioColumn): SortDirection {
  return column === "open" ? "descending" : "ascending";
}

export interface PortfolioSummary {
  tenants: number;
  reviewed: number;
  /** Mean of the latest scores of reviewed tenants; null when none is reviewed. */
  averageScore: number | null;
  critical: number;
  high: number;
  overdue: number;
  stale: number;
}

export function summarize(tenants: readonly PortfolioTenant[], now: number): PortfolioSummary {
  let sum = 0;
  let reviewed = 0;
  const summary: PortfolioSummary = {
    tenants: tenants.length,
    reviewed: 0,
    averageScore: null,
    critical: 0,
    high: 0,
    overdue: 0,
    stale: 0,
  };
  for (const tenant of tenants) {
    if (tenant.score !== null) {
      sum += tenant.score;
      reviewed += 1;
    }
    summary.critical += tenant.open.critical;
    summary.high += tenant.open.high;
    summary.overdue += tenant.overdue;
    if (isStale(tenant, now)) summary.stale += 1;
  }
  summary.reviewed = reviewed;
  summary.averageScore = reviewed === 0 ? null : sum / reviewed;
  return summary;
}

export type ScoreBand = "good" | "fair" | "poor" | "none";

/** Good from 90, fair from 70, poor below; none without a score (named in messages.ts). */
export function scoreBand(score: number | null): ScoreBand {
  if (score === null) return "none";
  if (score >= 90) return "good";
  if (score >= 70) return "fair";
  return "poor";
}

export interface ScoreBucket {
  /** Inclusive lower bound: 0, 10, …, 90. */
  from: number;
  /** Inclusive upper bound as shown: 9, 19, …, 100 (the last bucket holds 100). */
  to: number;
  count: number;
}

/** Ten buckets of ten points (90–100 holds 100), and how many tenants have no score. */
export function scoreHistogram(tenants: readonly PortfolioTenant[]): {
  buckets: ScoreBucket[];
  unscored: number;
} {
  const buckets: ScoreBucket[] = Array.from({ length: 10 }, (_, i) => ({
    from: i * 10,
    to: i === 9 ? 100 : i * 10 + 9,
    count: 0,
  }));
  let unscored = 0;
  for (const tenant of tenants) {
    if (tenant.score === null) {
      unscored += 1;
      continue;
    }
    const index = Math.min(9, Math.max(0, Math.floor(tenant.score / 10)));
    const bucket = buckets[index];
    if (bucket) bucket.count += 1;
  }
  return { buckets, unscored };
}

/** The heatmap's rows: most severe open findings first, then the lowest score, then name. */
export function worstFirst(tenants: readonly PortfolioTenant[]): PortfolioTenant[] {
  return [...tenants].sort(
    (a, b) =>
      compareOpen(b.open, a.open) ||
      (a.score ?? Number.POSITIVE_INFINITY) - (b.score ?? Number.POSITIVE_INFINITY) ||
      byName(a, b),
  );
}

const STORAGE_KEY = "plumbline.portfolio.view";
const COLUMNS: readonly PortfolioColumn[] = ["name", "score", "trend", "open", "lastCapture"];

/** The view remembered from the last visit, or the defaults. */
export function savedView(): PortfolioView {
  const fallback = { filter: EMPTY_FILTER, sort: DEFAULT_SORT };
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    if (text === null) return fallback;
    const saved = JSON.parse(text) as Partial<{
      filter: Partial<PortfolioFilter>;
      sort: Partial<PortfolioSort>;
    }>;
    const filter = { ...EMPTY_FILTER, ...saved.filter };
    const sort = { ...DEFAULT_SORT, ...saved.sort };
    // A stored value from another version must not break the page.
    if (!["all", "demo", "real"].includes(filter.demo)) filter.demo = "all";
    if (typeof filter.search !== "string") filter.search = "";
    if (!COLUMNS.includes(sort.column)) return { filter, sort: DEFAULT_SORT };
    if (sort.direction !== "ascending" && sort.direction !== "descending") {
      sort.direction = firstDirection(sort.column);
    }
    return { filter, sort };
  } catch {
    return fallback;
  }
}

export function saveView(view: PortfolioView): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(view));
  } catch {
    // Storage can be unavailable (private mode); remembering is a convenience.
  }
}
