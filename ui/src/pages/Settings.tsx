// Settings: report branding and language, tenant connections (client secrets in the OS
// keychain), the evidence-signing key, where the data lives, and the theme. Each section
// loads and saves on its own, so one failing does not hide the others. The server
// connection is not in this version; the page says so rather than offering controls that
// do nothing.

import {
  Body1,
  makeStyles,
  Radio,
  RadioGroup,
  tokens,
} from "@fluentui/react-components";
import { PageHeader } from "../shell/PageHeader";
import { useThemePreference, type ThemePreference } from "../shell/themePreference";
import { BrandingSection } from "./settings/BrandingSection";
import { SettingsCard, useSettingsStyles } from "./settings/common";
import { ConnectionsSection } from "./settings/ConnectionsSection";
import { DataSection } from "./settings/DataSection";
import { LanguageSection } from "./settings/LanguageSection";
import { SigningKeySection } from "./settings/SigningKeySection";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    maxWidth: "880px",
  },
});

function ThemeSection() {
  const [theme, setTheme] = useThemePreference();
  return (
    <SettingsCard id="theme" title="Theme">
      <RadioGroup
        aria-labelledby="theme-heading"
        value={theme}
        onChange={(_, data) => setTheme(data.value as ThemePreference)}
        data-testid="theme-choice"
      >
        <Radio value="system" label="Follow the system" />
        <Radio value="light" label="Light" />
        <Radio value="dark" label="Dark" />
      </RadioGroup>
    </SettingsCard>
  );
}

export function Settings() {
  const styles = useStyles();
  const common = useSettingsStyles();
  return (
    <div className={styles.stack}>
      <PageHeader
        title="Settings"
        description="How reports are branded, how tenants connect, the key evidence packs are signed with, where Plumbline keeps its data, and how it looks."
      />
      <BrandingSection />
      <LanguageSection />
      <ConnectionsSection />
      <SigningKeySection />
      <DataSection />
      <ThemeSection />
      <SettingsCard id="not-yet" title="Not in this version">
        <Body1 as="p" className={common.muted}>
          The connection to a Plumbline server, to share one portfolio with your team, comes with
          sync.
        </Body1>
      </SettingsCard>
    </div>
  );
}
