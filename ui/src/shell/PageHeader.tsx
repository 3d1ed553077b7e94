// The title block at the top of every page.

import { Body1, makeStyles, Title2, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  header: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  title: {
    margin: 0,
  },
  description: {
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
});

export function PageHeader(props: { title: string; description?: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.header}>
      <Title2 as="h1" className={styles.title}>
        {props.title}
      </Title2>
      {props.description ? (
        <Body1 as="p" className={styles.description}>
          {props.description}
        </Body1>
      ) : null}
    </div>
  );
}
