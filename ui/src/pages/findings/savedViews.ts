// Saved views of the findings table: a name for a combination of filters, kept on this
// machine (the webview's storage, next to the app's data). A few built-in views cover
// what operators ask for every day; saving under an existing name replaces it.

import { messagesNow, UI_LANGUAGES } from "../../i18n";
import { messages, type FindingMessages } from "./messages";
import type { FindingFilter } from "./useFindingRows";

export interface SavedView {
  name: string;
  filter: FindingFilter;
}

const STORAGE_KEY = "plumbline.findings.views";

export const EMPTY_FILTER: FindingFilter = {
  tenantIds: [],
  severities: [],
  statuses: [],
  kinds: [],
  baselines: [],
  due: null,
  search: "",
  sort: "severity",
};

type BuiltIn = keyof FindingMessages["builtIn"];

const BUILT_IN: readonly { key: BuiltIn; filter: FindingFilter }[] = [
  {
    key: "overdue",
    filter: {
      ...EMPTY_FILTER,
      severities: ["critical", "high"],
      statuses: ["open", "acknowledged"],
      due: "overdue",
      sort: "due",
    },
  },
  {
    key: "waiting",
    filter: { ...EMPTY_FILTER, statuses: ["open"], sort: "severity" },
  },
  {
    key: "accepted",
    filter: { ...EMPTY_FILTER, statuses: ["risk_accepted"], sort: "tenant" },
  },
];

/**
 * Views every workspace has, named in the interface language; they cannot be deleted
 * or replaced.
 */
export function builtInViews(m: FindingMessages = messagesNow(messages)): SavedView[] {
  return BUILT_IN.map((view) => ({ name: m.builtIn[view.key], filter: view.filter }));
}

function isView(value: unknown): value is SavedView {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === "string" &&
    typeof candidate.filter === "object" &&
    candidate.filter !== null
  );
}

/** The views this operator saved, by name. Damaged storage reads as none. */
export function loadViews(): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(isView)
      .map((v) => ({ name: v.name, filter: { ...EMPTY_FILTER, ...v.filter } }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

function store(views: SavedView[]): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(views));
  } catch {
    // Storage can be unavailable; the views last until the app closes.
  }
}

/**
 * Why a name cannot be used, or null. A built-in view's name is refused in every
 * interface language, so switching language never shows two views of one name.
 */
export function nameProblem(
  name: string,
  m: FindingMessages = messagesNow(messages),
): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return m.nameMissing;
  if (trimmed.length > 60) return m.nameTooLong;
  const taken = UI_LANGUAGES.flatMap((language) => builtInViews(messages[language]));
  if (taken.some((v) => v.name.toLowerCase() === trimmed.toLowerCase())) {
    return m.nameBuiltIn;
  }
  return null;
}

/** Saves (or replaces, by name ignoring case) a view; returns the new list. */
export function saveView(views: SavedView[], name: string, filter: FindingFilter): SavedView[] {
  const trimmed = name.trim();
  const kept = views.filter((v) => v.name.toLowerCase() !== trimmed.toLowerCase());
  const next = [...kept, { name: trimmed, filter: { ...filter } }].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  store(next);
  return next;
}

export function deleteView(views: SavedView[], name: string): SavedView[] {
  const next = views.filter((v) => v.name !== name);
  store(next);
  return next;
}

/** Whether `filter` is what `view` shows (so the menu can mark it). */
export function isCurrent(view: SavedView, filter: FindingFilter): boolean {
  const canonical = (f: FindingFilter) =>
    JSON.stringify({
      ...f,
      tenantIds: [...f.tenantIds].sort(),
      severities: [...f.severities].sort(),
      statuses: [...f.statuses].sort(),
      kinds: [...f.kinds].sort(),
      baselines: [...f.baselines].sort(),
      search: f.search.trim(),
    });
  return canonical(view.filter) === canonical(filter);
}
