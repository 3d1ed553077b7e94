// Tenants: tenant management over Microsoft Graph. Every tenant with its connection, its
// schedule (parked ones say why), its last capture and when the next one is due; add a
// tenant by domain or tenant id, set up the Graph app, test a connection, capture now
// (a job with progress and cancel), change the cadence, resume a parked tenant, read the
// run history. The tenant's own page is one click away.

import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Link,
  makeStyles,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  tokens,
} from "@fluentui/react-components";
import {
  AddRegular,
  ArrowDownloadRegular,
  CalendarClockRegular,
  HistoryRegular,
  KeyRegular,
  PlayRegular,
  PlugConnectedRegular,
  TagRegular,
} from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import { BackendError, useBackend, type GraphAppView, type ManagedTenant } from "../../backend";
import { formatExact, formatRelative, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { useActivity } from "../../jobs/activity";
import { JobProgress } from "../../jobs/JobProgress";
import { messages as jobMessages } from "../../jobs/messages";
import { useJob } from "../../jobs/useJob";
import { hrefWith } from "../../router";
import { Command } from "../../shell/Command";
import { ErrorBar } from "../../shell/ErrorBar";
import { PageHeader } from "../../shell/PageHeader";
import { useNow } from "../../useNow";
import { AddTenantDialog, GraphAppDialog, HistoryDialog, TagsDialog, TestDialog } from "./dialogs";
import { messages } from "./messages";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
  },
  toolbar: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  count: { color: tokens.colorNeutralForeground2, minWidth: "120px" },
  muted: { color: tokens.colorNeutralForeground2 },
  cellStack: {
    display: "flex",
    flexDirection: "column",
    alignItems: "flex-start",
    gap: tokens.spacingVerticalXXS,
    minWidth: 0,
  },
  domain: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  actions: { display: "flex", gap: tokens.spacingHorizontalXS },
  inline: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  tags: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalXXS },
  check: { width: "44px" },
  failures: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const CADENCES: { key: keyof (typeof messages)["en"]["cadences"]; minutes: number | null }[] = [
  { key: "hour", minutes: 60 },
  { key: "sixHours", minutes: 360 },
  { key: "twelveHours", minutes: 720 },
  { key: "day", minutes: 1440 },
  { key: "week", minutes: 10080 },
  { key: "manual", minutes: null },
];

/** How often the list is read again while the page is open. */
const REFRESH_MS = 60_000;

/** A due time this close to now (the page's clock ticks every 30 s) is due now. */
const DUE_SLACK_MS = 60_000;

type Dialog =
  | { type: "app" }
  | { type: "add" }
  | { type: "test"; tenant: ManagedTenant }
  | { type: "history"; tenant: ManagedTenant }
  | { type: "tags"; tenant: ManagedTenant };

function When(props: { at: string | null; now: number; fallback: string }) {
  const ms = parseTimestamp(props.at);
  if (ms === null) return <Text>{props.fallback}</Text>;
  return (
    <Tooltip content={formatExact(ms)} relationship="description">
      <Text>{formatRelative(ms, props.now)}</Text>
    </Tooltip>
  );
}

