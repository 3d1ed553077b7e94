// The console frame: top bar, left navigation and the routed page.

import {
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  tokens,
} from "@fluentui/react-components";
import { lazy, Suspense, useEffect, useState } from "react";
import { useIsSampleData } from "../backend";
import { useMessages } from "../i18n";
import { Portfolio } from "../pages/portfolio/Portfolio";
import { rememberView, useRoute, type Route } from "../router";
import { messages } from "./messages";
import { Nav } from "./Nav";
import { TopBar } from "./TopBar";

// The Portfolio (the first page) is in the main bundle; every other page is loaded when
// first opened, so a cold start parses only what the Portfolio needs.
const BaselinePage = lazy(() =>
  import("../pages/baselines/BaselinePage").then((m) => ({ default: m.BaselinePage })),
);
const Baselines = lazy(() =>
  import("../pages/baselines/Baselines").then((m) => ({ default: m.Baselines })),
);
const Alerts = lazy(() => import("../pages/alerts/Alerts").then((m) => ({ default: m.Alerts })));
const Evidence = lazy(() =>
  import("../pages/evidence/Evidence").then((m) => ({ default: m.Evidence })),
);
const Findings = lazy(() =>
  import("../pages/findings/Findings").then((m) => ({ default: m.Findings })),
);
const PolicyDiffView = lazy(() =>
  import("../pages/PolicyDiffView").then((m) => ({ default: m.PolicyDiffView })),
);
const Reports = lazy(() => import("../pages/Reports").then((m) => ({ default: m.Reports })));
const Settings = lazy(() => import("../pages/Settings").then((m) => ({ default: m.Settings })));
const Tenants = lazy(() => import("../pages/tenants/Tenants").then((m) => ({ default: m.Tenants })));
const TenantPage = lazy(() =>
  import("../pages/TenantPage").then((m) => ({ default: m.TenantPage })),
);

const MAIN_ID = "main-content";

const useStyles = makeStyles({
  frame: {
    display: "flex",
    flexDirection: "column",
    height: "100%",
  },
  body: {
    display: "flex",
    flexGrow: 1,
    minHeight: 0,
  },
  main: {
    flexGrow: 1,
    minWidth: 0,
    overflow: "auto",
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXXL}`,
    backgroundColor: tokens.colorNeutralBackground2,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    ":focus": {
      outlineStyle: "none",
    },
  },
});

function SampleDataNotice() {
  const m = useMessages(messages);
  return (
    <MessageBar intent="warning" data-testid="sample-notice">
      <MessageBarBody>
        <MessageBarTitle>{m.sampleTitle}</MessageBarTitle>
        {m.sampleBody}
      </MessageBarBody>
    </MessageBar>
  );
}

function PageContent(props: { route: Route }) {
  const { page, params } = props.route;
  switch (page) {
    case "portfolio":
      return <Portfolio />;
    case "tenants":
      // Tenant management; a tenant's own page has its id.
      return params[0] ? <TenantPage key={params[0]} tenantId={params[0]} /> : <Tenants />;
    case "baselines":
      return params[0] ? <BaselinePage key={params[0]} baselineId={params[0]} /> : <Baselines />;
    case "findings":
      if (params[0] && params[1] === "diff") return <PolicyDiffView findingId={params[0]} />;
      return <Findings key={params[0] ?? ""} initialId={params[0]} />;
    case "alerts":
      return <Alerts />;
    case "reports":
      return <Reports />;
    case "evidence":
      return <Evidence />;
    case "settings":
      return <Settings />;
  }
}

export function Shell() {
  const styles = useStyles();
  const route = useRoute();
  const page = route.page;
  const isSampleData = useIsSampleData();
  const [navOpen, setNavOpen] = useState(true);
  const m = useMessages(messages);
  const label = m.pages[page];

  useEffect(() => {
    document.title = `${label} - Plumbline`;
  }, [label]);

  const hash = [`#/${page}`, ...route.params.map(encodeURIComponent)].join("/");
  useEffect(() => {
    rememberView(hash);
  }, [hash]);

  return (
    <div className={styles.frame}>
      <TopBar
        navOpen={navOpen}
        onToggleNav={() => setNavOpen((open) => !open)}
        mainId={MAIN_ID}
      />
      <div className={styles.body}>
        <Nav selected={page} open={navOpen} />
        <main id={MAIN_ID} className={styles.main} tabIndex={-1}>
          {isSampleData ? <SampleDataNotice /> : null}
          <Suspense fallback={<Spinner label={m.loading} />}>
            <PageContent key={page} route={route} />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
