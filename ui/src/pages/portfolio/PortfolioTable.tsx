// The Portfolio's tenant table: score with its band, trend sparkline, open findings by
// severity, last capture age (stale ones highlighted) and baselines; sortable by the
// columns that have an order. Renders the first rows and more on request, so a thousand
// tenants do not put a thousand rows in the page at once. A row opens the tenant.

import {
  Badge,
  Button,
  Link,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
  type BadgeProps,
} from "@fluentui/react-components";
import { WarningRegular } from "@fluentui/react-icons";
import { useDeferredValue, useEffect, useState, type MouseEvent } from "react";
import type { PortfolioTenant } from "../../backend";
import { Sparkline } from "../../charts/Sparkline";
import { visuallyHidden } from "../../charts/visuallyHidden";
import { formatCount, formatExact, formatNumber, formatRelative, parseTimestamp } from "../../format";
import { hrefWith, navigate } from "../../router";
import {
  BAND_LABELS,
  isStale,
  openTotal,
  scoreBand,
  scoredTrend,
  STALE_AFTER_DAYS,
  type PortfolioColumn,
  type PortfolioSort,
  type ScoreBand,
} from "./model";

/** Rows rendered at first and added by each "Show more". */
export const TABLE_PAGE = 100;
/** Rows drawn with the page's first paint; the rest of the page follows in a background
 * render that typing or a click interrupts (the table is below the charts, so the
 * first screen rarely shows more). */
export const FIRST_PAINT_ROWS = 20;

const useStyles = makeStyles({
  table: {
    tableLayout: "auto",
  },
  row: {
    cursor: "pointer",
  },
  name: {
    fontWeight: tokens.fontWeightSemibold,
  },
  badges: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
  },
  // Kind keys are long: let the badge grow to more lines instead of overflowing.
  wrapping: {
    height: "auto",
    minHeight: "20px",
    whiteSpace: "normal",
    paddingBlock: "2px",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  noWrap: {
    whiteSpace: "nowrap",
  },
  stale: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorPaletteDarkOrangeForeground1,
    fontWeight: tokens.fontWeightSemibold,
  },
  more: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
    paddingTop: tokens.spacingVerticalS,
  },
  hidden: visuallyHidden,
});

const COLUMNS: readonly { id: PortfolioColumn | null; label: string }[] = [
  { id: "name", label: "Tenant" },
  { id: "score", label: "Score" },
  { id: "trend", label: "Trend" },
  { id: "open", label: "Open findings" },
  { id: "lastCapture", label: "Last capture" },
  { id: null, label: "Baselines" },
];

const BAND_COLOUR: Record<ScoreBand, BadgeProps["color"]> = {
  good: "success",
  fair: "warning",
  poor: "danger",
  none: "subtle",
};

const SEVERITY_BADGES = [
  { key: "critical", label: "critical", color: "danger" },
  { key: "high", label: "high", color: "severe" },
  { key: "medium", label: "medium", color: "warning" },
  { key: "low", label: "low", color: "informative" },
] as const;

/** Kinds named in the badge itself; the rest are counted and listed in its title. */
const NAMED_KINDS = 2;

export function failedKindsLabel(kinds: readonly string[]): string {
  const named = kinds.slice(0, NAMED_KINDS).join(", ");
  const more = kinds.length - NAMED_KINDS;
  return more > 0 ? `Failed: ${named} +${more} more` : `Failed: ${named}`;
}

function Score(props: { score: number | null }) {
  const styles = useStyles();
  const band = scoreBand(props.score);
  if (props.score === null) {
    return <Text className={styles.muted}>Not reviewed</Text>;
  }
  return (
    <Badge
      appearance="tint"
      shape="rounded"
      color={BAND_COLOUR[band]}
      title={BAND_LABELS[band]}
      data-testid="score"
      data-band={band}
    >
      {props.score.toFixed(1)}
      <span className={styles.hidden}>, {BAND_LABELS[band]}</span>
    </Badge>
  );
}

function OpenFindings(props: { tenant: PortfolioTenant }) {
  const styles = useStyles();
  const { open, overdue } = props.tenant;
  if (openTotal(open) === 0) return <Text className={styles.muted}>None</Text>;
  return (
    <div className={styles.badges}>
      {SEVERITY_BADGES.filter((s) => open[s.key] > 0).map((s) => (
        <Badge
          key={s.key}
          appearance="tint"
          shape="rounded"
          color={s.color}
          data-testid={`open-${s.key}`}
        >
          {formatNumber(open[s.key])} {s.label}
        </Badge>
      ))}
      {overdue > 0 ? (
        <Badge appearance="outline" shape="rounded" color="danger" data-testid="overdue">
          {formatNumber(overdue)} overdue
        </Badge>
      ) : null}
    </div>
  );
}

