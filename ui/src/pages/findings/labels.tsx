// Words and badges for findings: severities, states and sources as people read them.

import { Badge, type BadgeProps } from "@fluentui/react-components";

export const SEVERITY_OPTIONS = [
  { value: "critical", label: "Critical" },
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
] as const;

export const STATUS_OPTIONS = [
  { value: "open", label: "Open" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "risk_accepted", label: "Risk accepted" },
  { value: "resolved", label: "Resolved" },
  { value: "false_positive", label: "False positive" },
] as const;

export const KIND_OPTIONS = [
  { value: "drift", label: "Drift from baseline" },
  { value: "lint", label: "Lint rule" },
  { value: "history", label: "Change between captures" },
] as const;

export const DUE_OPTIONS = [
  { value: "", label: "Any due date" },
  { value: "overdue", label: "Overdue" },
  { value: "next_seven_days", label: "Due in 7 days" },
  { value: "later", label: "Due later" },
] as const;

export const SORT_OPTIONS = [
  { value: "severity", label: "Severity" },
  { value: "due", label: "Due date" },
  { value: "tenant", label: "Tenant" },
  { value: "last_seen", label: "Last seen" },
] as const;

function labelOf(options: readonly { value: string; label: string }[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

export function severityLabel(value: string): string {
  return labelOf(SEVERITY_OPTIONS, value);
}

export function statusLabel(value: string): string {
  return labelOf(STATUS_OPTIONS, value);
}

export function kindLabel(value: string): string {
  return labelOf(KIND_OPTIONS, value);
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
  return (
    <Badge
      appearance="tint"
      color={SEVERITY_COLOUR[props.severity] ?? "informative"}
      data-testid="severity"
    >
      {severityLabel(props.severity)}
    </Badge>
  );
}

export function StatusBadge(props: { status: string }) {
  return (
    <Badge
      appearance="outline"
      color={STATUS_COLOUR[props.status] ?? "informative"}
      data-testid="status"
    >
      {statusLabel(props.status)}
    </Badge>
  );
}

/** A JSON value as text for people: strings without quotes, `null` as "not set". */
export function formatValue(json: string | null): string {
  if (json === null) return "not set";
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "string") return value;
    if (value === null) return "not set";
    return JSON.stringify(value);
  } catch {
    return json;
  }
}

/** `2026-12-31` from an RFC 3339 time (the UTC date). */
export function dateOnly(at: string | null): string {
  return at === null ? "—" : at.slice(0, 10);
}
