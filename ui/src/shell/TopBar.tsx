// The admin-center header: a brand-coloured strip with the navigation toggle, the
// product name and, at the far end, team sync's indicator and the background jobs'
// activity indicator.

import { Button, makeStyles, Text, tokens, Tooltip } from "@fluentui/react-components";
import { NavigationRegular } from "@fluentui/react-icons";
import type { MouseEvent } from "react";
import { useMessages } from "../i18n";
import { ActivityIndicator } from "./ActivityIndicator";
import { SyncIndicator } from "./SyncIndicator";
import { messages } from "./messages";

const useStyles = makeStyles({
  bar: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    height: "48px",
    paddingInline: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    flexShrink: 0,
  },
  toggle: {
    color: tokens.colorNeutralForegroundOnBrand,
    ":hover": {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorBrandBackgroundHover,
    },
    ":hover:active": {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorBrandBackgroundPressed,
    },
  },
  spacer: {
    flexGrow: 1,
  },
  product: {
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase400,
    lineHeight: tokens.lineHeightBase400,
  },
  skipLink: {
    position: "absolute",
    left: "-10000px",
    ":focus": {
      left: tokens.spacingHorizontalS,
      top: tokens.spacingVerticalS,
      zIndex: 1,
      padding: tokens.spacingHorizontalS,
      backgroundColor: tokens.colorNeutralBackground1,
      color: tokens.colorNeutralForeground1,
    },
  },
});

export function TopBar(props: { navOpen: boolean; onToggleNav: () => void; mainId: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const toggleLabel = props.navOpen ? m.collapseNavigation : m.expandNavigation;
  return (
    <header className={styles.bar}>
      <a className={styles.skipLink} href={`#${props.mainId}`} onClick={skipTo(props.mainId)}>
        {m.skipToMain}
      </a>
      <Tooltip content={toggleLabel} relationship="label">
        <Button
          appearance="transparent"
          className={styles.toggle}
          icon={<NavigationRegular />}
          aria-expanded={props.navOpen}
          onClick={props.onToggleNav}
        />
      </Tooltip>
      <Text as="span" className={styles.product}>
        Plumbline
      </Text>
      <span className={styles.spacer} />
      <SyncIndicator />
      <ActivityIndicator />
    </header>
  );
}

/** Moves focus to the main region without touching the hash, which holds the route. */
function skipTo(id: string) {
  return (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    document.getElementById(id)?.focus();
  };
}
