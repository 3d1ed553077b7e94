// The top bar's team-sync indicator, always visible while this workspace is signed in to
// a Plumbline server: up to date, syncing (a first sync with its progress and Cancel),
// offline with the changes waiting, or stopped with the reason. Its popover has the
// facts, Sync now, the changes the server refused (with the reason) and the decisions a
// teammate's concurrent decision superseded. Nothing here blocks work: everything else
// keeps working without a server.

import {
  Body1,
  Button,
  Caption1,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  ProgressBar,
  Spinner,
  Subtitle2,
  Text,
  tokens,
  Tooltip,
} from "@fluentui/react-components";
import {
  CloudCheckmarkRegular,
  CloudOffRegular,
  PauseRegular,
  WarningRegular,
} from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import { BackendError, useBackend, type RejectedView, type SyncView } from "../backend";
import { formatExact, formatRelative, parseTimestamp } from "../format";
import { useMessages } from "../i18n";
import { useNow } from "../useNow";
import { syncMessages } from "./syncMessages";
import { topBarButton } from "./topBarButton";

/** How often the indicator asks (the loop itself runs in the backend). */
const REFRESH_MS = 2_000;

const useStyles = makeStyles({
  trigger: topBarButton,
  surface: {
    width: "400px",
    maxWidth: "90vw",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: "anywhere" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS },
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    maxHeight: "220px",
    overflowY: "auto",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  item: {
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorPaletteRedBorder2}`,
    paddingLeft: tokens.spacingHorizontalS,
  },
  flush: { margin: 0 },
});

/** The indicator's state, refreshed while mounted. */
function useSyncStatus() {
  const backend = useBackend();
  const [view, setView] = useState<SyncView | null>(null);
  const refresh = useCallback(() => {
    backend
      .syncStatus()
      .then(setView)
      .catch(() => setView(null));
  }, [backend]);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return { view, setView, refresh };
}

export function SyncIndicator() {
  const styles = useStyles();
  const m = useMessages(syncMessages);
  const backend = useBackend();
  const now = useNow(15_000);
  const { view, setView } = useSyncStatus();
  const [rejected, setRejected] = useState<RejectedView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!view || view.phase === "off") return null;

  const act = (call: () => Promise<SyncView>) => {
    setError(null);
    call()
      .then(setView)
      .catch((thrown: unknown) => setError(BackendError.from(thrown).message));
  };
  const last = parseTimestamp(view.lastSyncAt);
  const shortText =
    view.phase === "idle"
      ? view.pending > 0
        ? m.pending(view.pending)
        : m.short.idle
      : view.phase === "syncing" && view.firstSync && view.progress && view.progress.total > 0
        ? `${m.short.syncing} ${Math.floor((100 * view.progress.done) / view.progress.total)} %`
        : m.short[view.phase];
  const icon =
    view.phase === "syncing" ? (
      <span aria-hidden>
        <Spinner size="extra-tiny" appearance="inverted" />
      </span>
    ) : view.phase === "offline" ? (
      <CloudOffRegular />
    ) : view.phase === "error" ? (
      <WarningRegular />
    ) : view.phase === "paused" ? (
      <PauseRegular />
    ) : (
      <CloudCheckmarkRegular />
    );
  const label = m.label(m.states[view.phase]);
  const progress = view.progress;
  return (
    <Popover
      positioning="below-end"
      withArrow
      trapFocus
      onOpenChange={(_, data) => {
        if (data.open)
          backend
            .rejectedChanges()
            .then(setRejected)
            .catch(() => setRejected([]));
      }}
    >
      <PopoverTrigger disableButtonEnhancement>
        <Tooltip content={label} relationship="label">
          <Button
            appearance="transparent"
            className={styles.trigger}
            icon={icon}
            data-testid="sync-indicator"
            data-phase={view.phase}
          >
            <span data-testid="sync-state">{shortText}</span>
          </Button>
        </Tooltip>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} aria-label={m.title} tabIndex={-1}>
        <Subtitle2 as="h2" className={styles.flush}>
          {m.title}
        </Subtitle2>
        <dl className={styles.facts}>
          <dt className={styles.term}>{m.server}</dt>
          <dd className={styles.value}>{view.server}</dd>
          <dt className={styles.term}>{m.lastSync}</dt>
          <dd className={styles.value} data-testid="sync-last">
            {last === null ? (
              m.never
            ) : (
              <time dateTime={view.lastSyncAt ?? ""} title={formatExact(last)}>
                {formatRelative(last, now)}
              </time>
            )}
          </dd>
          <dt className={styles.term}>{m.waiting}</dt>
          <dd className={styles.value} data-testid="sync-pending">
            {view.pending}
          </dd>
        </dl>
        {view.lastReceived > 0 ? (
          <Caption1 data-testid="sync-received">{m.received(view.lastReceived)}</Caption1>
        ) : null}
        {view.phase === "syncing" && progress ? (
          <div>
            <Body1>{view.firstSync ? m.firstSync : (m.phases[progress.phase] ?? progress.phase)}</Body1>
            <ProgressBar
              aria-label={m.progress}
              value={progress.total > 0 ? progress.done / progress.total : undefined}
            />
          </div>
        ) : null}
        {view.error && view.phase !== "idle" && view.phase !== "syncing" ? (
          <MessageBar
            intent={view.phase === "offline" ? "warning" : "error"}
            layout="multiline"
            data-testid="sync-error"
          >
            <MessageBarBody>
              {view.error}
              {view.retryInSeconds !== null ? ` ${m.retry(view.retryInSeconds)}` : ""}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {error ? (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>{error}</MessageBarBody>
          </MessageBar>
        ) : null}
        {view.superseded > 0 ? (
          <MessageBar intent="info" layout="multiline" data-testid="sync-superseded">
            <MessageBarBody>{m.superseded(view.superseded)}</MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={styles.actions}>
          {view.phase === "syncing" ? (
            <Button onClick={() => act(() => backend.cancelSync())} data-testid="sync-cancel">
              {m.cancel}
            </Button>
          ) : (
            <Button
              appearance="primary"
              onClick={() => act(() => backend.syncNow())}
              data-testid="sync-now"
            >
              {view.phase === "paused" ? m.resume : m.syncNow}
            </Button>
          )}
        </div>
        {view.rejected > 0 ? (
          <>
            <Subtitle2 as="h3" className={styles.flush}>
              {m.rejectedTitle(view.rejected)}
            </Subtitle2>
            <Caption1>{m.rejectedHint}</Caption1>
            <ul className={styles.list} data-testid="sync-rejected">
              {(rejected ?? []).map((r, i) => (
                <li key={i} className={styles.item}>
                  <Text weight="semibold">
                    {m.kinds[r.kind] ?? r.kind} · {r.tenant ?? m.workspace}
                  </Text>
                  <br />
                  <Caption1>
                    {r.reason}: {r.message}
                  </Caption1>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </PopoverSurface>
    </Popover>
  );
}
