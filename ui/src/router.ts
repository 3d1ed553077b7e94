// A hash router: the page lives in `location.hash` (`#/findings`), which works from the
// `tauri://` and `file:` origins without a server fallback, and survives reloads.
// Navigation links are plain anchors, so the browser handles keyboard activation.

import { useSyncExternalStore } from "react";
import { DEFAULT_PAGE, PAGES, type PageId } from "./pages";

export function hrefFor(page: PageId): string {
  return `#/${page}`;
}

/** The page a hash names; anything unknown falls back to the default page. */
export function pageFromHash(hash: string): PageId {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/, 1)[0] ?? "";
  return PAGES.find((page) => page.id === name)?.id ?? DEFAULT_PAGE;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function currentHash(): string {
  return window.location.hash;
}

export function useCurrentPage(): PageId {
  return pageFromHash(useSyncExternalStore(subscribe, currentHash));
}

export interface Route {
  page: PageId;
  /** What follows the page: `#/tenants/ID` gives `["ID"]`. */
  params: string[];
}

/** The page and its parameters that a hash names. */
export function routeFromHash(hash: string): Route {
  const page = pageFromHash(hash);
  const parts = hash.replace(/^#\/?/, "").split("?", 1)[0]?.split("/") ?? [];
  const params = page === parts[0] ? parts.slice(1).filter(Boolean).map(decodeURIComponent) : [];
  return { page, params };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return routeFromHash(hash);
}

/** The href of a page with parameters, e.g. `#/tenants/ID`. */
export function hrefWith(page: PageId, ...params: string[]): string {
  return [hrefFor(page), ...params.map(encodeURIComponent)].join("/");
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, "");
}

const LAST_VIEW_KEY = "plumbline.lastView";

/** Remembers the view, so the next start opens where the operator left off. */
export function rememberView(hash: string): void {
  try {
    window.localStorage.setItem(LAST_VIEW_KEY, hash);
  } catch {
    // Storage can be unavailable (private mode); remembering is a convenience.
  }
}

/** At start, without a page in the address: the view remembered last time, if any. */
export function restoreLastView(): void {
  if (window.location.hash.replace(/^#\/?/, "") !== "") return;
  try {
    const saved = window.localStorage.getItem(LAST_VIEW_KEY);
    if (saved !== null && saved.startsWith("#/")) window.location.hash = saved.slice(1);
  } catch {
    // As above: start on the default page.
  }
}
