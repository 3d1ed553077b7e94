// Portfolio: the screen an operator starts the day on. Every tenant with its score and
// trend, open findings by severity, last capture and baselines; a summary, the score
// distribution and a tenant × category heatmap of open findings. Search and filters
// apply to the whole page and, with the sort, are remembered between visits.

import {
  Body1,
  Button,
  Card,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle1,
  Subtitle2,
  Text,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwiseRegular, BuildingMultipleRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  useBackend,
  type AppInfo,
  type Backend,
  type BackendError,
  type PortfolioOverview,
} from "../../backend";
import { Heatmap, type HeatmapRow } from "../../charts/Heatmap";
import { ScoreHistogram } from "../../charts/ScoreHistogram";
import { useMessages } from "../../i18n";
import { hrefWith, navigate } from "../../router";
import { Command } from "../../shell/Command";
import { PageHeader } from "../../shell/PageHeader";
import { useActivity } from "../../jobs/activity";
import { useLoad } from "../../useLoad";
import { useNow } from "../../useNow";
import {
  baselineNames,
  EMPTY_FILTER,
  filterTenants,
  firstDirection,
  saveView,
  savedView,
  scoreHistogram,
  sortTenants,
  summarize,
  worstFirst,
  type PortfolioColumn,
  type PortfolioView,
} from "./model";
import { messages } from "./messages";
import { PortfolioFilters } from "./PortfolioFilters";
import { PortfolioSummary } from "./PortfolioSummary";
import { PortfolioTable } from "./PortfolioTable";

/** Heatmap rows rendered at first and added by each "Show more". */
export const HEATMAP_PAGE = 25;

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
  },
  charts: {
    display: "grid",
    gridTemplateColumns: "minmax(280px, 2fr) minmax(320px, 3fr)",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
    "@media (max-width: 1100px)": {
      gridTemplateColumns: "1fr",
    },
  },
  heading: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
    margin: 0,
  },
  centered: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXXL,
  },
  flush: {
    margin: 0,
  },
  emptyIcon: {
    fontSize: "48px",
    color: tokens.colorBrandForeground1,
  },
});

interface PortfolioData {
  info: AppInfo;
  overview: PortfolioOverview;
}

function DemoBanner() {
  const m = useMessages(messages);
  return (
    <MessageBar intent="info" layout="multiline" data-testid="demo-banner">
      <MessageBarBody>
        <MessageBarTitle>{m.demoTitle}</MessageBarTitle>
        {m.demoBody(<Command>plumbline import --tenant NAME DIR</Command>)}
      </MessageBarBody>
    </MessageBar>
  );
}

