// The console part of the fake backend: findings with their lifecycle, tenant pages,
// capture comparisons, policy diffs and background reviews, behaving at the interface
// as the Rust side does (same filters, same order, same refusals), from plain data.

import {
  BackendError,
  type AcceptanceRow,
  type CaptureComparison,
  type ConsoleFinding,
  type DecisionOutcome,
  type DecisionRequest,
  type FindingDetail,
  type FindingPage,
  type FindingQuery,
  type FindingView,
  type PolicyDiff,
  type ScorePoint,
  type SettingWords,
  type SeverityCounts,
  type TenantOverview,
  type TransitionView,
} from "./types";

/** A finding as the fake keeps it: the full view plus its history and acceptances. */
export interface FakeFinding {
  finding: FindingView;
  history: TransitionView[];
  acceptances: AcceptanceRow[];
  /** The setting in the catalog's words, where the device knows its definition. */
  setting?: SettingWords | null;
}

export interface FakeConsoleData {
  findings?: FakeFinding[];
  /** Tenant pages by tenant id (the tenant row inside is what the page shows). */
  overviews?: Record<string, TenantOverview>;
  /** Comparisons by `${from}>${to}`. */
  comparisons?: Record<string, CaptureComparison>;
  /** Diffs by finding id. */
  diffs?: Record<string, PolicyDiff>;
  fourEyes?: boolean;
  actor?: string;
  /** The time the fake takes as now, for due dates and expiries. */
  now?: () => number;
}

const SEVERITIES = ["critical", "high", "medium", "low"];

