// Findings: one table for the whole portfolio, with filters, search, bulk decisions,
// keyboard navigation (j/k, Enter, x, /, a, r, e, Esc, ?) and a detail pane. The filters
// are remembered between visits.

import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  Menu,
  MenuButton,
  MenuItemCheckbox,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DismissRegular, KeyboardRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  BackendError,
  useBackend,
  type DecisionAction,
  type DecisionOutcome,
  type DueFilter,
  type FindingSort,
  type TenantRow,
} from "../../backend";
import { useMessages } from "../../i18n";
import { PageHeader } from "../../shell/PageHeader";
import { useLoad } from "../../useLoad";
import { FindingDetailPane } from "./FindingDetailPane";
import { FindingsTable } from "./FindingsTable";
import { dueOptions, kindOptions, severityOptions, sortOptions, statusOptions } from "./labels";
import { messages, type FindingMessages } from "./messages";
import { RiskDialog } from "./RiskDialog";
import { SavedViews } from "./SavedViews";
import { EMPTY_FILTER } from "./savedViews";
import { useFindingRows, type FindingFilter } from "./useFindingRows";

const STORAGE_KEY = "plumbline.findings.filter";


function savedFilter(): FindingFilter {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    if (text === null) return EMPTY_FILTER;
    return { ...EMPTY_FILTER, ...(JSON.parse(text) as Partial<FindingFilter>) };
  } catch {
    return EMPTY_FILTER;
  }
}

/** The keys (the same in every language) and what they do (from the catalog). */
export const SHORTCUTS: readonly [string, keyof FindingMessages["shortcuts"]][] = [
  ["j / ↓", "next"],
  ["k / ↑", "previous"],
  ["Enter", "open"],
  ["x", "select"],
  ["a", "acknowledge"],
  ["r", "resolve"],
  ["e", "acceptRisk"],
  ["/", "search"],
  ["Esc", "closeDetails"],
  ["?", "help"],
];

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    flexGrow: 1,
    minHeight: 0,
  },
  filters: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  search: {
    width: "260px",
  },
  summary: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground2,
  },
  bulk: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorBrandBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  split: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    flexGrow: 1,
    minHeight: "320px",
  },
  tableColumn: {
    display: "flex",
    flexDirection: "column",
    flexGrow: 1,
    minWidth: 0,
  },
  keys: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  key: {
    fontFamily: tokens.fontFamilyMonospace,
    fontWeight: tokens.fontWeightSemibold,
  },
  keyText: {
    margin: 0,
  },
});

