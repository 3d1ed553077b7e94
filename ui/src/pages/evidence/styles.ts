// Layout shared by the Evidence page's cards.

import { makeStyles, tokens } from "@fluentui/react-components";

/** `YYYY-MM-DD` of a time, in UTC (the backend reads days as UTC days). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export const useEvidenceStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
  },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(240px, 1fr))",
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    alignItems: "start",
  },
  wide: {
    gridColumn: "1 / -1",
  },
  actions: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
    gridColumn: "1 / -1",
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
  },
  flush: {
    margin: 0,
  },
  details: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    alignItems: "center",
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  value: {
    margin: 0,
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
    minWidth: 0,
  },
  text: {
    overflowWrap: "anywhere",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  list: {
    margin: `${tokens.spacingVerticalXS} 0 0`,
    paddingInlineStart: tokens.spacingHorizontalXL,
    overflowWrap: "anywhere",
  },
  centered: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXL,
  },
  emptyIcon: {
    fontSize: "48px",
    color: tokens.colorBrandForeground1,
  },
  // Columns take the width their content needs.
  table: {
    tableLayout: "auto",
  },
  nowrap: {
    whiteSpace: "nowrap",
  },
  badges: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
    whiteSpace: "nowrap",
  },
  hash: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    whiteSpace: "nowrap",
  },
  verdict: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    ":focus": {
      outlineStyle: "none",
    },
  },
});
