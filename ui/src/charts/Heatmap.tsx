// A tenant × category matrix of open findings: a row per tenant (in the order given),
// a column per category, each cell coloured by its most severe open finding and shaded by
// how many there are. A real table, so that screen readers walk it by row and column and
// every tenant name is a link; only the first `pageSize` rows are rendered until the user
// asks for more, so a thousand tenants never put thousands of rows in the page at once.

import { Button, Link, makeStyles, mergeClasses, Text, tokens } from "@fluentui/react-components";
import { useState, type MouseEvent } from "react";
import type { SeverityCounts } from "../backend";
import { formatNumber } from "../format";
import { messagesNow, useMessages } from "../i18n";
import { messages, type ChartMessages } from "./messages";
import { visuallyHidden } from "./visuallyHidden";

export interface HeatmapColumn {
  key: string;
  label: string;
}

export interface HeatmapRow {
  id: string;
  label: string;
  href: string;
  /** Open findings by column key; a missing key means none. */
  cells: ReadonlyMap<string, SeverityCounts>;
}

export type CellSeverity = "critical" | "high" | "medium" | "low";
export type CellLevel = 0 | 1 | 2 | 3;

const SEVERITIES: readonly CellSeverity[] = ["critical", "high", "medium", "low"];

export function countsTotal(counts: SeverityCounts | undefined): number {
  return counts ? counts.critical + counts.high + counts.medium + counts.low : 0;
}

/** The cell's colour: its most severe open finding; its shade: 1–2, 3–9, 10 or more. */
export function cellTone(counts: SeverityCounts | undefined): {
  severity: CellSeverity | null;
  level: CellLevel;
} {
  const total = countsTotal(counts);
  if (!counts || total === 0) return { severity: null, level: 0 };
  const severity = SEVERITIES.find((s) => counts[s] > 0) ?? "low";
  const level: CellLevel = total >= 10 ? 3 : total >= 3 ? 2 : 1;
  return { severity, level };
}

/** What a cell says in words: "Contoso, Settings catalog: 3 open findings (1 critical, 2 high)". */
export function cellLabel(
  row: string,
  column: string,
  counts: SeverityCounts | undefined,
  m: ChartMessages = messagesNow(messages),
): string {
  const total = countsTotal(counts);
  if (!counts || total === 0) return m.cellNone(row, column);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) =>
    m.severityPart(counts[s], m.severityWord[s]),
  );
  return m.cellOpen(row, column, total, parts);
}

const useStyles = makeStyles({
  scroller: {
    overflowX: "auto",
    maxWidth: "100%",
  },
  table: {
    borderCollapse: "separate",
    borderSpacing: "2px",
    fontSize: tokens.fontSizeBase200,
  },
  corner: {
    textAlign: "left",
    fontWeight: tokens.fontWeightSemibold,
    paddingRight: tokens.spacingHorizontalM,
    verticalAlign: "bottom",
  },
  columnHeader: {
    width: "76px",
    minWidth: "76px",
    maxWidth: "96px",
    fontWeight: tokens.fontWeightRegular,
    color: tokens.colorNeutralForeground2,
    verticalAlign: "bottom",
    textAlign: "center",
    paddingBottom: tokens.spacingVerticalXS,
    whiteSpace: "normal",
    wordBreak: "break-word",
  },
  rowHeader: {
    textAlign: "left",
    fontWeight: tokens.fontWeightRegular,
    whiteSpace: "nowrap",
    maxWidth: "260px",
    overflow: "hidden",
    textOverflow: "ellipsis",
    paddingRight: tokens.spacingHorizontalM,
  },
  row: {
    cursor: "pointer",
    ":hover": {
      outlineWidth: "1px",
      outlineStyle: "solid",
      outlineColor: tokens.colorNeutralStroke1Hover,
    },
  },
  cell: {
    height: "24px",
    textAlign: "center",
    borderRadius: tokens.borderRadiusSmall,
    fontVariantNumeric: "tabular-nums",
    color: tokens.colorNeutralForeground1,
  },
  legend: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground2,
  },
  swatch: {
    display: "inline-block",
    width: "12px",
    height: "12px",
    borderRadius: tokens.borderRadiusSmall,
    marginRight: tokens.spacingHorizontalXS,
    verticalAlign: "middle",
  },
  more: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  hidden: visuallyHidden,
});

