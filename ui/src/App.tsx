// The root component: Fluent's theme, following the system's light or dark mode, around
// the console shell. The backend is provided by the caller (main.tsx or a test).

import {
  FluentProvider,
  makeStyles,
  webDarkTheme,
  webLightTheme,
} from "@fluentui/react-components";
import { ActivityProvider } from "./jobs/activity";
import { Shell } from "./shell/Shell";
import { useThemePreference } from "./shell/themePreference";
import { useColorScheme } from "./shell/useColorScheme";

const useStyles = makeStyles({
  provider: {
    height: "100%",
  },
});

export function App() {
  const styles = useStyles();
  const system = useColorScheme();
  const [preference] = useThemePreference();
  const scheme = preference === "system" ? system : preference;
  return (
    <FluentProvider
      theme={scheme === "dark" ? webDarkTheme : webLightTheme}
      className={styles.provider}
      data-theme={scheme}
    >
      <ActivityProvider>
        <Shell />
      </ActivityProvider>
    </FluentProvider>
  );
}
