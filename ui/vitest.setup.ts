// Test environment: jest-dom matchers, cleanup between tests, and the browser APIs that
// Fluent UI uses but jsdom lacks.

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

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

beforeEach(() => {
  // Each test starts on the default route.
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
});