function LoadError(props: { error: BackendError; onRetry: () => void }) {
  const m = useMessages(messages);
  return (
    <MessageBar intent="error" layout="multiline" data-testid="portfolio-error">
      <MessageBarBody>
        <MessageBarTitle>{m.couldNotLoad}</MessageBarTitle>
        <span data-testid="error-message">{props.error.message}</span>
        {m.errorCode(props.error.code)}
      </MessageBarBody>
      <MessageBarActions>
        <Button icon={<ArrowClockwiseRegular />} onClick={props.onRetry}>
          {m.retry}
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

function NoTenants() {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <div className={styles.centered} data-testid="portfolio-empty">
      <BuildingMultipleRegular className={styles.emptyIcon} />
      <Subtitle1 as="h2" className={styles.flush}>
        {m.noTenants}
      </Subtitle1>
      <Body1 as="p" className={styles.flush}>
        {m.noTenantsBody(<Command>plumbline import --tenant NAME DIR</Command>)}
      </Body1>
    </div>
  );
}

function ScoreCard(props: { tenants: PortfolioOverview["tenants"] }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { buckets, unscored } = useMemo(() => scoreHistogram(props.tenants), [props.tenants]);
  const scored = props.tenants.length - unscored;
  return (
    <Card className={styles.card} data-testid="score-card">
      <Subtitle2 as="h2" className={styles.heading}>
        {m.scoreDistribution}
      </Subtitle2>
      {scored === 0 ? (
        <Body1 as="p" className={styles.muted} data-testid="histogram-empty">
          {m.noScoreYet(<Command>plumbline review</Command>)}
        </Body1>
      ) : (
        <ScoreHistogram buckets={buckets} />
      )}
      {scored > 0 && unscored > 0 ? (
        <Text className={styles.muted} data-testid="histogram-unscored">
          {m.notReviewedYet(unscored)}
        </Text>
      ) : null}
    </Card>
  );
}

function HeatmapCard(props: { overview: PortfolioOverview; tenants: PortfolioOverview["tenants"] }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const rows: HeatmapRow[] = useMemo(
    () =>
      worstFirst(props.tenants).map((tenant) => ({
        id: tenant.id,
        label: tenant.name,
        href: hrefWith("tenants", tenant.id),
        cells: new Map(tenant.byCategory.map((c) => [c.category, c.open])),
      })),
    [props.tenants],
  );
  return (
    <Card className={styles.card} data-testid="heatmap-card">
      <Subtitle2 as="h2" className={styles.heading}>
        {m.heatmapTitle}
      </Subtitle2>
      {props.overview.categories.length === 0 ? (
        <Body1 as="p" className={styles.muted} data-testid="heatmap-empty">
          {m.heatmapEmpty(<Command>plumbline review</Command>)}
        </Body1>
      ) : (
        <Heatmap
          columns={props.overview.categories}
          rows={rows}
          label={m.heatmapLabel}
          pageSize={HEATMAP_PAGE}
          onOpen={(row) => navigate(row.href)}
        />
      )}
    </Card>
  );
}

function PortfolioContent(props: { overview: PortfolioOverview }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const now = useNow();
  const { overview } = props;
  const [view, setView] = useState<PortfolioView>(savedView);
  useEffect(() => saveView(view), [view]);

  const filtered = useMemo(
    () => filterTenants(overview.tenants, view.filter, now),
    [overview.tenants, view.filter, now],
  );
  const sorted = useMemo(() => sortTenants(filtered, view.sort), [filtered, view.sort]);
  const summary = useMemo(() => summarize(filtered, now), [filtered, now]);
  const baselines = useMemo(() => baselineNames(overview.tenants), [overview.tenants]);

  const sortBy = (column: PortfolioColumn) =>
    setView((previous) => ({
      ...previous,
      sort:
        previous.sort.column === column
          ? {
              column,
              direction: previous.sort.direction === "ascending" ? "descending" : "ascending",
            }
          : { column, direction: firstDirection(column) },
    }));

  return (
    <>
      <PortfolioFilters
        filter={view.filter}
        onChange={(filter) => setView((previous) => ({ ...previous, filter }))}
        baselines={baselines}
        shown={filtered.length}
        total={overview.tenants.length}
      />
      <PortfolioSummary summary={summary} total={overview.tenants.length} />
      <div className={styles.charts}>
        <ScoreCard tenants={filtered} />
        <HeatmapCard overview={overview} tenants={filtered} />
      </div>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          {m.tenants}
        </Subtitle2>
        {sorted.length === 0 ? (
          <div data-testid="no-matches">
            <Body1 as="p" className={styles.muted}>
              {m.noMatches}
            </Body1>
            <Button
              appearance="primary"
              onClick={() => setView((previous) => ({ ...previous, filter: EMPTY_FILTER }))}
            >
              {m.clearFilters}
            </Button>
          </div>
        ) : (
          <PortfolioTable tenants={sorted} sort={view.sort} onSort={sortBy} now={now} />
        )}
      </Card>
    </>
  );
}

let interactiveReported = false;

/** Tells the app, once per start, that the console shows data (its startup figure). */
function reportInteractiveOnce(backend: Backend): void {
  if (interactiveReported) return;
  interactiveReported = true;
  performance.mark("plumbline:interactive");
  // A failure here changes nothing for the operator; the figure is for diagnostics.
  backend.reportInteractive().catch(() => undefined);
}

export function Portfolio(props: { title?: string } = {}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  // A review or import that ends elsewhere changes scores and findings: load again, with
  // what is shown kept until the new answer arrives (no spinner).
  const jobsEnded = useActivity()?.jobsEnded ?? 0;
  const load = useCallback(async (): Promise<PortfolioData> => {
    if (!interactiveReported) performance.mark("plumbline:portfolio-requested");
    const [info, overview] = await Promise.all([backend.appInfo(), backend.portfolioOverview()]);
    if (!interactiveReported) performance.mark("plumbline:portfolio-received");
    return { info, overview };
  }, [backend]);
  const { state, reload } = useLoad(load, jobsEnded);
  const ready = state.status === "ready";
  useEffect(() => {
    if (ready) reportInteractiveOnce(backend);
  }, [ready, backend]);

  return (
    <div className={styles.stack}>
      <PageHeader
        title={props.title ?? m.title}
        description={m.description}
      />
      {state.status === "loading" ? <Spinner label={m.loading} /> : null}
      {state.status === "error" ? <LoadError error={state.error} onRetry={reload} /> : null}
      {state.status === "ready" ? (
        <>
          {state.data.info.isDemoData ? <DemoBanner /> : null}
          {state.data.overview.tenants.length === 0 ? (
            <Card className={styles.card}>
              <NoTenants />
            </Card>
          ) : (
            <PortfolioContent overview={state.data.overview} />
          )}
        </>
      ) : null}
    </div>
  );
}
