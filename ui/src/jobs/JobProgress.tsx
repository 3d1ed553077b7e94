// A background job's progress and outcome: a progress bar with its stage and a Cancel
// button while it runs; how it ended as a MessageBar afterwards.

import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DismissRegular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { useMessages } from "../i18n";
import { messages } from "./messages";
import type { JobHandle } from "./useJob";

const useStyles = makeStyles({
  running: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  row: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
  },
  stage: {
    flexGrow: 1,
    color: tokens.colorNeutralForeground2,
  },
});

export function JobProgress(props: {
  handle: JobHandle;
  /**
   * What the job is, for labels, in the interface language: "Review", "Import",
   * "Evidence pack" (`messages.kinds` of ./messages has them).
   */
  what: string;
  /** Shown under the summary when the job succeeded (its result). */
  children?: ReactNode;
  testId: string;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { job, error, cancel } = props.handle;
  return (
    <>
      {job?.state === "running" ? (
        <div className={styles.running} data-testid={`${props.testId}-running`}>
          <div className={styles.row}>
            <Text className={styles.stage} aria-live="polite">
              {job.stage}…
            </Text>
            <Button
              icon={<DismissRegular />}
              onClick={() => void cancel()}
              data-testid={`${props.testId}-cancel`}
            >
              {m.cancel}
            </Button>
          </div>
          <ProgressBar
            aria-label={m.progress(props.what)}
            value={job.progress === null ? undefined : job.progress}
          />
        </div>
      ) : null}
      {job?.state === "succeeded" ? (
        <MessageBar intent="success" layout="multiline" data-testid={`${props.testId}-done`}>
          <MessageBarBody>
            <MessageBarTitle>{m.finished(props.what)}</MessageBarTitle>
            {job.message}
            {props.children}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {job?.state === "failed" ? (
        <MessageBar intent="error" layout="multiline" data-testid={`${props.testId}-error`}>
          <MessageBarBody>
            <MessageBarTitle>{m.failed(props.what)}</MessageBarTitle>
            {job.message}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {job?.state === "cancelled" ? (
        <MessageBar intent="warning" data-testid={`${props.testId}-cancelled`}>
          <MessageBarBody>
            <MessageBarTitle>{m.cancelled(props.what)}</MessageBarTitle>
            {job.message}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? (
        <MessageBar intent="error" layout="multiline" data-testid={`${props.testId}-error`}>
          <MessageBarBody>
            <MessageBarTitle>{m.couldNotStart(props.what)}</MessageBarTitle>
            {error.message}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}
