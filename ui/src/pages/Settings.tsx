// Settings: the app's appearance and where its data lives. Tenant connections (Graph app
// id, client secret in the OS keychain) and a server connection are not in this version;
// the page says so rather than offering controls that do nothing.

import {
  Body1,
  Card,
  makeStyles,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Text,
  tokens,
} from "@fluentui/react-components";
import { useCallback } from "react";
import { useBackend } from "../backend";
import { PageHeader } from "../shell/PageHeader";
import { useThemePreference, type ThemePreference } from "../shell/themePreference";
import { useLoad } from "../useLoad";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    maxWidth: "760px",
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalS,
  },
  heading: {
    margin: 0,
  },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: "break-all",
  },
  muted: {
    color: tokens.colorNeutralForeground2,
    margin: 0,
  },
});

export function Settings() {
  const styles = useStyles();
  const backend = useBackend();
  const [theme, setTheme] = useThemePreference();
  const load = useCallback(() => backend.appInfo(), [backend]);
  const { state } = useLoad(load);
  return (
    <div className={styles.stack}>
      <PageHeader title="Settings" description="How Plumbline looks, and where it keeps its data." />
      <Card className={styles.card}>
        <Subtitle2 as="h2" id="theme-heading" className={styles.heading}>
          Theme
        </Subtitle2>
        <RadioGroup
          aria-labelledby="theme-heading"
          value={theme}
          onChange={(_, data) => setTheme(data.value as ThemePreference)}
          data-testid="theme"
        >
          <Radio value="system" label="Follow the system" />
          <Radio value="light" label="Light" />
          <Radio value="dark" label="Dark" />
        </RadioGroup>
      </Card>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          Data
        </Subtitle2>
        {state.status === "loading" ? <Spinner size="tiny" label="Loading…" /> : null}
        {state.status === "error" ? <Text>{state.error.message}</Text> : null}
        {state.status === "ready" ? (
          <>
            <Text>
              Database: <span className={styles.path} data-testid="db-path">{state.data.dbPath}</span>
            </Text>
            <Body1 as="p" className={styles.muted}>
              The command line uses the same database. To keep it in another folder, start
              Plumbline with <code>PLUMBLINE_DATA_DIR</code> set to that folder. Version{" "}
              {state.data.version}.
            </Body1>
          </>
        ) : null}
      </Card>
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          Not in this version
        </Subtitle2>
        <Body1 as="p" className={styles.muted}>
          Tenant connections to Microsoft Graph (the client secret will be kept in the
          system&apos;s keychain, never in the database), the server connection, and the
          interface language. Report branding is entered on the Reports page.
        </Body1>
      </Card>
    </div>
  );
}
