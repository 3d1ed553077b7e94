// Alerts: the inbox of what reviews raised (new critical or high findings, lapsed risk
// acceptances, score drops) and of notices the desktop could not announce. Open,
// snoozed and acknowledged alerts in tabs; acknowledge or snooze one or several.

import {
  Body1,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle1,
  Tab,
  TabList,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AlertRegular, CheckmarkRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { BackendError, useBackend, type AlertRow, type AlertView } from "../../backend";
import { useMessages } from "../../i18n";
import { useActivity } from "../../jobs/activity";
import { Command } from "../../shell/Command";
import { ErrorBar } from "../../shell/ErrorBar";
import { PageHeader } from "../../shell/PageHeader";
import { useNow } from "../../useNow";
import { actionable, AlertsTable } from "./AlertsTable";
import { Delivery } from "./Delivery";
import { messages } from "./messages";
import { SnoozeMenu, snoozeLabel } from "./SnoozeMenu";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
  },
  toolbar: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  count: {
    color: tokens.colorNeutralForeground2,
    minWidth: "96px",
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
  flush: {
    margin: 0,
    maxWidth: "640px",
  },
});

const TABS: readonly AlertView[] = ["open", "snoozed", "acknowledged", "resolved", "all"];

function EmptyInbox(props: { view: AlertView }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const raised = m.raisedHow(
    <strong>{m.reviewNow}</strong>,
    <Command>plumbline review</Command>,
  );
  const texts: Record<AlertView, ReactNode> = {
    open: raised,
    snoozed: m.snoozedHow,
    acknowledged: m.acknowledgedHow,
    resolved: m.resolvedHow,
    all: raised,
  };
  const headline = m.empty[props.view];
  const text = texts[props.view];
  return (
    <div className={styles.centered} data-testid="alerts-empty">
      <AlertRegular className={styles.emptyIcon} />
      <Subtitle1 as="h2" className={styles.flush}>
        {headline}
      </Subtitle1>
      <Body1 as="p" className={styles.flush}>
        {text}
      </Body1>
    </div>
  );
}

interface Loaded {
  view: AlertView;
  rows: AlertRow[] | null;
  error: BackendError | null;
}

