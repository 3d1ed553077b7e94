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

export const SNOOZE_CHOICES = [
  { hours: 1, label: "1 hour" },
  { hours: 4, label: "4 hours" },
  { hours: 24, label: "1 day" },
  { hours: 168, label: "1 week" },
] as const;

export function snoozeLabel(hours: number): string {
  return SNOOZE_CHOICES.find((choice) => choice.hours === hours)?.label ?? `${hours} hours`;
}

export function SnoozeMenu(props: {
  onSnooze: (hours: number) => void;
  disabled?: boolean;
  /** The button's accessible name when it shows only its icon. */
  iconOnlyLabel?: string;
  testId: string;
}) {
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
          {iconOnly ? null : "Snooze"}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {SNOOZE_CHOICES.map((choice) => (
            <MenuItem
              key={choice.hours}
              onClick={() => props.onSnooze(choice.hours)}
              data-testid={`snooze-${choice.hours}`}
            >
              For {choice.label}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
