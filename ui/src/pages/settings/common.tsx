// What every Settings section shares: its card with a heading and a description, the
// error bar (what happened, the backend's message saying what to do) and the
// styles of the forms inside.

import {
  Body1,
  Card,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { formatExact, parseTimestamp } from "../../format";

export const useSettingsStyles = makeStyles({
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
  },
  heading: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground2,
    margin: 0,
  },
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  row: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
  },
  fields: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))",
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    alignItems: "start",
  },
  details: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  value: {
    margin: 0,
    overflowWrap: "anywhere",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
});

/** A section of the Settings page: a card labelled by its heading. */
export function SettingsCard(props: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  const styles = useSettingsStyles();
  const headingId = `${props.id}-heading`;
  return (
    <Card className={styles.card} role="region" aria-labelledby={headingId} data-testid={props.id}>
      <Subtitle2 as="h2" id={headingId} className={styles.heading}>
        {props.title}
      </Subtitle2>
      {props.description ? (
        <Body1 as="p" className={styles.muted}>
          {props.description}
        </Body1>
      ) : null}
      {props.children}
    </Card>
  );
}

export { ErrorBar } from "../../shell/ErrorBar";

/** A done message, announced to screen readers. */
export function DoneBar(props: { children: ReactNode; testId?: string }) {
  return (
    <MessageBar intent="success" layout="multiline" data-testid={props.testId} aria-live="polite">
      <MessageBarBody>{props.children}</MessageBarBody>
    </MessageBar>
  );
}

/** A stored time as the user's local date and time. */
export function When(props: { at: string }) {
  const ms = parseTimestamp(props.at);
  return <time dateTime={props.at}>{ms === null ? props.at : formatExact(ms)}</time>;
}
