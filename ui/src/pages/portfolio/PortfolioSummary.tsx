// The Portfolio's summary row: how many tenants, their average score, the open critical
// and high findings, and the captures gone stale — of the tenants the filters show.

import { Caption1, makeStyles, mergeClasses, Text, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { formatNumber, formatScore } from "../../format";
import { useMessages } from "../../i18n";
import { messages } from "./messages";
import { scoreBand, STALE_AFTER_DAYS, type PortfolioSummary as Summary } from "./model";

const useStyles = makeStyles({
  row: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(180px, 1fr))",
    gap: tokens.spacingHorizontalM,
    margin: 0,
  },
  tile: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  value: {
    margin: 0,
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    fontVariantNumeric: "tabular-nums",
  },
  note: {
    margin: 0,
    color: tokens.colorNeutralForeground3,
  },
  poor: { color: tokens.colorPaletteRedForeground1 },
  fair: { color: tokens.colorPaletteMarigoldForeground1 },
  good: { color: tokens.colorPaletteGreenForeground1 },
  none: {},
  alert: { color: tokens.colorPaletteRedForeground1 },
});

function Tile(props: {
  term: string;
  value: ReactNode;
  note: ReactNode;
  testId: string;
  valueClass?: string;
}) {
  const styles = useStyles();
  return (
    <div className={styles.tile} data-testid={props.testId}>
      <dt>
        <Text className={styles.term}>{props.term}</Text>
      </dt>
      <dd className={mergeClasses(styles.value, props.valueClass)} data-testid={`${props.testId}-value`}>
        {props.value}
      </dd>
      <dd className={styles.note}>
        <Caption1>{props.note}</Caption1>
      </dd>
    </div>
  );
}

export function PortfolioSummary(props: { summary: Summary; total: number }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { summary, total } = props;
  const band = scoreBand(summary.averageScore);
  return (
    <dl className={styles.row} data-testid="portfolio-summary">
      <Tile
        term={m.tenants}
        testId="summary-tenants"
        value={formatNumber(summary.tenants)}
        note={summary.tenants === total ? m.inPortfolio : m.ofFiltered(total)}
      />
      <Tile
        term={m.averageScore}
        testId="summary-score"
        valueClass={styles[band]}
        value={summary.averageScore === null ? "—" : formatScore(summary.averageScore)}
        note={summary.reviewed === 0 ? m.noneReviewed : m.ofReviewed(summary.reviewed)}
      />
      <Tile
        term={m.openCriticalHigh}
        testId="summary-critical-high"
        valueClass={summary.critical > 0 ? styles.alert : undefined}
        value={`${formatNumber(summary.critical)} / ${formatNumber(summary.high)}`}
        note={summary.overdue > 0 ? m.overdueFindings(summary.overdue) : m.noneOverdue}
      />
      <Tile
        term={m.staleCaptures}
        testId="summary-stale"
        valueClass={summary.stale > 0 ? styles.alert : undefined}
        value={formatNumber(summary.stale)}
        note={m.noCaptureInLower(STALE_AFTER_DAYS)}
      />
    </dl>
  );
}
