// The left navigation. Items are links to hash routes, so Enter, middle-click and the
// address bar all behave like links; Tab reaches every item (`tabbable`) and the arrow
// keys move between them.

import {
  makeStyles,
  NavDivider,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  tokens,
} from "@fluentui/react-components";
import { PAGES, type PageDefinition, type PageId } from "../pages";
import { hrefFor } from "../router";

const useStyles = makeStyles({
  region: {
    display: "flex",
    flexShrink: 0,
  },
  drawer: {
    height: "100%",
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
});

function NavLink(props: { page: PageDefinition }) {
  const { page } = props;
  return (
    <NavItem value={page.id} href={hrefFor(page.id)} icon={<page.icon />}>
      {page.label}
    </NavItem>
  );
}

export function Nav(props: { selected: PageId; open: boolean }) {
  const styles = useStyles();
  // Settings sits apart from the work pages, as in the Microsoft admin centers.
  const workPages = PAGES.filter((page) => page.id !== "settings");
  const settingsPages = PAGES.filter((page) => page.id === "settings");
  return (
    <nav aria-label="Console" className={styles.region}>
      <NavDrawer
        className={styles.drawer}
        open={props.open}
        type="inline"
        selectedValue={props.selected}
        tabbable
      >
        <NavDrawerBody>
          {workPages.map((page) => (
            <NavLink key={page.id} page={page} />
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
