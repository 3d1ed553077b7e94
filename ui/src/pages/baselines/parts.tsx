// Small pieces the Baselines screens share: the error bar, a version's status badge, a
// time as people read it, and focus that returns to where a dialog was opened from.

import { Badge, type BadgeProps } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { formatDateTime, formatExact, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { messages } from "./messages";

export { ErrorBar } from "../../shell/ErrorBar";

const STATUS_COLOUR: Record<string, BadgeProps["color"]> = {
  draft: "warning",
  published: "success",
  retired: "subtle",
};

export function VersionStatus(props: { status: string }) {
  const m = useMessages(messages);
  return (
    <Badge
      appearance="tint"
      color={STATUS_COLOUR[props.status] ?? "informative"}
      data-testid="version-status"
    >
      {m.versionStatus[props.status] ?? props.status}
    </Badge>
  );
}

/** A date and time in a table: short, with the exact time (and zone) on hover. */
export function When(props: { at: string | null }) {
  if (props.at === null) return <>—</>;
  const ms = parseTimestamp(props.at);
  if (ms === null) return <time dateTime={props.at}>{props.at}</time>;
  return (
    <time dateTime={props.at} title={formatExact(ms)}>
      {formatDateTime(ms)}
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
