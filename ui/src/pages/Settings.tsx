// Settings: report branding, the interface and report languages, tenant connections
// (client secrets in the OS keychain), the evidence-signing key, where the data lives,
// the theme and the Plumbline server this computer signs in to (its device token in the
// OS keychain; syncing comes later, and the card says so). Each section loads and saves
// on its own, so one failing does not hide the others.

import {
  makeStyles,
  Radio,
  RadioGroup,
  tokens,
} from "@fluentui/react-components";
import { useMessages } from "../i18n";
import { PageHeader } from "../shell/PageHeader";
import { useThemePreference, type ThemePreference } from "../shell/themePreference";
import { BrandingSection } from "./settings/BrandingSection";
import { SettingsCard } from "./settings/common";
import { ConnectionsSection } from "./settings/ConnectionsSection";
import { DataSection } from "./settings/DataSection";
import { InterfaceLanguageSection } from "./settings/InterfaceLanguageSection";
import { messages } from "./settings/languageMessages";
import { LanguageSection } from "./settings/LanguageSection";
import { ServerSection } from "./settings/ServerSection";
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
      <ServerSection />
    </div>
  );
}
