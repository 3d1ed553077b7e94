import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useColorScheme } from "./useColorScheme";

/** A controllable `prefers-color-scheme: dark` media query. */
function stubDarkPreference(initiallyDark: boolean) {
  let matches = initiallyDark;
  const listeners = new Set<() => void>();
  vi.spyOn(window, "matchMedia").mockImplementation(
    (query: string) =>
      ({
        get matches() {
          return query === "(prefers-color-scheme: dark)" && matches;
        },
        media: query,
        addEventListener: (_: string, listener: () => void) => listeners.add(listener),
        removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
      }) as unknown as MediaQueryList,
  );
  return {
    set(dark: boolean) {
      matches = dark;
      listeners.forEach((listener) => listener());
    },
    listenerCount: () => listeners.size,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("useColorScheme", () => {
  it("follows the system preference as it changes", () => {
    const preference = stubDarkPreference(false);
    const { result, unmount } = renderHook(() => useColorScheme());
    expect(result.current).toBe("light");

    act(() => preference.set(true));
    expect(result.current).toBe("dark");

    act(() => preference.set(false));
    expect(result.current).toBe("light");

    unmount();
    expect(preference.listenerCount()).toBe(0);
  });

  it("starts dark when the system is dark", () => {
    stubDarkPreference(true);
    const { result } = renderHook(() => useColorScheme());
    expect(result.current).toBe("dark");
  });
});
