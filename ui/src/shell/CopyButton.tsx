// A small button that copies a value (a path, a SHA-256, a key fingerprint) to the
// clipboard and says so, for values people paste into mails, tickets and terminals.

import { Button, makeStyles, Tooltip } from "@fluentui/react-components";
import { CheckmarkRegular, CopyRegular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { useMessages } from "../i18n";
import { messages } from "./messages";

const useStyles = makeStyles({
  hidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    overflow: "hidden",
    clipPath: "inset(50%)",
    whiteSpace: "nowrap",
  },
});

/**
 * Copies `text` to the clipboard. The Clipboard API needs a secure context, which a
 * webview's custom scheme may not count as; the selection-based copy still works there.
 */
export async function copyText(text: string): Promise<void> {
  if (typeof navigator.clipboard?.writeText === "function") {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Fall back to copying a selection.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("the webview refused to copy");
}

type CopyState = "idle" | "copied" | "failed";

export function CopyButton(props: {
  value: string;
  /** What is copied, for the button's name: "SHA-256" gives "Copy SHA-256". */
  what: string;
  testId?: string;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);

  const tip =
    state === "copied"
      ? m.copied
      : state === "failed"
        ? m.copyFailed
        : m.copy(props.what);
  return (
    <>
      <Tooltip content={tip} relationship="description">
        <Button
          size="small"
          appearance="subtle"
          icon={state === "copied" ? <CheckmarkRegular /> : <CopyRegular />}
          aria-label={m.copy(props.what)}
          onClick={() => {
            copyText(props.value).then(
              () => setState("copied"),
              () => setState("failed"),
            );
          }}
          data-testid={props.testId}
        />
      </Tooltip>
      <span role="status" className={styles.hidden}>
        {state === "copied" ? m.whatCopied(props.what) : state === "failed" ? tip : ""}
      </span>
    </>
  );
}
