// Saved views of the findings table: a name for a combination of filters, kept on this
// machine (the webview's storage, next to the app's data). A few built-in views cover
// what operators ask for every day; saving under an existing name replaces it.

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

/** Views every workspace has; they cannot be deleted or replaced. */
export const BUILT_IN_VIEWS: readonly SavedView[] = [
  {
    name: "Overdue critical and high",
    filter: {
      ...EMPTY_FILTER,
      severities: ["critical", "high"],
      statuses: ["open", "acknowledged"],
      due: "overdue",
      sort: "due",
    },
  },
  {
    name: "Waiting for a decision",
    filter: { ...EMPTY_FILTER, statuses: ["open"], sort: "severity" },
  },
  {
    name: "Accepted risks",
    filter: { ...EMPTY_FILTER, statuses: ["risk_accepted"], sort: "tenant" },
  },
];

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

/** Why a name cannot be used, or null. */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return "Give the view a name.";
  if (trimmed.length > 60) return "Keep the name under 60 characters.";
  if (BUILT_IN_VIEWS.some((v) => v.name.toLowerCase() === trimmed.toLowerCase())) {
    return "A built-in view has that name: choose another.";
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
