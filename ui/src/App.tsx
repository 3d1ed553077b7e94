// The root component: Fluent's theme, following the system's light or dark mode, around
// the console shell, in the interface language. The backend is provided by the caller
// (main.tsx or a test).

import { FluentProvider, webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { useEffect } from "react";
import { useLanguage } from "./i18n";
import { ActivityProvider } from "./jobs/activity";
import { Shell } from "./shell/Shell";
import { useThemePreference } from "./shell/themePreference";
import { useColorScheme } from "./shell/useColorScheme";

const FULL_HEIGHT = { height: "100%" } as const;

export function App() {
  const system = useColorScheme();
  const [preference] = useThemePreference();
  const scheme = preference === "system" ? system : preference;
  const language = useLanguage();
  useEffect(() => {
    // Screen readers pick their voice from it.
    document.documentElement.lang = language;
  }, [language]);
  return (
    <FluentProvider
      theme={scheme === "dark" ? webDarkTheme : webLightTheme}
      // Inline, not a class: FluentProvider hands its className to every portal mount
      // node (tooltips, menus), and a full-height portal would cover the app in white.
      style={FULL_HEIGHT}
      data-theme={scheme}
    >
      <ActivityProvider>
        {/* A new language redraws every page: texts formatted outside React follow. */}
        <Shell key={language} />
      </ActivityProvider>
    </FluentProvider>
  );
}
