import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatRelative, formatScore, parseTimestamp } from "./format";
import { setLanguagePreference } from "./i18n";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const ago = (ms: number) => NOW - ms;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatRelative", () => {
  it.each([
    [ago(20_000), "just now"],
    [ago(5 * MINUTE), "5 minutes ago"],
    [ago(1 * HOUR), "1 hour ago"],
    [ago(3 * HOUR + 59 * MINUTE), "3 hours ago"],
    [ago(1 * DAY), "yesterday"],
    [ago(3 * DAY), "3 days ago"],
    [ago(45 * DAY), "last month"],
    [ago(100 * DAY), "3 months ago"],
    [ago(800 * DAY), "2 years ago"],
    [NOW + 2 * HOUR, "in 2 hours"],
  ])("formats %s as %s", (timestamp, expected) => {
    expect(formatRelative(timestamp, NOW)).toBe(expected);
  });
});

describe("parseTimestamp", () => {
  it("reads RFC 3339 UTC and rejects garbage and null", () => {
    expect(parseTimestamp("2026-11-20T12:00:00Z")).toBe(NOW);
    expect(parseTimestamp("2026-11-20T12:00:00.123456Z")).toBe(NOW + 123);
    expect(parseTimestamp("not a date")).toBeNull();
    expect(parseTimestamp(null)).toBeNull();
  });
});

describe("formatCount", () => {
  it("uses the singular only for one and groups thousands", () => {
    expect(formatCount(0, "tenant")).toBe("0 tenants");
    expect(formatCount(1, "tenant")).toBe("1 tenant");
    expect(formatCount(1204, "tenant")).toBe("1,204 tenants");
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1,023 B"],
    [1024, "1.0 KB"],
    [41_574, "40.6 KB"],
    [5 * 1024 * 1024, "5.0 MB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("in German", () => {
  beforeEach(() => setLanguagePreference("de"));
  afterEach(() => setLanguagePreference("system"));

  it("formats numbers, sizes, scores and relative times the German way", () => {
    expect(formatCount(1204, "Mandant", "Mandanten")).toBe("1.204 Mandanten");
    expect(formatBytes(41_574)).toBe("40,6 KB");
    expect(formatScore(87.25)).toBe("87,3");
    expect(formatRelative(ago(20_000), NOW)).toBe("gerade eben");
    expect(formatRelative(ago(3 * DAY), NOW)).toBe("vor 3 Tagen");
    expect(formatRelative(ago(1 * DAY), NOW)).toBe("gestern");
  });

  it("goes back to English with the preference", () => {
    setLanguagePreference("en");
    expect(formatScore(87.25)).toBe("87.3");
    expect(formatRelative(ago(3 * DAY), NOW)).toBe("3 days ago");
  });
});