/** A finding with neutral defaults, for building fixtures in a line. */
export function makeFinding(
  fields: Partial<FindingView> & Pick<FindingView, "id" | "tenant">,
): FakeFinding {
  const finding: FindingView = {
    tenantId: `tenant-${fields.tenant.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
    source: "drift",
    baseline: "MSP Standard",
    rule: null,
    resourceKind: "settings_catalog",
    item: "Win - Policy",
    settingPath: "setting",
    driftKind: "setting_changed",
    severity: "medium",
    title: `Finding ${fields.id}`,
    expected: "true",
    actual: "false",
    status: "open",
    notAssessed: false,
    reopenCount: 0,
    firstSeenAt: "2026-11-01T00:00:00.000Z",
    lastSeenAt: "2026-11-19T00:00:00.000Z",
    dueAt: "2026-12-01T00:00:00.000Z",
    acceptedUntil: null,
    ...fields,
  };
  return {
    finding,
    history: [
      {
        at: finding.firstSeenAt,
        fromStatus: null,
        toStatus: "open",
        actor: "reviewer",
        reason: "observed by review",
        superseded: null,
      },
    ],
    acceptances: [],
  };
}

function row(f: FindingView): ConsoleFinding {
  return {
    id: f.id,
    tenantId: f.tenantId,
    tenant: f.tenant,
    source: f.source,
    baseline: f.baseline,
    rule: f.rule,
    resourceKind: f.resourceKind,
    item: f.item,
    settingPath: f.settingPath,
    driftKind: f.driftKind,
    severity: f.severity,
    title: f.title,
    status: f.status,
    notAssessed: f.notAssessed,
    reopenCount: f.reopenCount,
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
    dueAt: f.dueAt,
    acceptedUntil: f.acceptedUntil,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bySeverity(a: FindingView, b: FindingView): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compare(a.tenant, b.tenant) ||
    compare(a.item, b.item) ||
    compare(a.settingPath, b.settingPath)
  );
}

const ACTIVE = ["open", "acknowledged"];
const WEEK = 7 * 24 * 60 * 60 * 1000;

/** The lifecycle of `plumbline_core::findings::decide`. */
function nextStatus(from: string, action: DecisionRequest["action"]): string | null {
  const active = ACTIVE.includes(from);
  switch (action) {
    case "acknowledge":
      return from === "open" ? "acknowledged" : null;
    case "resolve":
      return active ? "resolved" : null;
    case "false_positive":
      return active || from === "risk_accepted" ? "false_positive" : null;
    case "reopen":
      return active ? null : "open";
    case "accept_risk":
      return active ? "risk_accepted" : null;
  }
}

export class FakeConsole {
  private findings: FakeFinding[];
  private overviews: Record<string, TenantOverview>;
  private comparisons: Record<string, CaptureComparison>;
  private diffs: Record<string, PolicyDiff>;
  readonly fourEyes: boolean;
  readonly actor: string;
  private now: () => number;
  /** Decisions asked, in order. */
  readonly decisions: DecisionRequest[] = [];
  /** Queries asked, in order. */
  readonly queries: FindingQuery[] = [];

  constructor(data: FakeConsoleData = {}) {
    this.findings = structuredClone(data.findings ?? []);
    this.overviews = structuredClone(data.overviews ?? {});
    this.comparisons = structuredClone(data.comparisons ?? {});
    this.diffs = structuredClone(data.diffs ?? {});
    this.fourEyes = data.fourEyes ?? false;
    this.actor = data.actor ?? "operator";
    this.now = data.now ?? (() => Date.now());
  }

  query(query: FindingQuery): FindingPage {
    this.queries.push(structuredClone(query));
    const words = query.search.toLowerCase().split(/\s+/).filter(Boolean);
    const now = this.now();
    const matches = this.findings
      .map((f) => f.finding)
      .filter((f) => {
        if (query.tenantIds.length > 0 && !query.tenantIds.includes(f.tenantId)) return false;
        if (query.severities.length > 0 && !query.severities.includes(f.severity)) return false;
        if (query.statuses.length > 0 && !query.statuses.includes(f.status)) return false;
        if (query.kinds.length > 0 && !query.kinds.includes(f.source)) return false;
        if (query.baselines.length > 0 && !query.baselines.includes(f.baseline ?? "\u0000"))
          return false;
        if (query.due !== null) {
          const due = f.dueAt === null ? null : Date.parse(f.dueAt);
          if (!ACTIVE.includes(f.status) || due === null) return false;
          if (query.due === "overdue" && !(due < now)) return false;
          if (query.due === "next_seven_days" && !(due >= now && due < now + WEEK)) return false;
          if (query.due === "later" && !(due >= now + WEEK)) return false;
        }
        const text = [f.title, f.item, f.settingPath, f.tenant, f.baseline ?? "", f.rule ?? "", f.id]
          .join("\u001f")
          .toLowerCase();
        return words.every((w) => text.includes(w));
      })
      .sort(bySeverity);
    if (query.sort === "due") {
      matches.sort((a, b) => compare(a.dueAt ?? "\uffff", b.dueAt ?? "\uffff"));
    } else if (query.sort === "tenant") {
      matches.sort((a, b) => compare(a.tenant, b.tenant));
    } else if (query.sort === "last_seen") {
      matches.sort((a, b) => compare(b.lastSeenAt, a.lastSeenAt));
    }
    const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const f of matches) counts[f.severity as keyof SeverityCounts] += 1;
    const baselines = [
      ...new Set(this.findings.map((f) => f.finding.baseline).filter((b) => b !== null)),
    ].sort();
    return {
      total: this.findings.length,
      matched: matches.length,
      offset: query.offset,
      rows: matches.slice(query.offset, query.offset + Math.min(query.limit, 2000)).map(row),
      severityCounts: counts,
      baselines,
      filterMicros: 0,
    };
  }

  private find(id: string): FakeFinding {
    const found = this.findings.find((f) => f.finding.id === id);
    if (!found) throw new BackendError("not_found", `finding not found: ${id}`);
    return found;
  }

  detail(id: string): FindingDetail {
    const found = structuredClone(this.find(id));
    return { ...found, setting: found.setting ?? null, fourEyes: this.fourEyes, actor: this.actor };
  }

  decide(request: DecisionRequest): DecisionOutcome {
    this.decisions.push(structuredClone(request));
    if (request.ids.length === 0) {
      throw new BackendError("invalid_input", "Select at least one finding.");
    }
    const reason = request.reason?.trim() || null;
    let expiresAt: string | null = null;
    if (request.action === "accept_risk") {
      if (!reason) {
        throw new BackendError(
          "invalid_input",
          "Write a justification: why is this risk acceptable until the expiry?",
        );
      }
      const until = request.expiresOn?.trim();
      if (!until) throw new BackendError("invalid_input", "Choose the date the acceptance expires.");
      expiresAt = `${until}T23:59:59.000Z`;
      if (Number.isNaN(Date.parse(expiresAt))) {
        throw new BackendError("invalid_input", `The expiry ${until} is not a date (YYYY-MM-DD).`);
      }
    }
    const outcome: DecisionOutcome = { updated: [], failures: [] };
    const at = new Date(this.now()).toISOString();
    for (const id of request.ids) {
      try {
        const found = this.find(id);
        const from = found.finding.status;
        const to = nextStatus(from, request.action);
        if (to === null) {
          throw new BackendError("conflict", `cannot ${request.action} a finding that is ${from}`);
        }
        if (request.action === "accept_risk" && expiresAt !== null) {
          if (Date.parse(expiresAt) <= this.now()) {
            throw new BackendError(
              "conflict",
              "the acceptance must expire in the future: pass --until with a later date",
            );
          }
          const approver = request.approver?.trim() || null;
          if (this.fourEyes && (approver === null || approver === this.actor)) {
            throw new BackendError(
              "conflict",
              `this workspace requires a second person to approve risk acceptances: pass --approver NAME (not ${this.actor})`,
            );
          }
          found.acceptances.push({
            justification: reason ?? "",
            acceptedValue: found.finding.actual,
            acceptedBy: this.actor,
            approvedBy: approver,
            createdAt: at,
            expiresAt,
            lapsedAt: null,
            lapseReason: null,
          });
          found.finding.acceptedUntil = expiresAt;
        }
        if (from === "risk_accepted") {
          found.finding.acceptedUntil = null;
          for (const a of found.acceptances) {
            if (a.lapsedAt === null) {
              a.lapsedAt = at;
              a.lapseReason = "revoked";
            }
          }
        }
        found.finding.status = to;
        found.history.push({
          at,
          fromStatus: from,
          toStatus: to,
          actor: this.actor,
          reason,
          superseded: null,
        });
        outcome.updated.push(structuredClone(found.finding));
      } catch (error) {
        const failure = BackendError.from(error);
        if (request.ids.length === 1) throw failure;
        outcome.failures.push({ id, message: failure.message });
      }
    }
    return outcome;
  }

  /** Every finding as it is now (copies), for the Portfolio's counts. */
  findingViews(): FindingView[] {
    return this.findings.map((f) => structuredClone(f.finding));
  }

  /** The tenant page's review scores, oldest first; none without a page. */
  scoresOf(tenantId: string): ScorePoint[] {
    return structuredClone(this.overviews[tenantId]?.scores ?? []);
  }

  /** The time the fake takes as now. */
  nowMs(): number {
    return this.now();
  }

  overview(tenantId: string): TenantOverview {
    const found = this.overviews[tenantId];
    if (!found) throw new BackendError("not_found", `tenant not found: ${tenantId}`);
    return structuredClone(found);
  }

  compareCaptures(from: string, to: string): CaptureComparison {
    const found = this.comparisons[`${from}>${to}`];
    if (!found) throw new BackendError("not_found", `no comparison of ${from} and ${to}`);
    return structuredClone(found);
  }

  diff(findingId: string): PolicyDiff {
    const found = this.diffs[findingId];
    if (!found) throw new BackendError("not_found", `finding not found: ${findingId}`);
    return structuredClone(found);
  }

  /** Tenant ids with a page, for reviews of the whole portfolio. */
  tenantIds(): string[] {
    return Object.keys(this.overviews);
  }
}
