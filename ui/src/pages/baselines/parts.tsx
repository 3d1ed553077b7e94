// Small pieces the Baselines screens share: the error bar, a version's status badge, a
// time as people read it, and focus that returns to where a dialog was opened from.

import { Badge, type BadgeProps } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { formatExact, parseTimestamp } from "../../format";

export { ErrorBar } from "../../shell/ErrorBar";

const STATUS: Record<string, { label: string; colour: BadgeProps["color"] }> = {
  draft: { label: "Draft", colour: "warning" },
  published: { label: "Published", colour: "success" },
  retired: { label: "Retired", colour: "subtle" },
};

export function VersionStatus(props: { status: string }) {
  const status = STATUS[props.status] ?? { label: props.status, colour: "informative" };
  return (
    <Badge appearance="tint" color={status.colour} data-testid="version-status">
      {status.label}
    </Badge>
  );
}

const shortFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A date and time in a table: short, with the exact time (and zone) on hover. */
export function When(props: { at: string | null }) {
  if (props.at === null) return <>—</>;
  const ms = parseTimestamp(props.at);
  if (ms === null) return <time dateTime={props.at}>{props.at}</time>;
  return (
    <time dateTime={props.at} title={formatExact(ms)}>
      {shortFormat.format(new Date(ms))}
    </time>
  );
}

/**
 * For a dialog that is mounted while open: when it closes, focus goes back to the
 * control that opened it (Fluent restores focus only for its own `DialogTrigger`), so
 * a keyboard user continues where they were instead of at the top of the page.
 */
export function useFocusReturn(): void {
  const [opener] = useState(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement : null,
  );
  useEffect(
    () => () => {
      if (opener?.isConnected) opener.focus();
    },
    [opener],
  );
}
