// Portfolio: every tenant in the local database with its latest capture. The first
// working page of the console.

import {
  Body1,
  Button,
  Card,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  SearchBox,
  Spinner,
  Subtitle1,
  Text,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwiseRegular, BuildingMultipleRegular } from "@fluentui/react-icons";
import { useCallback, useMemo, useState } from "react";
import { useBackend, type AppInfo, type BackendError, type TenantRow } from "../backend";
import { formatCount } from "../format";
import { PageHeader } from "../shell/PageHeader";
import { Command } from "../shell/Command";
import { filterTenants } from "../tenantList";
import { useLoad } from "../useLoad";
import { useNow } from "../useNow";
import { TenantTable } from "./TenantTable";

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
  toolbar: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
  },
  search: {
    width: "320px",
    maxWidth: "100%",
  },
  count: {
    color: tokens.colorNeutralForeground2,
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
  tenants: TenantRow[];
}

function DemoBanner() {
  return (
    <MessageBar intent="info" layout="multiline" data-testid="demo-banner">
      <MessageBarBody>
        <MessageBarTitle>Demo data</MessageBarTitle>
        These tenants were generated from the OpenIntuneBaseline corpus so that you can explore
        Plumbline. To work with a real tenant, import its configuration export with{" "}
        <Command>plumbline import --tenant NAME DIR</Command>.
      </MessageBarBody>
    </MessageBar>
  );
}

function LoadError(props: { error: BackendError; onRetry: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" data-testid="portfolio-error">
      <MessageBarBody>
        <MessageBarTitle>Couldn&apos;t load the portfolio</MessageBarTitle>
        <span data-testid="error-message">{props.error.message}</span> (code:{" "}
        {props.error.code})
      </MessageBarBody>
      <MessageBarActions>
        <Button icon={<ArrowClockwiseRegular />} onClick={props.onRetry}>
          Retry
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

function NoTenants() {
  const styles = useStyles();
  return (
    <div className={styles.centered} data-testid="portfolio-empty">
      <BuildingMultipleRegular className={styles.emptyIcon} />
      <Subtitle1 as="h2" className={styles.flush}>
        No tenants yet
      </Subtitle1>
      <Body1 as="p" className={styles.flush}>
        Import a tenant&apos;s configuration export with{" "}
        <Command>plumbline import --tenant NAME DIR</Command>. It appears here with its first
        capture.
      </Body1>
    </div>
  );
}

function TenantList(props: { tenants: TenantRow[] }) {
  const styles = useStyles();
  const now = useNow();
  const [query, setQuery] = useState("");
  const visible = useMemo(() => filterTenants(props.tenants, query), [props.tenants, query]);
  const total = props.tenants.length;
  const count =
    visible.length === total
      ? formatCount(total, "tenant")
      : `${visible.length} of ${formatCount(total, "tenant")}`;

  return (
    <>
      <div className={styles.toolbar}>
        <SearchBox
          className={styles.search}
          placeholder="Search by name or domain"
          aria-label="Search tenants"
          value={query}
          onChange={(_, data) => setQuery(data.value)}
        />
        <Text className={styles.count} aria-live="polite" data-testid="tenant-count">
          {count}
        </Text>
      </div>
      <TenantTable tenants={visible} now={now} />
      {visible.length === 0 ? (
        <Body1 className={styles.count} data-testid="no-matches">
          No tenant name or domain contains &ldquo;{query.trim()}&rdquo;.
        </Body1>
      ) : null}
    </>
  );
}

export function Portfolio(props: { title?: string } = {}) {
  const styles = useStyles();
  const backend = useBackend();
  const load = useCallback(async (): Promise<PortfolioData> => {
    const [info, tenants] = await Promise.all([backend.appInfo(), backend.listTenants()]);
    return { info, tenants };
  }, [backend]);
  const { state, reload } = useLoad(load);

  return (
    <div className={styles.stack}>
      <PageHeader
        title={props.title ?? "Portfolio"}
        description="Every tenant you manage, with its latest capture. Open one for its page."
      />
      {state.status === "loading" ? <Spinner label="Loading tenants…" /> : null}
      {state.status === "error" ? <LoadError error={state.error} onRetry={reload} /> : null}
      {state.status === "ready" ? (
        <>
          {state.data.info.isDemoData ? <DemoBanner /> : null}
          <Card className={styles.card}>
            {state.data.tenants.length === 0 ? (
              <NoTenants />
            ) : (
              <TenantList tenants={state.data.tenants} />
            )}
          </Card>
        </>
      ) : null}
    </div>
  );
}
