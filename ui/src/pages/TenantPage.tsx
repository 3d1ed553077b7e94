// A tenant's page: score trend, capture timeline, drift by baseline, what changed between
// two captures (added, removed — ghost policies — and changed), ids that no captured
// directory object names, its open drift findings, and a background review.

import {
  Badge,
  Body1,
  Button,
  Card,
  Dropdown,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwiseRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import {
  BackendError,
  useBackend,
  type CaptureComparison,
  type CaptureView,
  type ChangedPolicy,
  type FindingPage,
  type ScorePoint,
  type TenantOverview,
} from "../backend";
import { formatNumber } from "../format";
import { hrefWith } from "../router";
import { PageHeader } from "../shell/PageHeader";
import { useLoad } from "../useLoad";
import { TenantActions } from "./tenant/TenantActions";
import { dateOnly, SeverityBadge, StatusBadge } from "./findings/labels";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(380px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalS,
  },
  row: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  chart: {
    width: "100%",
    height: "140px",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    maxHeight: "220px",
    overflowY: "auto",
  },
  heading: {
    margin: 0,
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
  },
  // A block link: long policy names wrap inside one box (a wrapped inline link's centre
  // can fall outside it, where a click lands on nothing).
  findingLink: {
    display: "block",
    wordBreak: "break-word",
  },
  wrap: {
    wordBreak: "break-word",
  },
});


