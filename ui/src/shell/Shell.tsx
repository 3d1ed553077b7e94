// The console frame: top bar, left navigation and the routed page.

import {
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { useIsSampleData } from "../backend";
import { pageDefinition, type PageId } from "../pages";
import { EmptyPage } from "../pages/EmptyPage";
import { PLANNED_PAGES } from "../pages/plannedPages";
import { Portfolio } from "../pages/Portfolio";
import { Reports } from "../pages/Reports";
import { useCurrentPage } from "../router";
import { Nav } from "./Nav";
import { TopBar } from "./TopBar";

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
  return (
    <MessageBar intent="warning" data-testid="sample-notice">
      <MessageBarBody>
        <MessageBarTitle>Running outside the desktop app: sample data</MessageBarTitle>
        Nothing here comes from a Plumbline database.
      </MessageBarBody>
    </MessageBar>
  );
}

function PageContent(props: { page: PageId }) {
  if (props.page === "portfolio") return <Portfolio />;
  if (props.page === "reports") return <Reports />;
  return <EmptyPage {...PLANNED_PAGES[props.page]} />;
}

export function Shell() {
  const styles = useStyles();
  const page = useCurrentPage();
  const isSampleData = useIsSampleData();
  const [navOpen, setNavOpen] = useState(true);
  const label = pageDefinition(page).label;

  useEffect(() => {
    document.title = `${label} - Plumbline`;
  }, [label]);

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
          <PageContent key={page} page={page} />
        </main>
      </div>
    </div>
  );
}