export function Alerts() {
  const styles = useStyles();
  const backend = useBackend();
  const m = useMessages(messages);
  const activity = useActivity();
  const refreshAlertCount = activity?.refreshAlerts;
  // A finished review may have raised alerts: show them without a manual refresh.
  const jobsEnded = activity?.jobsEnded ?? 0;
  const now = useNow(30_000);
  const [view, setView] = useState<AlertView>("open");
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded>({ view, rows: null, error: null });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [actionError, setActionError] = useState<BackendError | null>(null);
  const table = useRef<HTMLDivElement>(null);
  // After an action removes rows, focus goes to the row that took the first one's place.
  const focusAfter = useRef<number | null>(null);

  useEffect(() => {
    let current = true;
    backend.listAlerts(view).then(
      (rows) => {
        if (current) setLoaded({ view, rows, error: null });
      },
      (thrown: unknown) => {
        if (current) setLoaded({ view, rows: null, error: BackendError.from(thrown) });
      },
    );
    return () => {
      current = false;
    };
  }, [backend, view, attempt, jobsEnded]);

  // Rows of another tab are not shown while this one loads.
  const rows = loaded.view === view ? loaded.rows : null;
  const loadError = loaded.view === view ? loaded.error : null;

  useEffect(() => {
    const index = focusAfter.current;
    if (index === null || rows === null) return;
    focusAfter.current = null;
    const titles = table.current?.querySelectorAll<HTMLElement>('[data-testid="alert-title"]');
    const target =
      titles && titles.length > 0
        ? titles[Math.min(index, titles.length - 1)]
        : document.querySelector<HTMLElement>(`#alerts-tab-${view}`);
    target?.focus();
  }, [rows, view]);

  const chooseView = (next: AlertView) => {
    setView(next);
    setSelected(new Set());
    setExpanded(new Set());
    setOutcome(null);
    setActionError(null);
  };

  const select = useCallback((ids: string[], on: boolean) => {
    setSelected((previous) => {
      const next = new Set(previous);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);

  const toggleExpanded = useCallback((id: string) => {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const act = (ids: string[], run: () => Promise<number>, describe: (changed: number) => string) => {
    if (ids.length === 0) return;
    const first = rows?.findIndex((row) => ids.includes(row.id)) ?? -1;
    setBusy(true);
    setOutcome(null);
    setActionError(null);
    run()
      .then(
        (changed) => {
          const skipped = ids.length - changed;
          setOutcome(
            describe(changed) + (skipped > 0 ? m.alreadyAcknowledged(skipped) : ""),
          );
          setSelected(new Set());
          focusAfter.current = first < 0 ? 0 : first;
          setAttempt((n) => n + 1);
          refreshAlertCount?.();
        },
        (thrown: unknown) => setActionError(BackendError.from(thrown)),
      )
      .finally(() => setBusy(false));
  };

  const acknowledge = (ids: string[]) =>
    act(
      ids,
      () => backend.acknowledgeAlerts(ids),
      (changed) => m.acknowledgedOutcome(changed),
    );

  const snooze = (ids: string[], hours: number) =>
    act(
      ids,
      () => backend.snoozeAlerts(ids, hours, null),
      (changed) => m.snoozedOutcome(changed, snoozeLabel(m, hours)),
    );

  const chosen = (rows ?? []).filter((row) => actionable(row) && selected.has(row.id));
  const chosenIds = chosen.map((row) => row.id);

  return (
    <div className={styles.stack}>
      <PageHeader
        title={m.title}
        description={m.description(<Command>plumbline alerts</Command>)}
      />
      <TabList
        selectedValue={view}
        onTabSelect={(_, data) => chooseView(data.value as AlertView)}
        aria-label={m.whichAlerts}
      >
        {TABS.map((tab) => (
          <Tab key={tab} value={tab} id={`alerts-tab-${tab}`} data-testid={`alerts-tab-${tab}`}>
            {m.tabs[tab]}
          </Tab>
        ))}
      </TabList>
      <div
        role="tabpanel"
        aria-labelledby={`alerts-tab-${view}`}
        className={styles.panel}
        ref={table}
      >
        <div className={styles.toolbar}>
          <Text className={styles.count} data-testid="alerts-selected">
            {chosen.length === 0 ? m.noneSelected : m.selected(chosen.length)}
          </Text>
          <Button
            icon={<CheckmarkRegular />}
            disabled={chosen.length === 0 || busy}
            onClick={() => acknowledge(chosenIds)}
            data-testid="alerts-acknowledge"
          >
            {m.acknowledge}
          </Button>
          <SnoozeMenu
            disabled={chosen.length === 0 || busy}
            onSnooze={(hours) => snooze(chosenIds, hours)}
            testId="alerts-snooze"
          />
          {busy ? <Spinner size="tiny" label={m.saving} /> : null}
        </div>
        {outcome ? (
          <MessageBar intent="success" data-testid="alerts-outcome">
            <MessageBarBody>{outcome}</MessageBarBody>
          </MessageBar>
        ) : null}
        {actionError ? (
          <ErrorBar title={m.couldNotChange} error={actionError} testId="alerts-action-error" />
        ) : null}
        {loadError ? (
          <ErrorBar
            title={m.couldNotLoad}
            error={loadError}
            testId="alerts-error"
            onRetry={() => setAttempt((n) => n + 1)}
          />
        ) : null}
        {rows === null && loadError === null ? <Spinner label={m.loading} /> : null}
        {rows !== null && rows.length === 0 ? <EmptyInbox view={view} /> : null}
        {rows !== null && rows.length > 0 ? (
          <AlertsTable
            alerts={rows}
            now={now}
            selected={selected}
            onSelect={select}
            expanded={expanded}
            onToggleExpanded={toggleExpanded}
            busy={busy}
            onAcknowledge={acknowledge}
            onSnooze={snooze}
          />
        ) : null}
      </div>
      <Delivery />
    </div>
  );
}