function FilterMenu(props: {
  label: string;
  options: readonly { value: string; label: string }[];
  selected: string[];
  onChange: (values: string[]) => void;
  testId: string;
  /** One value (radio items) instead of any number (checkboxes). */
  single?: boolean;
  /** The button text of a single-value menu from the chosen option's label. */
  format?: (name: string) => string;
}) {
  const m = useMessages(messages);
  const { options, selected, label } = props;
  const names = selected.map((v) => options.find((o) => o.value === v)?.label ?? v);
  const choice = m.filterChoice(label, names);
  const text = props.single
    ? (props.format ?? ((name: string) => name))(names[0] ?? label)
    : choice;
  const Item = props.single ? MenuItemRadio : MenuItemCheckbox;
  return (
    <Menu
      checkedValues={{ [label]: selected }}
      onCheckedValueChange={(_, data) => props.onChange(data.checkedItems)}
    >
      <MenuTrigger disableButtonEnhancement>
        <MenuButton
          appearance="outline"
          aria-label={choice}
          data-testid={props.testId}
        >
          {text}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {options.map((o) => (
            <Item key={o.value} name={label} value={o.value}>
              {o.label}
            </Item>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

function ShortcutHelp(props: { open: boolean; onClose: () => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <Dialog open={props.open} onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="shortcut-help">
        <DialogBody>
          <DialogTitle>{m.keyboardShortcuts}</DialogTitle>
          <DialogContent>
            <dl className={styles.keys}>
              {SHORTCUTS.map(([key, what]) => (
                <div key={key} style={{ display: "contents" }}>
                  <dt className={styles.key}>{key}</dt>
                  <dd className={styles.keyText}>{m.shortcuts[what]}</dd>
                </div>
              ))}
            </dl>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={props.onClose}>
              {m.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Keys typed into a field, or while a dialog is open, are not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest("[role=dialog], [role=alertdialog], [role=listbox]")) return true;
  const tag = target.tagName;
  return (
    tag === "INPUT" ||
    tag === "TEXTAREA" ||
    tag === "SELECT" ||
    target.isContentEditable ||
    target.getAttribute("role") === "combobox"
  );
}

function summarise(
  action: DecisionAction,
  outcome: DecisionOutcome,
  m: FindingMessages,
): string {
  const done = m.decisionDone(outcome.updated.length, m.decided[action]);
  if (outcome.failures.length === 0) return `${done}.`;
  const first = outcome.failures[0]?.message ?? "";
  return `${done}; ${m.decisionFailed(outcome.failures.length, first)}.`;
}

export function Findings(props: { initialId?: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const [filter, setFilter] = useState<FindingFilter>(savedFilter);
  const [searchText, setSearchText] = useState(filter.search);
  const rows = useFindingRows(backend, filter);
  const [cursor, setCursor] = useState(-1);
  const [openId, setOpenId] = useState<string | null>(props.initialId ?? null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [helpOpen, setHelpOpen] = useState(false);
  const [riskIds, setRiskIds] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<{ intent: "success" | "error"; text: string } | null>(
    null,
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const loadTenants = useCallback(() => backend.listTenants(), [backend]);
  const tenants = useLoad<TenantRow[]>(loadTenants).state;

  const matched = rows.page?.matched ?? 0;

  useEffect(() => {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(filter));
  }, [filter]);

  // Search as you type, once typing pauses.
  useEffect(() => {
    if (searchText === filter.search) return;
    const timer = window.setTimeout(() => setFilter((f) => ({ ...f, search: searchText })), 150);
    return () => window.clearTimeout(timer);
  }, [searchText, filter.search]);

  const update = (change: Partial<FindingFilter>) => {
    setFilter((f) => ({ ...f, ...change }));
    setCursor(-1);
  };

  const decide = useCallback(
    async (action: DecisionAction, ids: string[]) => {
      if (ids.length === 0) return;
      if (action === "accept_risk") {
        setRiskIds(ids);
        return;
      }
      try {
        const outcome = await backend.decideFindings({
          ids,
          action,
          reason: null,
          expiresOn: null,
          approver: null,
        });
        setNotice({
          intent: outcome.failures.length === 0 ? "success" : "error",
          text: summarise(action, outcome, m),
        });
        setSelected(new Set());
      } catch (error) {
        setNotice({ intent: "error", text: BackendError.from(error).message });
      }
      rows.refresh();
      setDetailVersion((v) => v + 1);
    },
    [backend, rows, m],
  );

  const targetIds = useCallback((): string[] => {
    if (selected.size > 0) return [...selected];
    const current = cursor >= 0 ? rows.rowAt(cursor) : undefined;
    return current ? [current.id] : [];
  }, [selected, cursor, rows]);

  const toggle = useCallback((id: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const moveTo = useCallback(
    (index: number) => {
      setCursor(index);
      const row = rows.rowAt(index);
      // An open pane follows the cursor.
      if (row) setOpenId((open) => (open === null ? null : row.id));
    },
    [rows],
  );

  const openAt = useCallback(
    (index: number) => {
      const row = rows.rowAt(index);
      if (row) {
        setCursor(index);
        setOpenId(row.id);
      }
    },
    [rows],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (helpOpen || riskIds !== null || isTyping(event.target)) return;
      const last = matched - 1;
      switch (event.key) {
        case "j":
        case "ArrowDown":
          if (event.key === "ArrowDown" && event.target !== document.querySelector("[role=grid]"))
            return;
          event.preventDefault();
          if (last >= 0) moveTo(Math.min(last, cursor + 1));
          return;
        case "k":
        case "ArrowUp":
          if (event.key === "ArrowUp" && event.target !== document.querySelector("[role=grid]"))
            return;
          event.preventDefault();
          if (last >= 0) moveTo(Math.max(0, cursor - 1));
          return;
        case "Enter": {
          const target = event.target as HTMLElement | null;
          const onGrid = target === document.body || target?.closest("[role=grid]") !== null;
          if (!onGrid || cursor < 0) return;
          event.preventDefault();
          openAt(cursor);
          return;
        }
        case "x": {
          const row = rows.rowAt(cursor);
          if (row) toggle(row.id);
          return;
        }
        case "a":
          void decide("acknowledge", targetIds());
          return;
        case "r":
          void decide("resolve", targetIds());
          return;
        case "e":
          void decide("accept_risk", targetIds());
          return;
        case "/":
          event.preventDefault();
          searchRef.current?.focus();
          return;
        case "?":
          event.preventDefault();
          setHelpOpen(true);
          return;
        case "Escape":
          setOpenId(null);
          return;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [helpOpen, riskIds, matched, cursor, rows, moveTo, openAt, toggle, decide, targetIds]);

  const tenantOptions = useMemo(
    () =>
      tenants.status === "ready"
        ? tenants.data.map((t) => ({ value: t.id, label: t.name }))
        : [],
    [tenants],
  );
  const baselineOptions = (rows.page?.baselines ?? []).map((b) => ({ value: b, label: b }));
  const counts = rows.page?.severityCounts;

  return (
    <div className={styles.page}>
      <PageHeader
        title={m.title}
        description={m.description}
      />
      <div className={styles.filters} role="search" aria-label={m.filterFindings}>
        <SearchBox
          ref={searchRef}
          className={styles.search}
          placeholder={m.searchPlaceholder}
          aria-label={m.searchFindings}
          value={searchText}
          onChange={(_, data) => setSearchText(data.value)}
          data-testid="findings-search"
        />
        <FilterMenu
          label={m.filters.tenant}
          options={tenantOptions}
          selected={filter.tenantIds}
          onChange={(tenantIds) => update({ tenantIds })}
          testId="filter-tenant"
        />
        <FilterMenu
          label={m.filters.severity}
          options={severityOptions(m)}
          selected={filter.severities}
          onChange={(severities) => update({ severities })}
          testId="filter-severity"
        />
        <FilterMenu
          label={m.filters.status}
          options={statusOptions(m)}
          selected={filter.statuses}
          onChange={(statuses) => update({ statuses })}
          testId="filter-status"
        />
        <FilterMenu
          label={m.filters.kind}
          options={kindOptions(m)}
          selected={filter.kinds}
          onChange={(kinds) => update({ kinds })}
          testId="filter-kind"
        />
        <FilterMenu
          label={m.filters.baseline}
          options={baselineOptions}
          selected={filter.baselines}
          onChange={(baselines) => update({ baselines })}
          testId="filter-baseline"
        />
        <FilterMenu
          single
          label={m.filters.due}
          options={dueOptions(m)}
          selected={[filter.due ?? ""]}
          onChange={(values) => update({ due: values[0] ? (values[0] as DueFilter) : null })}
          testId="filter-due"
        />
        <FilterMenu
          single
          label={m.filters.sortBy}
          format={m.sortChoice}
          options={sortOptions(m)}
          selected={[filter.sort]}
          onChange={(values) => update({ sort: (values[0] ?? "severity") as FindingSort })}
          testId="filter-sort"
        />
        <Button
          appearance="subtle"
          onClick={() => {
            setSearchText("");
            update(EMPTY_FILTER);
          }}
        >
          {m.resetFilters}
        </Button>
        <SavedViews
          filter={filter}
          onApply={(view) => {
            setSearchText(view.search);
            update(view);
          }}
        />
        <Button
          appearance="subtle"
          icon={<KeyboardRegular />}
          onClick={() => setHelpOpen(true)}
          aria-label={m.keyboardShortcuts}
        />
      </div>
      <div className={styles.summary}>
        <Text aria-live="polite" data-testid="findings-count">
          {rows.page === null ? m.loadingFindings : m.matchedOf(matched, rows.page.total)}
        </Text>
        {counts ? <Text>{m.severityCounts(counts)}</Text> : null}
      </div>
      {selected.size > 0 ? (
        <div className={styles.bulk} data-testid="bulk-bar">
          <Text weight="semibold">{m.selectedCount(selected.size)}</Text>
          {(["acknowledge", "resolve", "accept_risk"] as const).map((action) => (
            <Button
              key={action}
              size="small"
              onClick={() => void decide(action, [...selected])}
              data-testid={`bulk-${action}`}
            >
              {m.actions[action]}
            </Button>
          ))}
          <Button
            size="small"
            appearance="subtle"
            icon={<DismissRegular />}
            onClick={() => setSelected(new Set())}
          >
            {m.clearSelection}
          </Button>
        </div>
      ) : null}
      {notice ? (
        <MessageBar intent={notice.intent} data-testid="findings-notice">
          <MessageBarBody>{notice.text}</MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                icon={<DismissRegular />}
                aria-label={m.dismiss}
                onClick={() => setNotice(null)}
              />
            }
          />
        </MessageBar>
      ) : null}
      {rows.error ? (
        <MessageBar intent="error" data-testid="findings-error">
          <MessageBarBody>
            {m.couldNotLoad(rows.error.message, rows.error.code)}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={rows.refresh}>{m.retry}</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {rows.page === null && rows.error === null ? <Spinner label={m.loadingFindings} /> : null}
      {rows.page !== null && rows.page.total === 0 ? (
        <Body1 data-testid="findings-empty">
          {m.emptyBefore}
          <code>plumbline review</code>
          {m.emptyAfter}
        </Body1>
      ) : null}
      {rows.page !== null && rows.page.total > 0 ? (
        <div className={styles.split}>
          <div className={styles.tableColumn}>
            {matched === 0 ? (
              <Body1 data-testid="findings-no-match">
                {m.noMatch}
              </Body1>
            ) : (
              <FindingsTable
                rows={rows}
                count={matched}
                cursor={cursor}
                selected={selected}
                onCursor={moveTo}
                onOpen={openAt}
                onToggle={toggle}
              />
            )}
          </div>
          {openId !== null ? (
            <FindingDetailPane
              id={openId}
              version={detailVersion}
              onClose={() => setOpenId(null)}
              onDecide={(action, ids) => void decide(action, ids)}
            />
          ) : null}
        </div>
      ) : null}
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
      {riskIds !== null ? (
      <RiskDialog
        key={riskIds.join(",")}
        ids={riskIds}
        open
        onClose={() => setRiskIds(null)}
        onDone={(outcome) => {
          setNotice({
            intent: outcome.failures.length === 0 ? "success" : "error",
            text: summarise("accept_risk", outcome, m),
          });
          setRiskIds(null);
          setSelected(new Set());
          rows.refresh();
          setDetailVersion((v) => v + 1);
        }}
      />
      ) : null}
    </div>
  );
}
