// The interface language: English or German, chosen in Settings or following the system
// (the default). The choice is kept in local storage, like the theme, and every mounted
// reader updates at once.
//
// Texts live next to the components that show them, one catalog per area:
//
//   const en = { title: "Findings", open: (n: number) => formatCount(n, "open finding") };
//   export const messages = defineMessages(en, { title: "Befunde", open: (n) => … });
//   …
//   const m = useMessages(messages);  // m.title, m.open(3)
//
// The German catalog has the English one's type, so tsc refuses a missing or misshapen
// text. Values are strings or functions (for counts and inserted values). Messages from
// the backend (errors, the engine's explanations) stay in English.

import { useCallback, useSyncExternalStore } from "react";

export type UiLanguage = "en" | "de";
export type LanguagePreference = "system" | UiLanguage;

export const UI_LANGUAGES: readonly UiLanguage[] = ["en", "de"];

const KEY = "plumbline.language";
const listeners = new Set<() => void>();

function readPreference(): LanguagePreference {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === "en" || value === "de" ? value : "system";
  } catch {
    return "system";
  }
}

/** The language the system asks for, when it is one Plumbline speaks; else English. */
export function systemLanguage(languages: readonly string[] = navigatorLanguages()): UiLanguage {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (primary === "de") return "de";
    if (primary === "en") return "en";
  }
  return "en";
}

function navigatorLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** The language the interface is in now. */
export function currentLanguage(): UiLanguage {
  const preference = readPreference();
  return preference === "system" ? systemLanguage() : preference;
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

export function setLanguagePreference(preference: LanguagePreference): void {
  try {
    if (preference === "system") window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, preference);
  } catch {
    // Without storage the choice lasts until the app closes: nothing to do.
  }
  for (const listener of listeners) listener();
}

export function useLanguagePreference(): [LanguagePreference, (p: LanguagePreference) => void] {
  const preference = useSyncExternalStore(subscribe, readPreference);
  const set = useCallback((p: LanguagePreference) => setLanguagePreference(p), []);
  return [preference, set];
}

/** The interface language, re-rendering the caller when it changes. */
export function useLanguage(): UiLanguage {
  return useSyncExternalStore(subscribe, currentLanguage);
}

/** One area's texts in every interface language. */
export type Catalog<M> = Readonly<Record<UiLanguage, M>>;

/**
 * A catalog from the English texts and their German translation. The German texts must
 * have exactly the English ones' shape (checked by tsc).
 */
export function defineMessages<M>(en: M, de: NoInfer<M>): Catalog<M> {
  return { en, de };
}

/** The texts of `catalog` in the interface language. */
export function useMessages<M>(catalog: Catalog<M>): M {
  return catalog[useLanguage()];
}

/** The texts of `catalog` in the interface language, outside React (formatters, models). */
export function messagesNow<M>(catalog: Catalog<M>): M {
  return catalog[currentLanguage()];
}