function LastCapture(props: { tenant: PortfolioTenant; now: number }) {
  const styles = useStyles();
  const { tenant, now } = props;
  const at = parseTimestamp(tenant.lastCaptureAt);
  const stale = isStale(tenant, now);
  return (
    <div className={styles.badges}>
      {tenant.lastCaptureAt === null || at === null ? (
        <span className={styles.stale} data-testid="stale">
          <WarningRegular aria-hidden />
          Never captured
        </span>
      ) : (
        <span
          className={stale ? styles.stale : styles.noWrap}
          data-testid={stale ? "stale" : undefined}
        >
          {stale ? <WarningRegular aria-hidden /> : null}
          <time dateTime={tenant.lastCaptureAt} title={formatExact(at)}>
            {formatRelative(at, now)}
          </time>
          {stale ? (
            <span className={styles.hidden}>
              , stale: no capture in {STALE_AFTER_DAYS} days
            </span>
          ) : null}
        </span>
      )}
      {tenant.failedKinds.length > 0 ? (
        <Badge
          appearance="tint"
          color="warning"
          shape="rounded"
          className={styles.wrapping}
          title={`The last capture could not read: ${tenant.failedKinds.join(", ")}`}
          data-testid="failed-kinds"
        >
          {failedKindsLabel(tenant.failedKinds)}
        </Badge>
      ) : null}
    </div>
  );
}

function PortfolioRow(props: { tenant: PortfolioTenant; now: number }) {
  const styles = useStyles();
  const { tenant } = props;
  const href = hrefWith("tenants", tenant.id);
  const open = (event: MouseEvent<HTMLTableRowElement>) => {
    // The name link navigates by itself; the rest of the row is a larger click target.
    if ((event.target as HTMLElement).closest("a, button")) return;
    navigate(href);
  };
  return (
    <TableRow
      className={styles.row}
      onClick={open}
      data-testid="tenant-row"
      data-tenant-id={tenant.id}
    >
      <TableCell>
        <TableCellLayout description={tenant.primaryDomain ?? undefined}>
          <div className={styles.badges}>
            <Link href={href} className={styles.name} data-testid="tenant-name">
              {tenant.name}
            </Link>
            {tenant.isDemo ? (
              <Badge appearance="tint" color="informative" shape="rounded">
                Demo
              </Badge>
            ) : null}
            {tenant.tags.map((tag) => (
              <Badge key={tag} appearance="outline" color="subtle" shape="rounded">
                {tag}
              </Badge>
            ))}
          </div>
        </TableCellLayout>
      </TableCell>
      <TableCell>
        <Score score={tenant.score} />
      </TableCell>
      <TableCell>
        <Sparkline points={scoredTrend(tenant)} />
      </TableCell>
      <TableCell>
        <OpenFindings tenant={tenant} />
      </TableCell>
      <TableCell>
        <LastCapture tenant={tenant} now={props.now} />
      </TableCell>
      <TableCell>
        {tenant.baselines.length === 0 ? (
          <Text className={styles.muted}>None</Text>
        ) : (
          <Text data-testid="baselines">{tenant.baselines.join(", ")}</Text>
        )}
      </TableCell>
    </TableRow>
  );
}

export function PortfolioTable(props: {
  tenants: readonly PortfolioTenant[];
  sort: PortfolioSort;
  onSort: (column: PortfolioColumn) => void;
  now: number;
}) {
  const styles = useStyles();
  const [shown, setShown] = useState(TABLE_PAGE);
  const drawn = useDeferredValue(shown, FIRST_PAINT_ROWS);
  const visible = props.tenants.slice(0, drawn);
  const hidden = Math.max(0, props.tenants.length - shown);
  const complete = drawn === shown;
  useEffect(() => {
    // Startup mark (bench-desktop): the first page of rows is all drawn.
    if (complete && performance.getEntriesByName("plumbline:table-complete").length === 0) {
      performance.mark("plumbline:table-complete");
    }
  }, [complete]);
  return (
    <>
      <Table sortable aria-label="Tenants" className={styles.table} data-testid="tenant-table">
        <TableHeader>
          <TableRow>
            {COLUMNS.map((column) => {
              const id = column.id;
              return id === null ? (
                <TableHeaderCell key={column.label} className={styles.noWrap} sortable={false}>
                  {column.label}
                </TableHeaderCell>
              ) : (
                <TableHeaderCell
                  key={column.label}
                  className={styles.noWrap}
                  sortable
                  sortDirection={props.sort.column === id ? props.sort.direction : undefined}
                  onClick={() => props.onSort(id)}
                >
                  {column.label}
                </TableHeaderCell>
              );
            })}
          </TableRow>
        </TableHeader>
        <TableBody>
          {visible.map((tenant) => (
            <PortfolioRow key={tenant.id} tenant={tenant} now={props.now} />
          ))}
        </TableBody>
      </Table>
      {hidden > 0 ? (
        <div className={styles.more}>
          <Text className={styles.muted} data-testid="table-shown">
            Showing {formatNumber(Math.min(shown, props.tenants.length))} of{" "}
            {formatCount(props.tenants.length, "tenant")}
          </Text>
          <Button onClick={() => setShown((n) => n + TABLE_PAGE)} data-testid="table-more">
            Show {formatNumber(Math.min(TABLE_PAGE, hidden))} more
          </Button>
          <Button appearance="subtle" onClick={() => setShown(props.tenants.length)}>
            Show all
          </Button>
        </div>
      ) : null}
    </>
  );
}
