// The interface language: follow the system (the default), English or German. Kept on
// this computer (like the theme), applied at once.

import { Radio, RadioGroup } from "@fluentui/react-components";
import {
  systemLanguage,
  UI_LANGUAGES,
  useLanguagePreference,
  useMessages,
  type LanguagePreference,
} from "../../i18n";
import { SettingsCard } from "./common";
import { messages } from "./languageMessages";

export function InterfaceLanguageSection() {
  const m = useMessages(messages);
  const [preference, setPreference] = useLanguagePreference();
  return (
    <SettingsCard
      id="interface-language"
      title={m.interfaceTitle}
      description={m.interfaceDescription}
    >
      <RadioGroup
        aria-labelledby="interface-language-heading"
        value={preference}
        onChange={(_, data) => setPreference(data.value as LanguagePreference)}
        data-testid="interface-language-choice"
      >
        <Radio value="system" label={m.followSystem(m.languageNames[systemLanguage()])} />
        {UI_LANGUAGES.map((language) => (
          // Each language is named in itself too, so it can be found in either.
          <Radio key={language} value={language} label={m.languageNames[language]} lang={language} />
        ))}
      </RadioGroup>
    </SettingsCard>
  );
}
