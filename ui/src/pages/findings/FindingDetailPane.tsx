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
import { useMessages } from "../../i18n";
import { hrefWith } from "../../router";
import { useLoad } from "../../useLoad";
import { dateOnly, formatValue, kindLabel, SeverityBadge, StatusBadge, statusLabel } from "./labels";
import { messages } from "./messages";

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
  superseded: {
    color: tokens.colorPaletteMarigoldForeground2,
  },
});

/** The decisions a state allows (the lifecycle of `plumbline_core::findings::decide`). */
export function allowedActions(status: string): DecisionAction[] {
  if (status === "open") return ["acknowledge", "resolve", "accept_risk", "false_positive"];
  if (status === "acknowledged") return ["resolve", "accept_risk", "false_positive"];
  if (status === "risk_accepted") return ["false_positive", "reopen"];
  return ["reopen"];
}

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
  const m = useMessages(messages);
  const backend = useBackend();
  const { id, version } = props;
  const load = useCallback(async (): Promise<FindingDetail> => {
    void version;
    return backend.findingDetail(id);
  }, [backend, id, version]);
  const { state } = useLoad(load);

  return (
    <aside className={styles.pane} aria-label={m.findingDetails} data-testid="finding-detail">
      {state.status === "loading" ? <Spinner size="small" label={m.loadingFinding} /> : null}
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

/** A value as the catalog words it (the raw value on hover), else the raw value as code. */
function WordedValue(props: { raw: string; words: string | null | undefined; testId: string }) {
  const styles = useStyles();
  return props.words ? (
    <span data-testid={props.testId} title={props.raw}>
      {props.words}
    </span>
  ) : (
    <span className={styles.code} data-testid={props.testId}>
      {props.raw}
    </span>
  );
}

function DetailBody(props: {
  detail: FindingDetail;
  onClose: () => void;
  onDecide: (action: DecisionAction, ids: string[]) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { finding, history, acceptances, setting } = props.detail;
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
          aria-label={m.closeDetails}
          onClick={props.onClose}
        />
      </div>
      <div className={styles.badges}>
        <SeverityBadge severity={finding.severity} />
        <span data-testid="detail-status">
          <StatusBadge status={finding.status} />
        </span>
        {finding.notAssessed ? <Caption1>{m.notAssessed}</Caption1> : null}
      </div>
      <dl className={styles.facts}>
        <Fact term={m.facts.tenant}>
          <Link href={hrefWith("tenants", finding.tenantId)}>{finding.tenant}</Link>
        </Fact>
        <Fact term={m.facts.kind}>{kindLabel(finding.source, m)}</Fact>
        {finding.baseline ? <Fact term={m.facts.baseline}>{finding.baseline}</Fact> : null}
        {finding.rule ? <Fact term={m.facts.rule}>{finding.rule}</Fact> : null}
        <Fact term={m.facts.policy}>{finding.item}</Fact>
        {finding.settingPath ? (
          <Fact term={m.facts.setting}>
            {setting ? (
              <span data-testid="detail-setting-label" title={setting.description ?? undefined}>
                {setting.label}{" "}
              </span>
            ) : null}
            <span className={styles.code}>{finding.settingPath}</span>
          </Fact>
        ) : null}
        <Fact term={m.facts.expected}>
          <WordedValue raw={formatValue(finding.expected, m)} words={setting?.expected} testId="detail-expected" />
        </Fact>
        <Fact term={m.facts.actual}>
          <WordedValue raw={formatValue(finding.actual, m)} words={setting?.actual} testId="detail-actual" />
        </Fact>
        <Fact term={m.facts.due}>{dateOnly(finding.dueAt)}</Fact>
        {finding.acceptedUntil ? (
          <Fact term={m.facts.acceptedUntil}>
            <span data-testid="detail-accepted-until">{dateOnly(finding.acceptedUntil)}</span>
          </Fact>
        ) : null}
        <Fact term={m.facts.firstSeen}>{dateOnly(finding.firstSeenAt)}</Fact>
        <Fact term={m.facts.lastSeen}>{dateOnly(finding.lastSeenAt)}</Fact>
        {finding.reopenCount > 0 ? (
          <Fact term={m.facts.reopened}>{m.reopenTimes(finding.reopenCount)}</Fact>
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
            {m.actions[action]}
          </Button>
        ))}
      </div>
      {finding.source === "drift" ? (
        <Link href={`${hrefWith("findings", finding.id)}/diff`} data-testid="open-diff">
          {m.compareWithBaseline}
        </Link>
      ) : null}
      <Subtitle2 as="h3">{m.history}</Subtitle2>
      <ol className={styles.history} data-testid="detail-history">
        {history.map((step, i) => (
          <li key={i} className={styles.step} data-testid="history-step">
            <Body1>
              {step.fromStatus ? `${statusLabel(step.fromStatus, m)} → ` : ""}
              {statusLabel(step.toStatus, m)}
            </Body1>
            <br />
            <Caption1>
              {step.at.replace("T", " ").slice(0, 16)} UTC · {step.actor}
              {step.reason ? ` · ${step.reason}` : ""}
            </Caption1>
            {step.superseded ? (
              <>
                <br />
                <Caption1 data-testid="history-superseded" className={styles.superseded}>
                  {m.superseded(
                    step.superseded.actor,
                    statusLabel(step.superseded.toStatus, m),
                    step.superseded.at.replace("T", " ").slice(0, 16),
                  )}
                </Caption1>
              </>
            ) : null}
          </li>
        ))}
      </ol>
      {acceptances.length > 0 ? (
        <>
          <Subtitle2 as="h3">{m.riskAcceptances}</Subtitle2>
          <ol className={styles.history}>
            {acceptances.map((a, i) => (
              <li key={i} className={styles.step} data-testid="acceptance">
                <Body1>{a.justification}</Body1>
                <br />
                <Caption1>
                  {m.acceptanceValue(formatValue(a.acceptedValue, m), a.acceptedBy)}
                  {a.approvedBy ? m.acceptanceApprovedBy(a.approvedBy) : ""}
                  {m.acceptanceUntil(dateOnly(a.expiresAt))}
                  {a.lapsedAt
                    ? m.acceptanceLapsed(dateOnly(a.lapsedAt), a.lapseReason ?? "")
                    : ""}
                </Caption1>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </>
  );
}
