// The top bar's activity indicator: a spinner and a count while background jobs run,
// and a popover with the recent jobs (their stage and progress, Cancel for running ones,
// how finished ones ended).

import {
  Badge,
  Body1,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  ProgressBar,
  Spinner,
  Subtitle2,
  Text,
  tokens,
  Tooltip,
  type BadgeProps,
} from "@fluentui/react-components";
import { DismissRegular, HistoryRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { BackendError, type Job, type JobState } from "../backend";
import { formatExact, formatRelative, parseTimestamp } from "../format";
import { useMessages } from "../i18n";
import { useActivity } from "../jobs/activity";
import { useNow } from "../useNow";
import { messages } from "./messages";
import { topBarButton } from "./topBarButton";

const useStyles = makeStyles({
  trigger: topBarButton,
  surface: {
    width: "380px",
    maxWidth: "90vw",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    maxHeight: "420px",
    overflowY: "auto",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  job: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  row: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalS,
  },
  title: {
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  message: {
    color: tokens.colorNeutralForeground2,
    overflowWrap: "anywhere",
  },
  flush: {
    margin: 0,
  },
});

const COLOURS: Record<JobState, BadgeProps["color"]> = {
  running: "brand",
  succeeded: "success",
  failed: "danger",
  cancelled: "warning",
};

function JobItem(props: { job: Job; now: number; onCancel: (job: Job) => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { job, now } = props;
  const started = parseTimestamp(job.startedAt);
  return (
    <li className={styles.job} data-testid="activity-job">
      <div className={styles.row}>
        <Text className={styles.title}>{job.title}</Text>
        <Badge appearance="tint" color={COLOURS[job.state]} data-testid="activity-job-state">
          {m.jobStates[job.state]}
        </Badge>
      </div>
      {job.state === "running" ? (
        <>
          <div className={styles.row}>
            <Text className={styles.message}>{job.stage}…</Text>
            <Button
              size="small"
              icon={<DismissRegular />}
              onClick={() => props.onCancel(job)}
              aria-label={m.cancelJob(job.title)}
              data-testid="activity-cancel"
            >
              {m.cancel}
            </Button>
          </div>
          <ProgressBar
            aria-label={m.jobProgress(job.title)}
            value={job.progress === null ? undefined : job.progress}
          />
        </>
      ) : job.message ? (
        <Text className={styles.message} data-testid="activity-job-message">
          {job.message}
        </Text>
      ) : null}
      {started !== null ? (
        <Text size={200} className={styles.muted}>
          {m.started}{" "}
          <time dateTime={job.startedAt} title={formatExact(started)}>
            {formatRelative(started, now)}
          </time>
        </Text>
      ) : null}
    </li>
  );
}

export function ActivityIndicator() {
  const styles = useStyles();
  const activity = useActivity();
  const now = useNow(15_000);
  const m = useMessages(messages);
  const [cancelError, setCancelError] = useState<BackendError | null>(null);
  if (!activity) return null;
  const { jobs, running } = activity;
  const label = m.jobsLabel(running);

  const cancel = (job: Job) => {
    setCancelError(null);
    activity
      .cancelJob(job.id)
      .catch((thrown: unknown) => setCancelError(BackendError.from(thrown)));
  };

  return (
    <Popover
      positioning="below-end"
      withArrow
      trapFocus
      onOpenChange={(_, data) => {
        if (data.open) activity.refreshJobs();
      }}
    >
      <PopoverTrigger disableButtonEnhancement>
        <Tooltip content={label} relationship="label">
          <Button
            appearance="transparent"
            className={styles.trigger}
            icon={
              running > 0 ? (
                <span aria-hidden>
                  <Spinner size="extra-tiny" appearance="inverted" />
                </span>
              ) : (
                <HistoryRegular />
              )
            }
            data-testid="activity-button"
          >
            {running > 0 ? <span aria-hidden>{running}</span> : null}
          </Button>
        </Tooltip>
      </PopoverTrigger>
      {/* Focus goes to the surface itself (tabIndex -1), not to its first button: with no
          running job it has none, focus would stay on the trigger, and the focus trap would
          mark its own dialog aria-hidden a moment later. Tab still reaches Cancel buttons. */}
      <PopoverSurface className={styles.surface} aria-label={m.jobsTitle} tabIndex={-1}>
        <Subtitle2 as="h2" className={styles.flush}>
          {m.jobsTitle}
        </Subtitle2>
        {cancelError ? (
          <MessageBar intent="error" layout="multiline" data-testid="activity-error">
            <MessageBarBody>{cancelError.message}</MessageBarBody>
          </MessageBar>
        ) : null}
        {jobs === null ? <Spinner size="small" label={m.loadingJobs} /> : null}
        {jobs !== null && jobs.length === 0 ? (
          <Body1 as="p" className={styles.flush} data-testid="activity-empty">
            {m.noJobs}
          </Body1>
        ) : null}
        {jobs !== null && jobs.length > 0 ? (
          <ul className={styles.list} aria-label={m.recentJobs}>
            {jobs.map((job) => (
              <JobItem key={job.id} job={job} now={now} onCancel={cancel} />
            ))}
          </ul>
        ) : null}
      </PopoverSurface>
    </Popover>
  );
}
