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
import { formatNumber, formatScore } from "../format";
import { useMessages } from "../i18n";
import { hrefWith } from "../router";
import { PageHeader } from "../shell/PageHeader";
import { useLoad } from "../useLoad";
import { TenantActions } from "./tenant/TenantActions";
import { messages } from "./tenant/messages";
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


type Messages = (typeof messages)["en"];

function ScoreChart(props: { points: ScorePoint[] }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const scored = props.points.filter((p): p is ScorePoint & { score: number } => p.score !== null);
  if (scored.length === 0) {
    return <Body1 className={styles.muted}>{m.noScore}</Body1>;
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
        {m.score} <strong>{formatScore(latest)}</strong> {m.scoreOf(scored.length)}
      </Text>
      <svg
        className={styles.chart}
        viewBox={`-4 -4 ${width + 8} ${height + 8}`}
        role="img"
        aria-label={m.scoreTrendLabel(scored.map((p) => formatScore(p.score)))}
        preserveAspectRatio="none"
      >
        <line x1={0} x2={width} y1={y(50)} y2={y(50)} stroke="currentColor" opacity={0.15} />
        <path d={path} fill="none" stroke={tokens.colorBrandStroke1} strokeWidth={2} />
        {scored.map((p, i) => (
          <circle key={i} cx={x(i)} cy={y(p.score)} r={3} fill={tokens.colorBrandForeground1}>
            <title>{`${dateOnly(p.at)}: ${formatScore(p.score)}`}</title>
          </circle>
        ))}
      </svg>
    </>
  );
}

