import { beforeEach, describe, expect, it } from "vitest";
import type { PortfolioTenant } from "../../backend";
import {
  baselineNames,
  DEFAULT_SORT,
  EMPTY_FILTER,
  filterTenants,
  isFiltered,
  isStale,
  NO_BASELINE,
  saveView,
  savedView,
  scoreBand,
  scoreHistogram,
  sortTenants,
  summarize,
  trendChange,
  worstFirst,
} from "./model";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function tenant(fields: Partial<PortfolioTenant> & Pick<PortfolioTenant, "name">): PortfolioTenant {
  return {
    id: `id-${fields.name}`,
    primaryDomain: null,
    tags: [],
    isDemo: false,
    score: null,
    reviewedAt: null,
    trend: [],
    open: { critical: 0, high: 0, medium: 0, low: 0 },
    overdue: 0,
    captureCount: 1,
    lastCaptureAt: "2026-11-19T12:00:00Z",
    itemCount: 10,
    failedKinds: [],
    baselines: [],
    byCategory: [],
    ...fields,
  };
}

const A = tenant({
  name: "Alpha",
  primaryDomain: "alpha.example",
  tags: ["gold", "eu"],
  score: 92,
  trend: [
    { at: "2026-11-01T00:00:00Z", score: 80 },
    { at: "2026-11-10T00:00:00Z", score: 92 },
  ],
  open: { critical: 0, high: 0, medium: 2, low: 5 },
  baselines: ["MSP Standard"],
  isDemo: true,
});
const B = tenant({
  name: "beta",
  score: 55.5,
  open: { critical: 1, high: 0, medium: 0, low: 0 },
  overdue: 1,
  lastCaptureAt: "2026-11-10T12:00:00Z", // ten days before NOW: stale
  baselines: ["Finance", "MSP Standard"],
});
const C = tenant({
  name: "Gamma",
  open: { critical: 0, high: 3, medium: 0, low: 0 },
  lastCaptureAt: null,
  captureCount: 0,
});
const D = tenant({
  name: "Delta 10",
  score: 100,
  open: { critical: 1, high: 2, medium: 0, low: 0 },
  trend: [{ at: "2026-11-01T00:00:00Z", score: null }],
});
const ALL = [A, B, C, D];

const names = (rows: PortfolioTenant[]) => rows.map((t) => t.name);

