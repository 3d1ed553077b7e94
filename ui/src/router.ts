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
