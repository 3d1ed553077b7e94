// Words and badges for findings: severities, states and sources as people read them, in
// the interface language. The functions take the area's texts from a component's
// `useMessages(messages)`; called without them, they read the current language.

import { Badge, type BadgeProps } from "@fluentui/react-components";
import { messagesNow, useMessages } from "../../i18n";
import { messages, type FindingMessages } from "./messages";

export interface Option {
  value: string;
  label: string;
}

const SEVERITIES = ["critical", "high", "medium", "low"] as const;
const STATUSES = ["open", "acknowledged", "risk_accepted", "resolved", "false_positive"] as const;
const KINDS = ["drift", "lint", "history"] as const;
const SORTS = ["severity", "due", "tenant", "last_seen"] as const;

export function severityOptions(m: FindingMessages = messagesNow(messages)): Option[] {
  return SEVERITIES.map((value) => ({ value, label: m.severity[value] }));
}

export function statusOptions(m: FindingMessages = messagesNow(messages)): Option[] {
  return STATUSES.map((value) => ({ value, label: m.status[value] }));
}

export function kindOptions(m: FindingMessages = messagesNow(messages)): Option[] {
  return KINDS.map((value) => ({ value, label: m.kind[value] }));
}

/** Due-date choices; "" is any due date. */
export function dueOptions(m: FindingMessages = messagesNow(messages)): Option[] {
  return [
    { value: "", label: m.due.any },
    { value: "overdue", label: m.due.overdue },
    { value: "next_seven_days", label: m.due.next_seven_days },
    { value: "later", label: m.due.later },
  ];
}

export function sortOptions(m: FindingMessages = messagesNow(messages)): Option[] {
  return SORTS.map((value) => ({ value, label: m.sort[value] }));
}

function labelOf(options: readonly Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

export function severityLabel(value: string, m: FindingMessages = messagesNow(messages)): string {
  return labelOf(severityOptions(m), value);
}

export function statusLabel(value: string, m: FindingMessages = messagesNow(messages)): string {
  return labelOf(statusOptions(m), value);
}

export function kindLabel(value: string, m: FindingMessages = messagesNow(messages)): string {
  return labelOf(kindOptions(m), value);
}

const SEVERITY_COLOUR: Record<string, BadgeProps["color"]> = {
  critical: "danger",
  high: "severe",
  medium: "warning",
  low: "informative",
};

const STATUS_COLOUR: Record<string, BadgeProps["color"]> = {
  open: "danger",
  acknowledged: "warning",
  risk_accepted: "important",
  resolved: "success",
  false_positive: "subtle",
};

export function SeverityBadge(props: { severity: string }) {
  const m = useMessages(messages);
  return (
    <Badge
      appearance="tint"
      color={SEVERITY_COLOUR[props.severity] ?? "informative"}
      data-testid="severity"
    >
      {severityLabel(props.severity, m)}
    </Badge>
  );
}

export function StatusBadge(props: { status: string }) {
  const m = useMessages(messages);
  return (
    <Badge
      appearance="outline"
      color={STATUS_COLOUR[props.status] ?? "informative"}
      data-testid="status"
    >
      {statusLabel(props.status, m)}
    </Badge>
  );
}

/** A JSON value as text for people: strings without quotes, `null` as "not set". */
export function formatValue(
  json: string | null,
  m: FindingMessages = messagesNow(messages),
): string {
  if (json === null) return m.notSet;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "string") return value;
    if (value === null) return m.notSet;
    return JSON.stringify(value);
  } catch {
    return json;
  }
}

/** `2026-12-31` from an RFC 3339 time (the UTC date). */
export function dateOnly(at: string | null): string {
  return at === null ? "—" : at.slice(0, 10);
}