function PolicyList(props: { title: string; policies: ChangedPolicy[]; testId: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
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
              {p.settingsChanged ? m.settingsChanged : ""}
              {p.assignmentsChanged ? m.assignmentsChanged : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function captureLabel(c: CaptureView, m: Messages): string {
  return `${c.takenAt.replace("T", " ").slice(0, 16)} · ${m.captureItems(c.itemCount)} (${m.captureSource(c.source)})`;
}

function Changes(props: { captures: CaptureView[] }) {
  const styles = useStyles();
  const backend = useBackend();
  const m = useMessages(messages);
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
      <Body1 className={styles.muted}>{m.oneCaptureOnly}</Body1>
    );
  }
  const picker = (label: string, value: string, set: (v: string) => void) => (
    <Dropdown
      aria-label={label}
      value={captures.find((c) => c.id === value) ? captureLabel(captures.find((c) => c.id === value) as CaptureView, m) : ""}
      selectedOptions={[value]}
      onOptionSelect={(_, data) => set(data.optionValue ?? value)}
    >
      {captures.map((c) => (
        <Option key={c.id} value={c.id} text={captureLabel(c, m)}>
          {captureLabel(c, m)}
        </Option>
      ))}
    </Dropdown>
  );
  return (
    <>
      <div className={styles.row}>
        <Text>{m.from}</Text>
        {picker(m.earlierCapture, from, setFrom)}
        <Text>{m.to}</Text>
        {picker(m.laterCapture, to, setTo)}
      </div>
      {error ? (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      ) : null}
      {result === null && error === null ? <Spinner size="tiny" label={m.comparing} /> : null}
      {result ? (
        <div className={styles.stack} data-testid="capture-changes">
          <PolicyList title={m.added} policies={result.added} testId="changes-added" />
          <PolicyList
            title={m.removed}
            policies={result.removed}
            testId="changes-removed"
          />
          <PolicyList title={m.changed} policies={result.changed} testId="changes-changed" />
          {result.notComparedKinds.length > 0 ? (
            <Body1 className={styles.muted}>
              {m.notCompared(result.notComparedKinds.join(", "))}
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
  const m = useMessages(messages);
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
  if (state.status === "loading") return <Spinner size="tiny" label={m.loadingFindings} />;
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
        {m.noOpenDriftFindings}
      </Body1>
    );
  }
  return (
    <>
      <Text>
        {m.openDriftCount(page.matched, page.rows.length)} ·{" "}
        <Link href={hrefWith("findings")}>{m.allFindings}</Link>
      </Text>
      <Table size="small" aria-label={m.openDriftFindings}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{m.severity}</TableHeaderCell>
            <TableHeaderCell>{m.finding}</TableHeaderCell>
            <TableHeaderCell>{m.baseline}</TableHeaderCell>
            <TableHeaderCell>{m.status}</TableHeaderCell>
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
  const m = useMessages(messages);
  const { overview } = props;
  const { tenant } = overview;
  return (
    <>
      <PageHeader
        title={tenant.name}
        description={[tenant.primaryDomain, tenant.isDemo ? m.demoData : null]
          .filter(Boolean)
          .join(" · ")}
      />
      <Card className={styles.card}>
        <TenantActions tenantId={tenant.id} onChanged={props.onReviewed} />
      </Card>
      <div className={styles.grid}>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            {m.scoreTrend}
          </Subtitle2>
          <ScoreChart points={overview.scores} />
        </Card>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            {m.driftByBaseline}
          </Subtitle2>
          {overview.driftByBaseline.length === 0 ? (
            <Body1 className={styles.muted}>{m.noFindingsYet}</Body1>
          ) : (
            <Table size="small" aria-label={m.driftByBaseline} data-testid="drift-by-baseline">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{m.baseline}</TableHeaderCell>
                  <TableHeaderCell>{m.open}</TableHeaderCell>
                  <TableHeaderCell>{m.acknowledgedShort}</TableHeaderCell>
                  <TableHeaderCell>{m.accepted}</TableHeaderCell>
                  <TableHeaderCell>{m.resolved}</TableHeaderCell>
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
          {m.openDriftFindings}
        </Subtitle2>
        <TenantFindings tenantId={tenant.id} version={props.version} />
      </Card>
      <div className={styles.grid}>
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.heading}>
            {m.captureTimeline}
          </Subtitle2>
          {overview.captures.length === 0 ? (
            <Body1 className={styles.muted}>
              {m.noCaptures(<code>plumbline import</code>)}
            </Body1>
          ) : (
            <ol className={styles.list} data-testid="capture-timeline">
              {overview.captures.map((c) => (
                <li key={c.id}>
                  {captureLabel(c, m)}
                  {c.failedKinds.length > 0 ? (
                    <>
                      {" "}
                      <Badge color="warning" appearance="tint">
                        {m.failedKinds(c.failedKinds.join(", "))}
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
            {m.changesBetweenCaptures}
          </Subtitle2>
          <Changes captures={overview.captures} />
        </Card>
      </div>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          {m.unresolvedIds}
        </Subtitle2>
        {overview.unresolvedIds.length === 0 ? (
          <Body1 className={styles.muted} data-testid="unresolved-none">
            {m.everyIdResolves}
          </Body1>
        ) : (
          <>
            <Body1>{m.unresolvedExplained}</Body1>
            <Table size="small" aria-label={m.unresolvedIds} data-testid="unresolved-ids">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{m.id}</TableHeaderCell>
                  <TableHeaderCell>{m.policy}</TableHeaderCell>
                  <TableHeaderCell>{m.kind}</TableHeaderCell>
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
  const m = useMessages(messages);
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
      {shown === null && state.status === "loading" ? <Spinner label={m.loading} /> : null}
      {state.status === "error" ? (
        <MessageBar intent="error" data-testid="tenant-error">
          <MessageBarBody>
            <MessageBarTitle>{m.couldNotLoad}</MessageBarTitle>
            {state.error.message}
          </MessageBarBody>
          <Button icon={<ArrowClockwiseRegular />} onClick={onReviewed}>
            {m.retry}
          </Button>
        </MessageBar>
      ) : null}
      {shown !== null ? (
        <OverviewBody overview={shown} onReviewed={onReviewed} version={version} />
      ) : null}
    </div>
  );
}
