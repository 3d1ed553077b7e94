// The items of one baseline version (kind, name, default severity, rules) and, for the
// chosen item, its settings with their rules.

import {
  Body1,
  Button,
  Card,
  makeStyles,
  SearchBox,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useMemo, useState } from "react";
import { useBackend, type BaselineItemView, type VersionRow } from "../../backend";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { SeverityBadge } from "../findings/labels";
import { ItemSettings } from "./ItemSettings";
import { messages } from "./messages";
import { ErrorBar } from "./parts";

const useStyles = makeStyles({
  // Columns as wide as their content needs: names and labels get the room, numbers little.
  table: {
    tableLayout: "auto",
  },
  grid: {
    display: "grid",
    gridTemplateColumns: "minmax(300px, 2fr) minmax(480px, 3fr)",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
    "@media (max-width: 1100px)": {
      gridTemplateColumns: "1fr",
    },
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
    minWidth: 0,
  },
  heading: {
    margin: 0,
  },
  scroll: {
    maxHeight: "640px",
    overflowY: "auto",
  },
  itemButton: {
    textAlign: "start",
    justifyContent: "flex-start",
    overflowWrap: "anywhere",
    fontWeight: tokens.fontWeightSemibold,
    minWidth: 0,
    paddingInline: 0,
  },
  selected: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  numeric: {
    fontVariantNumeric: "tabular-nums",
  },
});

function matches(item: BaselineItemView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${item.name} ${item.kind}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

export function VersionItems(props: { version: VersionRow; onChanged: () => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const { version } = props;
  const load = useCallback(() => backend.baselineItems(version.id), [backend, version.id]);
  const { state, reload } = useLoad(load);
  // Rows changed by edits since the list was read (their rule count, their severity).
  const [edited, setEdited] = useState<Record<string, BaselineItemView>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const items = useMemo(
    () =>
      state.status === "ready" ? state.data.map((item) => edited[item.id] ?? item) : [],
    [state, edited],
  );
  const visible = useMemo(() => items.filter((i) => matches(i, query)), [items, query]);
  const draft = version.status === "draft";

  return (
    <div className={styles.grid}>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          {m.itemsOf(version.version)}
        </Subtitle2>
        {state.status === "loading" ? <Spinner label={m.loadingItems} /> : null}
        {state.status === "error" ? (
          <ErrorBar
            title={m.couldNotLoadItems}
            error={state.error}
            testId="items-error"
            onRetry={reload}
          />
        ) : null}
        {state.status === "ready" && items.length === 0 ? (
          <Body1 data-testid="items-empty">
            {m.noItems}
          </Body1>
        ) : null}
        {items.length > 0 ? (
          <>
            <SearchBox
              aria-label={m.filterItems}
              placeholder={m.filterItemsPlaceholder}
              value={query}
              onChange={(_, data) => setQuery(data.value)}
            />
            <Text className={styles.muted} aria-live="polite">
              {visible.length === items.length
                ? m.itemCount(items.length)
                : m.itemsShown(visible.length, items.length)}
            </Text>
            <div className={styles.scroll}>
              <Table
                aria-label={m.itemsOf(version.version)}
                size="small"
                className={styles.table}
                data-testid="items-table"
              >
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{m.itemAndKind}</TableHeaderCell>
                    <TableHeaderCell>{m.severity}</TableHeaderCell>
                    <TableHeaderCell>{m.rules}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {visible.map((item) => {
                    const current = item.id === selected;
                    return (
                      <TableRow
                        key={item.id}
                        data-testid="item-row"
                        aria-current={current ? "true" : undefined}
                        className={current ? styles.selected : undefined}
                      >
                        <TableCell>
                          <TableCellLayout
                            description={<span data-testid="item-kind">{item.kind}</span>}
                          >
                            <Button
                              appearance="transparent"
                              className={styles.itemButton}
                              aria-pressed={current}
                              onClick={() => setSelected(item.id)}
                            >
                              {item.name}
                            </Button>
                          </TableCellLayout>
                        </TableCell>
                        <TableCell>
                          <SeverityBadge severity={item.severity} />
                        </TableCell>
                        <TableCell className={styles.numeric} data-testid="item-rules">
                          {item.rules}
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </div>
          </>
        ) : null}
      </Card>
      <Card className={styles.card}>
        {selected === null ? (
          <Body1 className={styles.muted} data-testid="no-item">
            {m.chooseItem(draft)}
          </Body1>
        ) : (
          <ItemSettings
            key={selected}
            itemId={selected}
            onChanged={(view) => {
              setEdited((previous) => ({ ...previous, [view.item.id]: view.item }));
              props.onChanged();
            }}
          />
        )}
      </Card>
    </div>
  );
}
