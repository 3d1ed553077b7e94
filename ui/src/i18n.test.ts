import { afterEach, describe, expect, it } from "vitest";
import {
  currentLanguage,
  defineMessages,
  messagesNow,
  setLanguagePreference,
  systemLanguage,
} from "./i18n";

afterEach(() => setLanguagePreference("system"));

describe("systemLanguage", () => {
  it("takes the first language Plumbline speaks, else English", () => {
    expect(systemLanguage(["de-AT", "en-US"])).toBe("de");
    expect(systemLanguage(["fr-FR", "de_CH", "en"])).toBe("de");
    expect(systemLanguage(["en-GB", "de-DE"])).toBe("en");
    expect(systemLanguage(["fr-FR", "ja"])).toBe("en");
    expect(systemLanguage([])).toBe("en");
  });
});

describe("the language preference", () => {
  it("is kept in local storage and following the system removes it", () => {
    expect(currentLanguage()).toBe("en"); // jsdom's navigator says en-US
    setLanguagePreference("de");
    expect(window.localStorage.getItem("plumbline.language")).toBe("de");
    expect(currentLanguage()).toBe("de");
    setLanguagePreference("system");
    expect(window.localStorage.getItem("plumbline.language")).toBeNull();
    expect(currentLanguage()).toBe("en");
  });

  it("ignores a stored value it does not know", () => {
    window.localStorage.setItem("plumbline.language", "fr");
    expect(currentLanguage()).toBe("en");
  });

  it("picks a catalog's texts", () => {
    const catalog = defineMessages(
      { count: (n: number) => `${n} findings` },
      { count: (n) => `${n} Befunde` },
    );
    expect(messagesNow(catalog).count(2)).toBe("2 findings");
    setLanguagePreference("de");
    expect(messagesNow(catalog).count(2)).toBe("2 Befunde");
  });
});
