// The app's theme choice: follow the system (the default), or always light or dark.
// Kept in local storage, so it survives restarts; every mounted reader updates at once.

import { useCallback, useSyncExternalStore } from "react";

export type ThemePreference = "system" | "light" | "dark";

const KEY = "plumbline.theme";
const listeners = new Set<() => void>();

function read(): ThemePreference {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

export function setThemePreference(preference: ThemePreference): void {
  try {
    window.localStorage.setItem(KEY, preference);
  } catch {
    // Without storage the choice lasts until the app closes: nothing to do.
  }
  for (const listener of listeners) listener();
}

export function useThemePreference(): [ThemePreference, (p: ThemePreference) => void] {
  const preference = useSyncExternalStore(subscribe, read);
  const set = useCallback((p: ThemePreference) => setThemePreference(p), []);
  return [preference, set];
}
