// The left navigation. Items are links to hash routes, so Enter, middle-click and the
// address bar all behave like links; Tab reaches every item (`tabbable`) and the arrow
// keys move between them. The Alerts item carries the number of open alerts.

import {
  CounterBadge,
  makeStyles,
  NavDivider,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  tokens,
} from "@fluentui/react-components";
import { useActivity } from "../jobs/activity";
import { useMessages } from "../i18n";
import { PAGES, type PageDefinition, type PageId } from "../pages";
import { hrefFor } from "../router";
import { messages } from "./messages";

const useStyles = makeStyles({
  region: {
    display: "flex",
    flexShrink: 0,
  },
  drawer: {
    height: "100%",
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  badge: {
    marginInlineStart: tokens.spacingHorizontalS,
  },
});

function NavLink(props: { page: PageDefinition; open?: number | null }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { page } = props;
  const label = m.pages[page.id];
  const open = props.open ?? 0;
  return (
    <NavItem
      value={page.id}
      href={hrefFor(page.id)}
      icon={<page.icon />}
      // The badge is drawn for the eye; the link's name says the same in words.
      aria-label={open > 0 ? m.navOpenCount(label, open) : undefined}
    >
      {label}
      {open > 0 ? (
        <CounterBadge
          className={styles.badge}
          count={open}
          overflowCount={99}
          size="small"
          color="danger"
          aria-hidden
          data-testid={`nav-${page.id}-badge`}
        />
      ) : null}
    </NavItem>
  );
}

export function Nav(props: { selected: PageId; open: boolean }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const openAlerts = useActivity()?.openAlerts ?? null;
  // Settings sits apart from the work pages, as in the Microsoft admin centers.
  const workPages = PAGES.filter((page) => page.id !== "settings");
  const settingsPages = PAGES.filter((page) => page.id === "settings");
  return (
    <nav aria-label={m.navigation} className={styles.region}>
      <NavDrawer
        className={styles.drawer}
        open={props.open}
        type="inline"
        selectedValue={props.selected}
        tabbable
      >
        <NavDrawerBody>
          {workPages.map((page) => (
            <NavLink
              key={page.id}
              page={page}
              open={page.id === "alerts" ? openAlerts : null}
            />
          ))}
          <NavDivider />
          {settingsPages.map((page) => (
            <NavLink key={page.id} page={page} />
          ))}
        </NavDrawerBody>
      </NavDrawer>
    </nav>
  );
}
