// The page shown for parts of the console that have no data to show: it says what the
// page will hold and what the user can do now, and never invents data.

import { Body1, makeStyles, Subtitle1, tokens } from "@fluentui/react-components";
import type { FluentIcon } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { PageHeader } from "../shell/PageHeader";

const useStyles = makeStyles({
  panel: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    maxWidth: "560px",
    marginInline: "auto",
    marginTop: tokens.spacingVerticalXXXL,
    padding: tokens.spacingHorizontalXXL,
  },
  icon: {
    fontSize: "48px",
    color: tokens.colorBrandForeground1,
  },
  headline: {
    margin: 0,
  },
  purpose: {
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  nextStep: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  nextLabel: {
    fontWeight: tokens.fontWeightSemibold,
  },
  paragraph: {
    margin: 0,
  },
});

export interface EmptyPageProps {
  title: string;
  icon: FluentIcon;
  /** The one-line state of the page, e.g. "Findings appear after a review". */
  headline: string;
  /** What the page will do once it has data. */
  purpose: ReactNode;
  /** What the user can do right now. */
  nextStep: ReactNode;
}

export function EmptyPage(props: EmptyPageProps) {
  const styles = useStyles();
  const Icon = props.icon;
  return (
    <>
      <PageHeader title={props.title} />
      <section
        className={styles.panel}
        aria-labelledby="empty-page-headline"
        data-testid="empty-page"
      >
        <Icon className={styles.icon} aria-hidden />
        <Subtitle1 as="h2" id="empty-page-headline" className={styles.headline}>
          {props.headline}
        </Subtitle1>
        <Body1 as="p" className={styles.purpose}>
          {props.purpose}
        </Body1>
        <div className={styles.nextStep}>
          <Body1 className={styles.nextLabel}>What to do now</Body1>
          <Body1 as="p" className={styles.paragraph}>
            {props.nextStep}
          </Body1>
        </div>
      </section>
    </>
  );
}
