// The Portfolio part of the fake backend: the overview computed from the fake's tenants,
// findings, scores and assignments the way `Store::portfolio_overview` computes it from
// the database (open means open or acknowledged; categories in the kind registry's order,
// unknown kinds after them by key; the trend is the last twelve scored reviews).

import type {
  CategoryCounts,
  FindingView,
  PortfolioCategory,
  PortfolioOverview,
  PortfolioTenant,
  ScorePoint,
  SeverityCounts,
  TenantRow,
} from "./types";

/** The resource kinds of `core/src/kinds.rs`, in registry order, with their labels. */
const KINDS: readonly (readonly [string, string])[] = [
  ["settings_catalog", "Settings catalog"],
  ["windows_update_ring", "Windows update ring"],
  ["windows_feature_update", "Windows feature update profile"],
  ["windows_quality_update", "Windows quality update profile"],
  ["windows_driver_update", "Windows driver update profile"],
  ["compliance_policy", "Compliance policy"],
  ["administrative_template", "Administrative template"],
  ["device_configuration", "Device configuration"],
  ["conditional_access", "Conditional Access policy"],
  ["app_protection", "App protection policy"],
  ["endpoint_security_intent", "Endpoint security (template)"],
];

/** Reviews kept per tenant for the trend (`PORTFOLIO_HISTORY`). */
const HISTORY = 12;
const ACTIVE = ["open", "acknowledged"];

export interface FakePortfolioData {
  /** Review scores by tenant id, oldest first; else the tenant page's scores, if any. */
  scores?: Record<string, ScorePoint[]>;
  /** Assigned baseline names by tenant id. */
  assignments?: Record<string, string[]>;
}

function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

function add(counts: SeverityCounts, severity: string): void {
  if (severity === "critical" || severity === "high" || severity === "medium") {
    counts[severity] += 1;
  } else {
    counts.low += 1;
  }
}

function categoryOrder(keys: Set<string>): PortfolioCategory[] {
  const known = KINDS.filter(([key]) => keys.has(key)).map(([key, label]) => ({ key, label }));
  const knownKeys = new Set(KINDS.map(([key]) => key));
  const unknown = [...keys]
    .filter((key) => !knownKeys.has(key))
    .sort()
    .map((key) => ({ key, label: "Unknown kind" }));
  return [...known, ...unknown];
}

export function fakePortfolioOverview(input: {
  tenants: readonly TenantRow[];
  findings: readonly FindingView[];
  scores: (tenantId: string) => ScorePoint[];
  assignments: Record<string, string[]>;
  now: number;
}): PortfolioOverview {
  const ordered = [...input.tenants].sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  const used = new Set<string>();
  const cells = new Map<string, Map<string, SeverityCounts>>();
  const rows: PortfolioTenant[] = ordered.map((tenant) => {
    const scores = input.scores(tenant.id);
    const latest = scores[scores.length - 1];
    return {
      id: tenant.id,
      name: tenant.name,
      primaryDomain: tenant.primaryDomain,
      tags: [...tenant.tags],
      isDemo: tenant.isDemo,
      score: latest?.score ?? null,
      reviewedAt: latest?.at ?? null,
      trend: scores
        .filter((s) => s.score !== null)
        .slice(-HISTORY)
        .map((s) => ({ at: s.at, score: s.score })),
      open: emptyCounts(),
      overdue: 0,
      captureCount: tenant.captureCount,
      lastCaptureAt: tenant.lastCaptureAt,
      itemCount: tenant.itemCount,
      failedKinds: [...tenant.failedKinds].sort(),
      baselines: [...(input.assignments[tenant.id] ?? [])].sort((a, b) =>
        a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
      ),
      byCategory: [],
    };
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const finding of input.findings) {
    const row = byId.get(finding.tenantId);
    if (!row || !ACTIVE.includes(finding.status)) continue;
    add(row.open, finding.severity);
    if (finding.dueAt !== null && Date.parse(finding.dueAt) < input.now) row.overdue += 1;
    used.add(finding.resourceKind);
    const tenantCells = cells.get(row.id) ?? new Map<string, SeverityCounts>();
    cells.set(row.id, tenantCells);
    const cell = tenantCells.get(finding.resourceKind) ?? emptyCounts();
    tenantCells.set(finding.resourceKind, cell);
    add(cell, finding.severity);
  }
  const categories = categoryOrder(used);
  for (const row of rows) {
    const tenantCells = cells.get(row.id);
    if (!tenantCells) continue;
    row.byCategory = categories
      .filter((c) => tenantCells.has(c.key))
      .map((c): CategoryCounts => ({ category: c.key, open: tenantCells.get(c.key) ?? emptyCounts() }));
  }
  return { tenants: rows, categories, asOf: new Date(input.now).toISOString() };
}
