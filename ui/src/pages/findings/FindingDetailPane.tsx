// The detail pane of the findings table: everything about one finding, the decisions
// its state allows, its policy diff, and its full history (every transition and risk
// acceptance, oldest first).

import {
  Body1,
  Button,
  Caption1,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import { DismissRegular } from "@fluentui/react-icons";
import { useCallback, type ReactNode } from "react";
import { useBackend, type DecisionAction, type FindingDetail } from "../../backend";
import { hrefWith } from "../../router";
import { useLoad } from "../../useLoad";
import { dateOnly, formatValue, kindLabel, SeverityBadge, StatusBadge, statusLabel } from "./labels";

const useStyles = makeStyles({
  pane: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    width: "400px",
    flexShrink: 0,
    overflowY: "auto",
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    // A scrolling flex column: children keep their height (a link would shrink to 0).
    "& > *": {
      flexShrink: 0,
    },
  },
  head: {
    display: "flex",
    alignItems: "flex-start",
    gap: tokens.spacingHorizontalS,
  },
  title: {
    flexGrow: 1,
    margin: 0,
  },
  badges: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground3,
  },
  value: {
    margin: 0,
    wordBreak: "break-word",
  },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
  },
  actions: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
  },
  history: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  step: {
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke1}`,
    paddingLeft: tokens.spacingHorizontalS,
  },
});

/** The decisions a state allows (the lifecycle of `plumbline_core::findings::decide`). */
export function allowedActions(status: string): DecisionAction[] {
  if (status === "open") return ["acknowledge", "resolve", "accept_risk", "false_positive"];
  if (status === "acknowledged") return ["resolve", "accept_risk", "false_positive"];
  if (status === "risk_accepted") return ["false_positive", "reopen"];
  return ["reopen"];
}

export const ACTION_LABELS: Record<DecisionAction, string> = {
  acknowledge: "Acknowledge",
  resolve: "Resolve",
  accept_risk: "Accept risk…",
  false_positive: "False positive",
  reopen: "Re-open",
};

function Fact(props: { term: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <>
      <dt className={styles.term}>{props.term}</dt>
      <dd className={styles.value}>{props.children}</dd>
    </>
  );
}

export function FindingDetailPane(props: {
  id: string;
  /** Bumped by the page after a decision, to load the finding again. */
  version: number;
  onClose: () => void;
  onDecide: (action: DecisionAction, ids: string[]) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const { id, version } = props;
  const load = useCallback(async (): Promise<FindingDetail> => {
    void version;
    return backend.findingDetail(id);
  }, [backend, id, version]);
  const { state } = useLoad(load);

  return (
    <aside className={styles.pane} aria-label="Finding details" data-testid="finding-detail">
      {state.status === "loading" ? <Spinner size="small" label="Loading the finding…" /> : null}
      {state.status === "error" ? (
        <MessageBar intent="error">
          <MessageBarBody>{state.error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === "ready" ? (
        <DetailBody detail={state.data} onClose={props.onClose} onDecide={props.onDecide} />
      ) : null}
    </aside>
  );
}

function DetailBody(props: {
  detail: FindingDetail;
  onClose: () => void;
  onDecide: (action: DecisionAction, ids: string[]) => void;
}) {
  const styles = useStyles();
  const { finding, history, acceptances } = props.detail;
  const actions = allowedActions(finding.status);
  return (
    <>
      <div className={styles.head}>
        <Subtitle2 as="h2" className={styles.title} data-testid="detail-title">
          {finding.title}
        </Subtitle2>
        <Button
          appearance="subtle"
          icon={<DismissRegular />}
          aria-label="Close details"
          onClick={props.onClose}
        />
      </div>
      <div className={styles.badges}>
        <SeverityBadge severity={finding.severity} />
        <span data-testid="detail-status">
          <StatusBadge status={finding.status} />
        </span>
        {finding.notAssessed ? <Caption1>Not assessed in the latest capture</Caption1> : null}
      </div>
      <dl className={styles.facts}>
        <Fact term="Tenant">
          <Link href={hrefWith("tenants", finding.tenantId)}>{finding.tenant}</Link>
        </Fact>
        <Fact term="Kind">{kindLabel(finding.source)}</Fact>
        {finding.baseline ? <Fact term="Baseline">{finding.baseline}</Fact> : null}
        {finding.rule ? <Fact term="Rule">{finding.rule}</Fact> : null}
        <Fact term="Policy">{finding.item}</Fact>
        {finding.settingPath ? (
          <Fact term="Setting">
            <span className={styles.code}>{finding.settingPath}</span>
          </Fact>
        ) : null}
        <Fact term="Expected">
          <span className={styles.code} data-testid="detail-expected">
            {formatValue(finding.expected)}
          </span>
        </Fact>
        <Fact term="Actual">
          <span className={styles.code} data-testid="detail-actual">
            {formatValue(finding.actual)}
          </span>
        </Fact>
        <Fact term="Due">{dateOnly(finding.dueAt)}</Fact>
        {finding.acceptedUntil ? (
          <Fact term="Accepted until">
            <span data-testid="detail-accepted-until">{dateOnly(finding.acceptedUntil)}</span>
          </Fact>
        ) : null}
        <Fact term="First seen">{dateOnly(finding.firstSeenAt)}</Fact>
        <Fact term="Last seen">{dateOnly(finding.lastSeenAt)}</Fact>
        {finding.reopenCount > 0 ? (
          <Fact term="Re-opened">{`${finding.reopenCount} times`}</Fact>
        ) : null}
      </dl>
      <div className={styles.actions}>
        {actions.map((action) => (
          <Button
            key={action}
            appearance={action === "accept_risk" ? "primary" : "secondary"}
            onClick={() => props.onDecide(action, [finding.id])}
            data-testid={`detail-${action}`}
          >
            {ACTION_LABELS[action]}
          </Button>
        ))}
      </div>
      {finding.source === "drift" ? (
        <Link href={`${hrefWith("findings", finding.id)}/diff`} data-testid="open-diff">
          Compare the policy with the baseline
        </Link>
      ) : null}
      <Subtitle2 as="h3">History</Subtitle2>
      <ol className={styles.history} data-testid="detail-history">
        {history.map((step, i) => (
          <li key={i} className={styles.step} data-testid="history-step">
            <Body1>
              {step.fromStatus ? `${statusLabel(step.fromStatus)} → ` : ""}
              {statusLabel(step.toStatus)}
            </Body1>
            <br />
            <Caption1>
              {step.at.replace("T", " ").slice(0, 16)} UTC · {step.actor}
              {step.reason ? ` · ${step.reason}` : ""}
            </Caption1>
          </li>
        ))}
      </ol>
      {acceptances.length > 0 ? (
        <>
          <Subtitle2 as="h3">Risk acceptances</Subtitle2>
          <ol className={styles.history}>
            {acceptances.map((a, i) => (
              <li key={i} className={styles.step} data-testid="acceptance">
                <Body1>{a.justification}</Body1>
                <br />
                <Caption1>
                  Value {formatValue(a.acceptedValue)} · by {a.acceptedBy}
                  {a.approvedBy ? `, approved by ${a.approvedBy}` : ""} · until{" "}
                  {dateOnly(a.expiresAt)}
                  {a.lapsedAt ? ` · lapsed ${dateOnly(a.lapsedAt)} (${a.lapseReason ?? ""})` : ""}
                </Caption1>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </>
  );
}
