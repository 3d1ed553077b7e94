// Test environment: jest-dom matchers, cleanup between tests, and the browser APIs that
// Fluent UI uses but jsdom lacks.

import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { setLanguagePreference } from "./src/i18n";

// Test files run in parallel on a 2-core machine shared with builds: give findBy/waitFor
// more than the default second before they fail.
configure({ asyncUtilTimeout: 4000 });

if (typeof window.matchMedia !== "function") {
  // No media query matches: light theme, no reduced motion.
  window.matchMedia = (query: string): MediaQueryList => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
    dispatchEvent: () => false,
  });
}

if (typeof window.ResizeObserver !== "function") {
  window.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}

// jsdom does no layout: `offsetParent` is always null and every box is 0x0. Tabster
// (Fluent's keyboard navigation) then takes every element for hidden and lets Tab go
// nowhere. Answer as a browser would for rendered elements: `offsetParent` is null only
// inside a `display: none` subtree, and the body fills the window.
function isRendered(element: Element | null): boolean {
  if (element === null) return true;
  return window.getComputedStyle(element).display !== "none" && isRendered(element.parentElement);
}

Object.defineProperty(HTMLElement.prototype, "offsetParent", {
  configurable: true,
  get(this: HTMLElement): Element | null {
    return isRendered(this) ? this.parentElement : null;
  },
});

HTMLBodyElement.prototype.getBoundingClientRect = function (): DOMRect {
  return new DOMRect(0, 0, window.innerWidth, window.innerHeight);
};

beforeEach(() => {
  // Each test starts on the default route.
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  // A test that switched the interface language leaves the next one in English.
  setLanguagePreference("system");
});
