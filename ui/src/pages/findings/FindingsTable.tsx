// The findings table: a grid that renders only the rows in view (plus a margin), at a
// fixed row height, so scrolling 100,000 findings costs the same as scrolling 30.
// Rows load in chunks through `useFindingRows`; a row not loaded yet shows a placeholder.

import { Checkbox, makeStyles, mergeClasses, Text, tokens } from "@fluentui/react-components";
import { useEffect, useRef, useState, type ReactNode, type UIEvent } from "react";
import type { ConsoleFinding } from "../../backend";
import { useMessages } from "../../i18n";
import { dateOnly, kindLabel, SeverityBadge, StatusBadge } from "./labels";
import { messages } from "./messages";
import type { FindingRows } from "./useFindingRows";

export const ROW_HEIGHT = 40;
const OVERSCAN = 10;
/** jsdom and a hidden window have no layout: assume a viewport this tall. */
const FALLBACK_VIEWPORT = 600;

// Status next to severity: with the detail pane open, the first columns stay in view.
const COLUMNS = "36px 96px 124px minmax(220px, 3fr) minmax(120px, 1.3fr) minmax(160px, 2fr) 120px 96px";

const useStyles = makeStyles({
  grid: {
    position: "relative",
    overflowY: "auto",
    flexGrow: 1,
    minHeight: "280px",
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    ":focus-visible": {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
    },
  },
  header: {
    position: "sticky",
    top: 0,
    zIndex: 1,
    display: "grid",
    gridTemplateColumns: COLUMNS,
    alignItems: "center",
    height: `${ROW_HEIGHT}px`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    fontWeight: tokens.fontWeightSemibold,
    minWidth: "980px",
  },
  body: {
    position: "relative",
    minWidth: "980px",
  },
  row: {
    position: "absolute",
    left: 0,
    right: 0,
    display: "grid",
    gridTemplateColumns: COLUMNS,
    alignItems: "center",
    height: `${ROW_HEIGHT}px`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    cursor: "pointer",
    ":hover": {
      backgroundColor: tokens.colorNeutralBackground1Hover,
    },
  },
  active: {
    backgroundColor: tokens.colorBrandBackground2,
    boxShadow: `inset 3px 0 0 ${tokens.colorBrandStroke1}`,
    ":hover": {
      backgroundColor: tokens.colorBrandBackground2Hover,
    },
  },
  cell: {
    paddingInline: tokens.spacingHorizontalS,
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

function Cell(props: { children?: ReactNode; className?: string; title?: string }) {
  const styles = useStyles();
  return (
    <div role="gridcell" className={mergeClasses(styles.cell, props.className)} title={props.title}>
      {props.children}
    </div>
  );
}

function FindingRowCells(props: {
  finding: ConsoleFinding;
  selected: boolean;
  onToggle: () => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const f = props.finding;
  const where = f.settingPath ? `${f.item} · ${f.settingPath}` : f.item;
  return (
    <>
      <Cell>
        <Checkbox
          checked={props.selected}
          onChange={props.onToggle}
          onClick={(event) => event.stopPropagation()}
          aria-label={m.selectFinding(f.title)}
          tabIndex={-1}
        />
      </Cell>
      <Cell>
        <SeverityBadge severity={f.severity} />
      </Cell>
      <Cell>
        <StatusBadge status={f.status} />
      </Cell>
      <Cell title={f.title}>
        <span data-testid="finding-title">{f.title}</span>
      </Cell>
      <Cell title={f.tenant}>{f.tenant}</Cell>
      <Cell title={where} className={styles.muted}>
        {where}
      </Cell>
      <Cell className={styles.muted}>{kindLabel(f.source, m)}</Cell>
      <Cell className={styles.muted}>{dateOnly(f.dueAt)}</Cell>
    </>
  );
}

export interface FindingsTableProps {
  rows: FindingRows;
  count: number;
  /** The keyboard cursor (row index), or -1. */
  cursor: number;
  selected: ReadonlySet<string>;
  onCursor: (index: number) => void;
  onOpen: (index: number) => void;
  onToggle: (id: string) => void;
}

export function FindingsTable(props: FindingsTableProps) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { rows, count, cursor } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setViewport(element.clientHeight || FALLBACK_VIEWPORT);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);

  const { ensure, page } = rows;
  useEffect(() => {
    ensure(first, last);
  }, [ensure, page, first, last]);

  // Keep the cursor in view when the keyboard moves it.
  useEffect(() => {
    const element = scroller.current;
    if (!element || cursor < 0) return;
    const top = cursor * ROW_HEIGHT;
    const visible = element.clientHeight || FALLBACK_VIEWPORT;
    // The sticky header covers the first row height of the viewport.
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + 2 * ROW_HEIGHT > element.scrollTop + visible) {
      element.scrollTop = top + 2 * ROW_HEIGHT - visible;
    }
  }, [cursor]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop);

  const items = Array.from({ length: Math.max(0, last - first) }, (_, offset) => {
    const index = first + offset;
    const finding = rows.rowAt(index);
    const active = index === cursor;
    return (
      <div
        key={finding?.id ?? `loading-${index}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={finding ? props.selected.has(finding.id) : false}
        className={mergeClasses(styles.row, active && styles.active)}
        style={{ top: `${index * ROW_HEIGHT}px` }}
        data-testid="finding-row"
        data-finding-id={finding?.id}
        data-active={active ? "true" : undefined}
        onClick={() => props.onCursor(index)}
        onDoubleClick={() => props.onOpen(index)}
      >
        {finding ? (
          <FindingRowCells
            finding={finding}
            selected={props.selected.has(finding.id)}
            onToggle={() => props.onToggle(finding.id)}
          />
        ) : (
          <Cell className={styles.muted}>
            <Text>{m.loading}</Text>
          </Cell>
        )}
      </div>
    );
  });

  return (
    <div
      ref={scroller}
      role="grid"
      aria-label={m.title}
      aria-rowcount={count + 1}
      aria-multiselectable
      tabIndex={0}
      className={styles.grid}
      onScroll={onScroll}
      data-testid="findings-grid"
    >
      <div role="row" aria-rowindex={1} className={styles.header}>
        {[
          "",
          m.columns.severity,
          m.columns.status,
          m.columns.finding,
          m.columns.tenant,
          m.columns.where,
          m.columns.kind,
          m.columns.due,
        ].map((label, i) => (
          <div
            key={i}
            role="columnheader"
            className={styles.cell}
            aria-label={label === "" ? m.columns.selected : undefined}
          >
            {label}
          </div>
        ))}
      </div>
      <div className={styles.body} style={{ height: `${count * ROW_HEIGHT}px` }}>
        {items}
      </div>
    </div>
  );
}