function ScoreChart(props: { points: ScorePoint[] }) {
  const styles = useStyles();
  const scored = props.points.filter((p): p is ScorePoint & { score: number } => p.score !== null);
  if (scored.length === 0) {
    return <Body1 className={styles.muted}>No score yet: review the tenant to get one.</Body1>;
  }
  const width = 400;
  const height = 120;
  const x = (i: number) => (scored.length === 1 ? width / 2 : (i / (scored.length - 1)) * width);
  const y = (score: number) => height - (score / 100) * height;
  const path = scored.map((p, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(p.score)}`).join(" ");
  const latest = scored[scored.length - 1]?.score ?? 0;
  return (
    <>
      <Text data-testid="latest-score">
        Score <strong>{latest.toFixed(1)}</strong> of 100 after {formatNumber(scored.length)}{" "}
        {scored.length === 1 ? "review" : "reviews"}
      </Text>
      <svg
        className={styles.chart}
        viewBox={`-4 -4 ${width + 8} ${height + 8}`}
        role="img"
        aria-label={`Score trend: ${scored.map((p) => p.score.toFixed(1)).join(", ")}`}
        preserveAspectRatio="none"
      >
        <line x1={0} x2={width} y1={y(50)} y2={y(50)} stroke="currentColor" opacity={0.15} />
        <path d={path} fill="none" stroke={tokens.colorBrandStroke1} strokeWidth={2} />
        {scored.map((p, i) => (
          <circle key={i} cx={x(i)} cy={y(p.score)} r={3} fill={tokens.colorBrandForeground1}>
            <title>{`${dateOnly(p.at)}: ${p.score.toFixed(1)}`}</title>
          </circle>
        ))}
      </svg>
    </>
  );
}

function PolicyList(props: { title: string; policies: ChangedPolicy[]; testId: string }) {
  const styles = useStyles();
  return (
    <div data-testid={props.testId}>
      <Text weight="semibold">
        {props.title} ({formatNumber(props.policies.length)})
      </Text>
      {props.policies.length > 0 ? (
        <ul className={styles.list}>
          {props.policies.map((p) => (
            <li key={`${p.kind}/${p.externalId}`}>
              {p.name} <span className={styles.muted}>({p.kind})</span>
              {p.settingsChanged ? " · settings" : ""}
              {p.assignmentsChanged ? " · assignments" : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function captureLabel(c: CaptureView): string {
  return `${c.takenAt.replace("T", " ").slice(0, 16)} · ${formatNumber(c.itemCount)} items (${c.source})`;
}

function Changes(props: { captures: CaptureView[] }) {
  const styles = useStyles();
  const backend = useBackend();
  const { captures } = props;
  const [from, setFrom] = useState(captures[1]?.id ?? "");
  const [to, setTo] = useState(captures[0]?.id ?? "");
  const key = `${from}>${to}`;
  // Answers are kept with the pair they answer: a stale one is never shown.
  const [answer, setAnswer] = useState<{
    key: string;
    result: CaptureComparison | null;
    error: string | null;
  } | null>(null);

  useEffect(() => {
    if (!from || !to) return;
    let current = true;
    const pair = `${from}>${to}`;
    backend.compareCaptures(from, to).then(
      (result) => {
        if (current) setAnswer({ key: pair, result, error: null });
      },
      (thrown: unknown) => {
        if (current) setAnswer({ key: pair, result: null, error: BackendError.from(thrown).message });
      },
    );
    return () => {
      current = false;
    };
  }, [backend, from, to]);
  const result = answer?.key === key ? answer.result : null;
  const error = answer?.key === key ? answer.error : null;

  if (captures.length < 2) {
    return (
      <Body1 className={styles.muted}>
        One capture only: import or take another capture to see what changed.
      </Body1>
    );
  }
  const picker = (label: string, value: string, set: (v: string) => void) => (
    <Dropdown
      aria-label={label}
      value={captures.find((c) => c.id === value) ? captureLabel(captures.find((c) => c.id === value) as CaptureView) : ""}
      selectedOptions={[value]}
      onOptionSelect={(_, data) => set(data.optionValue ?? value)}
    >
      {captures.map((c) => (
        <Option key={c.id} value={c.id} text={captureLabel(c)}>
          {captureLabel(c)}
        </Option>
      ))}
    </Dropdown>
  );
  return (
    <>
      <div className={styles.row}>
        <Text>From</Text>
        {picker("Earlier capture", from, setFrom)}
        <Text>to</Text>
        {picker("Later capture", to, setTo)}
      </div>
      {error ? (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      ) : null}
      {result === null && error === null ? <Spinner size="tiny" label="Comparing…" /> : null}
      {result ? (
        <div className={styles.stack} data-testid="capture-changes">
          <PolicyList title="Added" policies={result.added} testId="changes-added" />
          <PolicyList
            title="Removed (ghost policies)"
            policies={result.removed}
            testId="changes-removed"
          />
          <PolicyList title="Changed" policies={result.changed} testId="changes-changed" />
          {result.notComparedKinds.length > 0 ? (
            <Body1 className={styles.muted}>
              Not compared (failed in the later capture): {result.notComparedKinds.join(", ")}
            </Body1>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

function TenantFindings(props: { tenantId: string; version: number }) {
  const styles = useStyles();
  const backend = useBackend();
  const { tenantId, version } = props;
  const load = useCallback(async (): Promise<FindingPage> => {
    void version;
    return backend.queryFindings({
      tenantIds: [tenantId],
      severities: [],
      statuses: ["open", "acknowledged"],
      kinds: ["drift"],
      baselines: [],
      due: null,
      search: "",
      sort: "severity",
      offset: 0,
      limit: 50,
    });
  }, [backend, tenantId, version]);
  const { state } = useLoad(load);
  if (state.status === "loading") return <Spinner size="tiny" label="Loading findings…" />;
  if (state.status === "error") {
    return (
      <MessageBar intent="error">
        <MessageBarBody>{state.error.message}</MessageBarBody>
      </MessageBar>
    );
  }
  const page = state.data;
  if (page.matched === 0) {
    return (
      <Body1 className={styles.muted} data-testid="tenant-no-findings">
        No open drift findings. Review the tenant to compare its latest capture with its
        baselines.
      </Body1>
    );
  }
  return (
    <>
      <Text>
        {formatNumber(page.matched)} open drift findings
        {page.matched > page.rows.length ? ` (the first ${page.rows.length} shown)` : ""} ·{" "}
        <Link href={hrefWith("findings")}>all findings</Link>
      </Text>
      <Table size="small" aria-label="Open drift findings">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Severity</TableHeaderCell>
            <TableHeaderCell>Finding</TableHeaderCell>
            <TableHeaderCell>Baseline</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {page.rows.map((f) => (
            <TableRow key={f.id} data-testid="tenant-finding">
              <TableCell>
                <SeverityBadge severity={f.severity} />
              </TableCell>
              <TableCell>
                <Link
                  href={hrefWith("findings", f.id)}
                  className={styles.findingLink}
                  data-testid="tenant-finding-link"
                >
                  {f.title}
                </Link>
              </TableCell>
              <TableCell className={styles.wrap}>{f.baseline ?? "—"}</TableCell>
              <TableCell>
                <StatusBadge status={f.status} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

function OverviewBody(props: { overview: TenantOverview; onReviewed: () => void; version: number }) {
  const styles = useStyles();
  const { overview } = props;
  const { tenant } = overview;
  return (
    <>
      <PageHeader
        title={tenant.name}
        description={[tenant.primaryDomain, tenant.isDemo ? "demo data" : null]
          .filter(Boolean)
          .join(" · ")}
      />
      <Card className={styles.card}>
        <TenantActions tenantId={tenant.id} onChanged={props.onReviewed} />
      </Card>
      <div className={styles.grid}>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            Score trend
          </Subtitle2>
          <ScoreChart points={overview.scores} />
        </Card>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            Drift by baseline
          </Subtitle2>
          {overview.driftByBaseline.length === 0 ? (
            <Body1 className={styles.muted}>No findings yet.</Body1>
          ) : (
            <Table size="small" aria-label="Drift by baseline" data-testid="drift-by-baseline">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Baseline</TableHeaderCell>
                  <TableHeaderCell>Open</TableHeaderCell>
                  <TableHeaderCell>Ack.</TableHeaderCell>
                  <TableHeaderCell>Accepted</TableHeaderCell>
                  <TableHeaderCell>Resolved</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {overview.driftByBaseline.map((d) => (
                  <TableRow key={`${d.source}/${d.name}`}>
                    <TableCell className={styles.wrap}>{d.name}</TableCell>
                    <TableCell>{formatNumber(d.open)}</TableCell>
                    <TableCell>{formatNumber(d.acknowledged)}</TableCell>
                    <TableCell>{formatNumber(d.riskAccepted)}</TableCell>
                    <TableCell>{formatNumber(d.resolved)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Card>
      </div>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          Open drift findings
        </Subtitle2>
        <TenantFindings tenantId={tenant.id} version={props.version} />
      </Card>
      <div className={styles.grid}>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            Capture timeline
          </Subtitle2>
          {overview.captures.length === 0 ? (
            <Body1 className={styles.muted}>
              No captures yet: import one with <code>plumbline import</code>.
            </Body1>
          ) : (
            <ol className={styles.list} data-testid="capture-timeline">
              {overview.captures.map((c) => (
                <li key={c.id}>
                  {captureLabel(c)}
                  {c.failedKinds.length > 0 ? (
                    <>
                      {" "}
                      <Badge color="warning" appearance="tint">
                        {`failed: ${c.failedKinds.join(", ")}`}
                      </Badge>
                    </>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            Changes between captures
          </Subtitle2>
          <Changes captures={overview.captures} />
        </Card>
      </div>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          Unresolved directory ids
        </Subtitle2>
        {overview.unresolvedIds.length === 0 ? (
          <Body1 className={styles.muted} data-testid="unresolved-none">
            Every group, filter and location id in the latest capture resolves to a name.
          </Body1>
        ) : (
          <>
            <Body1>
              These ids name no captured directory object, so their settings cannot be compared
              across tenants. Capture the tenant&apos;s groups and filters too.
            </Body1>
            <Table size="small" aria-label="Unresolved directory ids" data-testid="unresolved-ids">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Id</TableHeaderCell>
                  <TableHeaderCell>Policy</TableHeaderCell>
                  <TableHeaderCell>Kind</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {overview.unresolvedIds.map((u, i) => (
                  <TableRow key={i}>
                    <TableCell className={styles.mono}>{u.id}</TableCell>
                    <TableCell>{u.policy}</TableCell>
                    <TableCell>{u.kind}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </Card>
    </>
  );
}

export function TenantPage(props: { tenantId: string }) {
  const styles = useStyles();
  const backend = useBackend();
  const { tenantId } = props;
  const [version, setVersion] = useState(0);
  const load = useCallback(async (): Promise<TenantOverview> => {
    void version;
    return backend.tenantOverview(tenantId);
  }, [backend, tenantId, version]);
  // A new `load` keeps the previous answer on screen until the next arrives (useLoad).
  const { state } = useLoad(load);
  const onReviewed = useCallback(() => setVersion((v) => v + 1), []);
  const shown = state.status === "ready" ? state.data : null;
  return (
    <div className={styles.stack} data-testid="tenant-page">
      {shown === null && state.status === "loading" ? <Spinner label="Loading the tenant…" /> : null}
      {state.status === "error" ? (
        <MessageBar intent="error" data-testid="tenant-error">
          <MessageBarBody>
            <MessageBarTitle>Couldn&apos;t load the tenant</MessageBarTitle>
            {state.error.message}
          </MessageBarBody>
          <Button icon={<ArrowClockwiseRegular />} onClick={onReviewed}>
            Retry
          </Button>
        </MessageBar>
      ) : null}
      {shown !== null ? (
        <OverviewBody overview={shown} onReviewed={onReviewed} version={version} />
      ) : null}
    </div>
  );
}
