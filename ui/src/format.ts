// Text formatting shared by pages, in the interface language (numbers, dates, relative
// times). Functions that depend on the current time take it as an argument so tests pin
// it.

import { currentLanguage, type UiLanguage } from "./i18n";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Formats {
  relative: Intl.RelativeTimeFormat;
  exact: Intl.DateTimeFormat;
  number: Intl.NumberFormat;
  decimal: Intl.NumberFormat;
  short: Intl.DateTimeFormat;
  justNow: string;
}

const FORMATS = new Map<UiLanguage, Formats>();

/** The formatters of the interface language, made once per language. */
function formats(): Formats {
  const language = currentLanguage();
  let made = FORMATS.get(language);
  if (!made) {
    made = {
      relative: new Intl.RelativeTimeFormat(language, { numeric: "auto" }),
      exact: new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "long" }),
      number: new Intl.NumberFormat(language),
      decimal: new Intl.NumberFormat(language, {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }),
      short: new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }),
      justNow: language === "de" ? "gerade eben" : "just now",
    };
    FORMATS.set(language, made);
  }
  return made;
}

/** Milliseconds since the epoch for an RFC 3339 timestamp, or null when unparseable. */
export function parseTimestamp(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** "just now", "5 minutes ago", "yesterday", "3 days ago", "2 months ago", … */
export function formatRelative(timestampMs: number, nowMs: number): string {
  const elapsed = nowMs - timestampMs;
  const magnitude = Math.abs(elapsed);
  const sign = elapsed >= 0 ? -1 : 1;
  const whole = (unit: number) => sign * Math.floor(magnitude / unit);
  const { relative: relativeFormat, justNow } = formats();
  if (magnitude < MINUTE) return justNow;
  if (magnitude < HOUR) return relativeFormat.format(whole(MINUTE), "minute");
  if (magnitude < DAY) return relativeFormat.format(whole(HOUR), "hour");
  if (magnitude < 30 * DAY) return relativeFormat.format(whole(DAY), "day");
  if (magnitude < 365 * DAY) return relativeFormat.format(whole(30 * DAY), "month");
  return relativeFormat.format(whole(365 * DAY), "year");
}

/** The full local date and time with its time zone, for tooltips. */
export function formatExact(timestampMs: number): string {
  return formats().exact.format(new Date(timestampMs));
}

export function formatNumber(value: number): string {
  return formats().number.format(value);
}

/** "1 tenant", "5 tenants", "1,204 tenants". */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : plural}`;
}

/** "512 B", "40.6 KB", "1.2 MB" (powers of 1,024, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formats().decimal.format(value)} ${units[unit]}`;
}

/** A score or other one-decimal figure: "87.5" (English), "87,5" (German). */
export function formatScore(value: number): string {
  return formats().decimal.format(value);
}

/** A date and time to the minute, in the interface language: "3 Dec 2026, 14:05". */
export function formatDateTime(timestampMs: number): string {
  return formats().short.format(new Date(timestampMs));
}
