// A failed backend call as people read it: what could not be done, the backend's own
// message (which says what to do next), and Retry where trying again makes sense.

import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { ArrowClockwiseRegular } from "@fluentui/react-icons";
import type { BackendError } from "../backend";
import { useMessages } from "../i18n";
import { messages } from "./messages";

export function ErrorBar(props: {
  title: string;
  error: BackendError;
  testId?: string;
  onRetry?: () => void;
}) {
  const m = useMessages(messages);
  return (
    <MessageBar intent="error" layout="multiline" data-testid={props.testId}>
      <MessageBarBody>
        <MessageBarTitle>{props.title}</MessageBarTitle>
        <span data-testid="error-message">{props.error.message}</span>
      </MessageBarBody>
      {props.onRetry ? (
        <MessageBarActions>
          <Button icon={<ArrowClockwiseRegular />} onClick={props.onRetry}>
            {m.retry}
          </Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
