// Settings: report branding, the interface and report languages, tenant connections
// (client secrets in the OS keychain), the evidence-signing key, where the data lives,
// and the theme. Each section
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
import { useMessages } from "../i18n";
import { PageHeader } from "../shell/PageHeader";
import { useThemePreference, type ThemePreference } from "../shell/themePreference";
import { BrandingSection } from "./settings/BrandingSection";
import { SettingsCard, useSettingsStyles } from "./settings/common";
import { ConnectionsSection } from "./settings/ConnectionsSection";
import { DataSection } from "./settings/DataSection";
import { InterfaceLanguageSection } from "./settings/InterfaceLanguageSection";
import { messages } from "./settings/languageMessages";
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
  const m = useMessages(messages);
  const [theme, setTheme] = useThemePreference();
  return (
    <SettingsCard id="theme" title={m.themeTitle}>
      <RadioGroup
        aria-labelledby="theme-heading"
        value={theme}
        onChange={(_, data) => setTheme(data.value as ThemePreference)}
        data-testid="theme-choice"
      >
        <Radio value="system" label={m.themeSystem} />
        <Radio value="light" label={m.themeLight} />
        <Radio value="dark" label={m.themeDark} />
      </RadioGroup>
    </SettingsCard>
  );
}

export function Settings() {
  const styles = useStyles();
  const common = useSettingsStyles();
  const m = useMessages(messages);
  return (
    <div className={styles.stack}>
      <PageHeader title={m.title} description={m.description} />
      <BrandingSection />
      <InterfaceLanguageSection />
      <LanguageSection />
      <ConnectionsSection />
      <SigningKeySection />
      <DataSection />
      <ThemeSection />
      <SettingsCard id="not-yet" title={m.notYetTitle}>
        <Body1 as="p" className={common.muted}>
          {m.notYetServer}
        </Body1>
      </SettingsCard>
    </div>
  );
}