const useToneStyles = makeStyles({
  none: { backgroundColor: tokens.colorNeutralBackground3 },
  critical1: { backgroundColor: tokens.colorPaletteRedBackground1 },
  critical2: { backgroundColor: tokens.colorPaletteRedBackground2 },
  critical3: {
    backgroundColor: tokens.colorPaletteRedBackground3,
    color: tokens.colorNeutralForegroundStaticInverted,
  },
  high1: { backgroundColor: tokens.colorPaletteDarkOrangeBackground1 },
  high2: { backgroundColor: tokens.colorPaletteDarkOrangeBackground2 },
  high3: {
    backgroundColor: tokens.colorPaletteDarkOrangeBackground3,
    color: tokens.colorNeutralForegroundStaticInverted,
  },
  medium1: { backgroundColor: tokens.colorPaletteMarigoldBackground1 },
  medium2: { backgroundColor: tokens.colorPaletteMarigoldBackground2 },
  medium3: {
    backgroundColor: tokens.colorPaletteMarigoldBackground3,
    color: tokens.colorNeutralForeground1Static,
  },
  low1: { backgroundColor: tokens.colorBrandBackground2 },
  low2: { backgroundColor: tokens.colorBrandBackground2Hover },
  low3: {
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
});

type ToneClass = keyof ReturnType<typeof useToneStyles>;

function toneClass(counts: SeverityCounts | undefined): ToneClass {
  const { severity, level } = cellTone(counts);
  if (severity === null || level === 0) return "none";
  return `${severity}${level}`;
}

const LEGEND: readonly { tone: ToneClass; severity: CellSeverity }[] = [
  { tone: "critical3", severity: "critical" },
  { tone: "high3", severity: "high" },
  { tone: "medium3", severity: "medium" },
  { tone: "low3", severity: "low" },
];

export function Heatmap(props: {
  columns: readonly HeatmapColumn[];
  rows: readonly HeatmapRow[];
  /** Names the table for assistive technology. */
  label: string;
  /** Rows rendered at first and added by each "Show more". */
  pageSize?: number;
  onOpen: (row: HeatmapRow) => void;
}) {
  const styles = useStyles();
  const toneStyles = useToneStyles();
  const m = useMessages(messages);
  const pageSize = props.pageSize ?? 25;
  const [shown, setShown] = useState(pageSize);
  const visible = props.rows.slice(0, shown);
  const hidden = props.rows.length - visible.length;

  const open = (event: MouseEvent<HTMLTableRowElement>, row: HeatmapRow) => {
    // The name link navigates by itself; the rest of the row is a larger click target.
    if ((event.target as HTMLElement).closest("a")) return;
    props.onOpen(row);
  };

  return (
    <>
      <div className={styles.scroller}>
        <table className={styles.table} aria-label={props.label} data-testid="heatmap">
          <thead>
            <tr>
              <th scope="col" className={styles.corner}>
                {m.tenant}
              </th>
              {props.columns.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  className={styles.columnHeader}
                  title={column.label === "Unknown kind" ? column.key : column.label}
                  data-testid="heatmap-column"
                >
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => (
              <tr
                key={row.id}
                className={styles.row}
                onClick={(event) => open(event, row)}
                data-testid="heatmap-row"
              >
                <th scope="row" className={styles.rowHeader}>
                  <Link href={row.href} data-testid="heatmap-tenant">
                    {row.label}
                  </Link>
                </th>
                {props.columns.map((column) => {
                  const counts = row.cells.get(column.key);
                  const label = cellLabel(row.label, column.label, counts, m);
                  const total = countsTotal(counts);
                  const tone = cellTone(counts);
                  return (
                    <td
                      key={column.key}
                      className={mergeClasses(styles.cell, toneStyles[toneClass(counts)])}
                      title={label}
                      data-testid="heatmap-cell"
                      data-severity={tone.severity ?? "none"}
                      data-level={tone.level}
                    >
                      <span aria-hidden="true">{total > 0 ? formatNumber(total) : ""}</span>
                      <span className={styles.hidden}>{label}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={styles.legend} aria-hidden="true">
        <Text size={200}>{m.legendColour}</Text>
        {LEGEND.map((item) => (
          <Text size={200} key={item.tone}>
            <span className={mergeClasses(styles.swatch, toneStyles[item.tone])} />
            {m.severityName[item.severity]}
          </Text>
        ))}
        <Text size={200}>{m.legendShade}</Text>
      </div>
      {hidden > 0 ? (
        <div className={styles.more}>
          <Text className={styles.muted} data-testid="heatmap-shown">
            {m.heatmapShown(visible.length, props.rows.length)}
          </Text>
          <Button onClick={() => setShown((n) => n + pageSize)} data-testid="heatmap-more">
            {m.showMore(Math.min(pageSize, hidden))}
          </Button>
        </div>
      ) : null}
    </>
  );
}
