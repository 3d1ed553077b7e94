// Snooze for a fixed time: the choices people make most (an hour, half a day's work, a
// day, a week). A snoozed alert comes back to Open by itself when the time is up.

import {
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
} from "@fluentui/react-components";
import { SnoozeRegular } from "@fluentui/react-icons";
import { useMessages } from "../../i18n";
import { messages } from "./messages";

type Messages = (typeof messages)["en"];

const DAY = 24;
const WEEK = 7 * DAY;

/** The choices, in hours: an hour, half a day's work, a day, a week. */
export const SNOOZE_CHOICES = [1, 4, DAY, WEEK] as const;

/** "1 hour", "4 hours", "1 day", "1 week" (in whole weeks or days when it is). */
export function snoozeLabel(m: Messages, hours: number): string {
  if (hours > 0 && hours % WEEK === 0) return m.weeks(hours / WEEK);
  if (hours > 0 && hours % DAY === 0) return m.days(hours / DAY);
  return m.hours(hours);
}

export function SnoozeMenu(props: {
  onSnooze: (hours: number) => void;
  disabled?: boolean;
  /** The button's accessible name when it shows only its icon. */
  iconOnlyLabel?: string;
  testId: string;
}) {
  const m = useMessages(messages);
  const iconOnly = props.iconOnlyLabel !== undefined;
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <MenuButton
          size={iconOnly ? "small" : "medium"}
          appearance={iconOnly ? "subtle" : "secondary"}
          icon={<SnoozeRegular />}
          disabled={props.disabled}
          aria-label={props.iconOnlyLabel}
          data-testid={props.testId}
        >
          {iconOnly ? null : m.snooze}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {SNOOZE_CHOICES.map((hours) => (
            <MenuItem
              key={hours}
              onClick={() => props.onSnooze(hours)}
              data-testid={`snooze-${hours}`}
            >
              {m.snoozeFor(snoozeLabel(m, hours))}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