export function Tenants() {
  const styles = useStyles();
  const backend = useBackend();
  const m = useMessages(messages);
  const jm = useMessages(jobMessages);
  const now = useNow(30_000);
  const [tenants, setTenants] = useState<ManagedTenant[] | null>(null);
  const [app, setApp] = useState<GraphAppView | null>(null);
  const [loadError, setLoadError] = useState<BackendError | null>(null);
  const [actionError, setActionError] = useState<BackendError | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const capture = useJob(reload);
  // Any finished job may have captured (an import), and the app captures due tenants in
  // the background: read the list again after each job and every minute.
  const jobsEnded = useActivity()?.jobsEnded ?? 0;
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  useEffect(() => {
    let current = true;
    Promise.all([backend.managedTenants(), backend.graphApp()]).then(
      ([rows, graphApp]) => {
        if (!current) return;
        setTenants(rows);
        setApp(graphApp);
        setLoadError(null);
      },
      (e: unknown) => {
        if (current) setLoadError(BackendError.from(e));
      },
    );
    return () => {
      current = false;
    };
  }, [backend, attempt, jobsEnded]);

  const replace = (tenant: ManagedTenant) =>
    setTenants((rows) => rows?.map((row) => (row.id === tenant.id ? tenant : row)) ?? rows);

  const act = (run: () => Promise<ManagedTenant>) => {
    setActionError(null);
    setOutcome(null);
    run().then(replace, (e: unknown) => setActionError(BackendError.from(e)));
  };

  const startCapture = (ids: string[]) => {
    setActionError(null);
    setOutcome(null);
    void capture.start(() => backend.captureTenants(ids));
  };

  const toggle = (id: string, on: boolean) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  if (loadError && tenants === null) {
    return (
      <div className={styles.stack}>
        <PageHeader title={m.title} />
        <ErrorBar title={m.couldNotLoad} error={loadError} onRetry={reload} testId="tenants-error" />
      </div>
    );
  }
  if (tenants === null) {
    return (
      <div className={styles.stack}>
        <PageHeader title={m.title} />
        <Spinner label={m.loading} />
      </div>
    );
  }

  const connected = tenants.filter((t) => t.entraTenantId !== null);
  const chosen = [...selected].filter((id) => connected.some((t) => t.id === id));
  const allChosen = connected.length > 0 && chosen.length === connected.length;
  const running = capture.running;

  return (
    <div className={styles.stack}>
      <PageHeader title={m.title} description={m.description(<Command>plumbline graph</Command>)} />
      {app === null || app.secretSetAt === null ? (
        <MessageBar intent="warning" layout="multiline" data-testid="no-graph-app">
          <MessageBarBody>
            <MessageBarTitle>{m.noApp}</MessageBarTitle>
            {m.noAppBody}
          </MessageBarBody>
          <MessageBarActions>
            <Button icon={<KeyRegular />} onClick={() => setDialog({ type: "app" })}>
              {m.setUpApp}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      <div className={styles.panel}>
        <div className={styles.toolbar}>
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setDialog({ type: "add" })} data-testid="add-tenant">
            {m.addTenant}
          </Button>
          <Button
            icon={<ArrowDownloadRegular />}
            disabled={chosen.length === 0 || running}
            onClick={() => startCapture(chosen)}
            data-testid="capture-selected"
          >
            {m.captureSelected(chosen.length)}
          </Button>
          <Button icon={<KeyRegular />} onClick={() => setDialog({ type: "app" })} data-testid="graph-app">
            {m.graphApp}
          </Button>
          <Text className={styles.count} aria-live="polite">
            {m.selected(chosen.length)}
          </Text>
        </div>
        <JobProgress handle={capture} what={jm.kinds.capture} testId="capture-job">
          {capture.job?.result?.type === "capture" && capture.job.result.failures.length > 0 ? (
            <ul className={styles.failures} data-testid="capture-failures">
              {capture.job.result.failures.map((failure) => (
                <li key={failure}>{failure}</li>
              ))}
            </ul>
          ) : null}
        </JobProgress>
        {actionError ? <ErrorBar title={m.couldNotChange} error={actionError} testId="tenants-action-error" /> : null}
        {outcome ? (
          <MessageBar intent="success">
            <MessageBarBody data-testid="tenants-outcome">{outcome}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Table aria-label={m.tableLabel} data-testid="tenants-table" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.check}>
                <Checkbox
                  aria-label={m.selectAll}
                  checked={allChosen ? true : chosen.length > 0 ? "mixed" : false}
                  disabled={connected.length === 0}
                  onChange={(_, data) => setSelected(new Set(data.checked === true ? connected.map((t) => t.id) : []))}
                />
              </TableHeaderCell>
              <TableHeaderCell>{m.columns.name}</TableHeaderCell>
              <TableHeaderCell>{m.columns.connection}</TableHeaderCell>
              <TableHeaderCell>{m.columns.schedule}</TableHeaderCell>
              <TableHeaderCell>{m.columns.lastCapture}</TableHeaderCell>
              <TableHeaderCell>{m.columns.next}</TableHeaderCell>
              <TableHeaderCell>{m.columns.actions}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tenants.map((t) => {
              const isConnected = t.entraTenantId !== null;
              const due = parseTimestamp(t.nextDueAt);
              return (
                <TableRow key={t.id} data-testid="managed-tenant-row" data-tenant={t.name}>
                  <TableCell className={styles.check}>
                    <Checkbox
                      aria-label={m.selectOne(t.name)}
                      checked={selected.has(t.id)}
                      disabled={!isConnected}
                      onChange={(_, data) => toggle(t.id, data.checked === true)}
                    />
                  </TableCell>
                  <TableCell>
                    <div className={styles.cellStack}>
                      <Link href={hrefWith("tenants", t.id)}>{t.name}</Link>
                      {t.primaryDomain ? <Caption1 className={styles.domain}>{t.primaryDomain}</Caption1> : null}
                      <div className={styles.tags}>
                        {t.tags.length > 0 ? (
                          <span className={styles.tags} data-testid="tenant-tags">
                            {t.tags.map((tag) => (
                              <Badge key={tag} appearance="outline" size="small">
                                {tag}
                              </Badge>
                            ))}
                          </span>
                        ) : null}
                        <Tooltip content={m.tagsOne(t.name)} relationship="label">
                          <Button
                            appearance="transparent"
                            size="small"
                            icon={<TagRegular />}
                            onClick={() => setDialog({ type: "tags", tenant: t })}
                            data-testid="edit-tags"
                          />
                        </Tooltip>
                      </div>
                    </div>
                  </TableCell>
                  <TableCell>
                    {isConnected ? (
                      <div className={styles.inline}>
                        <Tooltip content={m.tenantId(t.entraTenantId ?? "")} relationship="description">
                          <Text data-testid="connected">{m.connected}</Text>
                        </Tooltip>
                        {t.isDemo ? <Badge appearance="outline">{m.demo}</Badge> : null}
                      </div>
                    ) : (
                      <Text className={styles.muted}>{m.notConnected}</Text>
                    )}
                  </TableCell>
                  <TableCell>
                    <div className={styles.cellStack}>
                      <Text>{t.cadenceMinutes === null ? m.manual : m.every(t.cadenceMinutes)}</Text>
                      {t.parkedAt ? (
                        <Tooltip content={m.parkedWhy(t.consecutiveFailures, t.lastError ?? "")} relationship="description">
                          <Badge color="danger" data-testid="parked">
                            {m.parked}
                          </Badge>
                        </Tooltip>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.cellStack}>
                      <When at={t.lastCaptureAt} now={now} fallback={m.never} />
                      {t.lastRun ? (
                        <Badge
                          appearance="tint"
                          color={t.lastRun.status === "ok" ? "success" : t.lastRun.status === "partial" ? "warning" : "danger"}
                          data-testid="last-run-status"
                        >
                          {m.status[t.lastRun.status] ?? t.lastRun.status}
                        </Badge>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    {due === null ? (
                      <Text className={styles.muted}>{m.notScheduled}</Text>
                    ) : due <= now + DUE_SLACK_MS ? (
                      <Text>{m.dueNow}</Text>
                    ) : (
                      <When at={t.nextDueAt} now={now} fallback={m.notScheduled} />
                    )}
                  </TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Tooltip content={m.testOne(t.name)} relationship="label">
                        <Button
                          appearance="subtle"
                          icon={<PlugConnectedRegular />}
                          disabled={!isConnected}
                          onClick={() => setDialog({ type: "test", tenant: t })}
                          data-testid="test-connection"
                        />
                      </Tooltip>
                      <Tooltip content={m.captureOne(t.name)} relationship="label">
                        <Button
                          appearance="subtle"
                          icon={<PlayRegular />}
                          disabled={!isConnected || running}
                          onClick={() => startCapture([t.id])}
                          data-testid="capture-now"
                        />
                      </Tooltip>
                      <Menu>
                        <MenuTrigger disableButtonEnhancement>
                          <Tooltip content={m.scheduleOne(t.name)} relationship="label">
                            <Button appearance="subtle" icon={<CalendarClockRegular />} disabled={!isConnected} data-testid="schedule" />
                          </Tooltip>
                        </MenuTrigger>
                        <MenuPopover>
                          <MenuList>
                            {CADENCES.map((c) => (
                              <MenuItem key={c.key} onClick={() => act(() => backend.setCaptureCadence(t.id, c.minutes))}>
                                {m.cadences[c.key]}
                              </MenuItem>
                            ))}
                          </MenuList>
                        </MenuPopover>
                      </Menu>
                      <Tooltip content={m.historyOne(t.name)} relationship="label">
                        <Button
                          appearance="subtle"
                          icon={<HistoryRegular />}
                          onClick={() => setDialog({ type: "history", tenant: t })}
                          data-testid="history"
                        />
                      </Tooltip>
                      {t.parkedAt ? (
                        <Button
                          size="small"
                          aria-label={m.resumeOne(t.name)}
                          onClick={() => act(() => backend.resumeCapture(t.id))}
                          data-testid="resume"
                        >
                          {m.resume}
                        </Button>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      {dialog?.type === "app" ? (
        <GraphAppDialog
          app={app}
          onClose={() => setDialog(null)}
          onSaved={(saved) => {
            setApp(saved);
            setDialog(null);
          }}
        />
      ) : null}
      {dialog?.type === "add" ? (
        <AddTenantDialog
          onClose={() => setDialog(null)}
          onAdded={(tenant) => {
            setTenants((rows) => [...(rows ?? []), tenant]);
            setOutcome(m.added(tenant.name));
            setDialog(null);
          }}
        />
      ) : null}
      {dialog?.type === "test" ? <TestDialog tenant={dialog.tenant} onClose={() => setDialog(null)} /> : null}
      {dialog?.type === "history" ? <HistoryDialog tenant={dialog.tenant} onClose={() => setDialog(null)} /> : null}
      {dialog?.type === "tags" ? (
        <TagsDialog
          tenant={dialog.tenant}
          onClose={() => setDialog(null)}
          onSaved={(tenant) => {
            replace(tenant);
            setOutcome(m.tagsSaved(tenant.name));
            setDialog(null);
          }}
        />
      ) : null}
    </div>
  );
}