describe("portfolio model", () => {
  beforeEach(() => window.localStorage.clear());

  it("calls a capture stale after seven days, and a tenant never captured stale", () => {
    expect(isStale(A, NOW)).toBe(false);
    expect(isStale(B, NOW)).toBe(true);
    expect(isStale(C, NOW)).toBe(true);
    expect(isStale(tenant({ name: "x", lastCaptureAt: "2026-11-13T12:00:01Z" }), NOW)).toBe(false);
  });

  it("searches every word in name, domain and tags, ignoring case", () => {
    const search = (text: string) => names(filterTenants(ALL, { ...EMPTY_FILTER, search: text }, NOW));
    expect(search("")).toEqual(["Alpha", "beta", "Gamma", "Delta 10"]);
    expect(search("ALPHA.example")).toEqual(["Alpha"]);
    expect(search("gold eu")).toEqual(["Alpha"]);
    expect(search("gold us")).toEqual([]);
    expect(search("  BETA ")).toEqual(["beta"]);
  });

  it("combines the filters", () => {
    const run = (changes: Partial<typeof EMPTY_FILTER>) =>
      names(filterTenants(ALL, { ...EMPTY_FILTER, ...changes }, NOW));
    expect(run({ criticalOrHigh: true })).toEqual(["beta", "Gamma", "Delta 10"]);
    expect(run({ stale: true })).toEqual(["beta", "Gamma"]);
    expect(run({ demo: "demo" })).toEqual(["Alpha"]);
    expect(run({ demo: "real" })).toEqual(["beta", "Gamma", "Delta 10"]);
    expect(run({ baseline: "Finance" })).toEqual(["beta"]);
    expect(run({ baseline: "MSP Standard" })).toEqual(["Alpha", "beta"]);
    expect(run({ baseline: NO_BASELINE })).toEqual(["Gamma", "Delta 10"]);
    expect(run({ criticalOrHigh: true, stale: true, baseline: NO_BASELINE })).toEqual(["Gamma"]);
    expect(isFiltered(EMPTY_FILTER)).toBe(false);
    expect(isFiltered({ ...EMPTY_FILTER, search: "  " })).toBe(false);
    expect(isFiltered({ ...EMPTY_FILTER, demo: "real" })).toBe(true);
  });

  it("lists the assigned baselines once, by name", () => {
    expect(baselineNames(ALL)).toEqual(["Finance", "MSP Standard"]);
  });

  it("sorts by score with unreviewed tenants last in both directions", () => {
    expect(names(sortTenants(ALL, { column: "score", direction: "ascending" }))).toEqual([
      "beta",
      "Alpha",
      "Delta 10",
      "Gamma",
    ]);
    expect(names(sortTenants(ALL, { column: "score", direction: "descending" }))).toEqual([
      "Delta 10",
      "Alpha",
      "beta",
      "Gamma",
    ]);
  });

  it("sorts by open findings, most severe first, and by name ignoring case", () => {
    expect(names(sortTenants(ALL, { column: "open", direction: "descending" }))).toEqual([
      "Delta 10",
      "beta",
      "Gamma",
      "Alpha",
    ]);
    expect(names(sortTenants(ALL, { column: "name", direction: "ascending" }))).toEqual([
      "Alpha",
      "beta",
      "Delta 10",
      "Gamma",
    ]);
  });

  it("sorts by last capture with never-captured as the oldest, and by trend change", () => {
    expect(names(sortTenants(ALL, { column: "lastCapture", direction: "ascending" }))).toEqual([
      "Gamma",
      "beta",
      "Alpha",
      "Delta 10",
    ]);
    expect(trendChange(A)).toBe(12);
    expect(trendChange(D)).toBeNull();
    expect(names(sortTenants(ALL, { column: "trend", direction: "ascending" }))).toEqual([
      "Alpha",
      "beta",
      "Delta 10",
      "Gamma",
    ]);
  });

  it("summarises the tenants shown", () => {
    expect(summarize(ALL, NOW)).toEqual({
      tenants: 4,
      reviewed: 3,
      averageScore: (92 + 55.5 + 100) / 3,
      critical: 2,
      high: 5,
      overdue: 1,
      stale: 2,
    });
    expect(summarize([C], NOW).averageScore).toBeNull();
  });

  it("bands scores and buckets them by ten points, 100 in the last bucket", () => {
    expect([scoreBand(null), scoreBand(69.9), scoreBand(70), scoreBand(89.99), scoreBand(90)]).toEqual(
      ["none", "poor", "fair", "fair", "good"],
    );
    const { buckets, unscored } = scoreHistogram([
      ...ALL,
      tenant({ name: "z", score: 0 }),
      tenant({ name: "y", score: 9.99 }),
    ]);
    expect(unscored).toBe(1);
    expect(buckets.map((b) => b.count)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(buckets[9]).toEqual({ from: 90, to: 100, count: 2 });
    expect(buckets[0]).toEqual({ from: 0, to: 9, count: 2 });
  });

  it("orders the heatmap worst first: criticals, then highs, mediums, lows, then the lowest score", () => {
    expect(names(worstFirst(ALL))).toEqual(["Delta 10", "beta", "Gamma", "Alpha"]);
  });

  it("remembers the view and survives damaged or foreign stored values", () => {
    expect(savedView()).toEqual({ filter: EMPTY_FILTER, sort: DEFAULT_SORT });
    const view = {
      filter: { ...EMPTY_FILTER, search: "gold", stale: true, baseline: "Finance" },
      sort: { column: "open" as const, direction: "descending" as const },
    };
    saveView(view);
    expect(savedView()).toEqual(view);

    window.localStorage.setItem("plumbline.portfolio.view", "{not json");
    expect(savedView()).toEqual({ filter: EMPTY_FILTER, sort: DEFAULT_SORT });
    window.localStorage.setItem(
      "plumbline.portfolio.view",
      JSON.stringify({ filter: { demo: "martian", search: 7 }, sort: { column: "colour" } }),
    );
    expect(savedView()).toEqual({ filter: EMPTY_FILTER, sort: DEFAULT_SORT });
  });
});
