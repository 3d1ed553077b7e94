// A path chosen with the system's picker, never typed: the chosen folder or file is
// shown read-only next to the button that opens the picker. A cancelled picker changes
// nothing.

import { Button, Input, makeStyles, tokens } from "@fluentui/react-components";
import { FolderOpenRegular, ImageRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { BackendError, useBackend, type PickKind } from "../backend";
import { defineMessages, useMessages } from "../i18n";

const messages = defineMessages(
  {
    chooseFolder: "Choose folder…",
    chooseImage: "Choose image…",
    noFolder: "No folder chosen",
    noImage: "No image chosen",
    pickerFailed: (why: string) => `The picker could not open: ${why}`,
  },
  {
    chooseFolder: "Ordner wählen…",
    chooseImage: "Bild wählen…",
    noFolder: "Kein Ordner gewählt",
    noImage: "Kein Bild gewählt",
    pickerFailed: (why) => `Die Auswahl konnte nicht geöffnet werden: ${why}`,
  },
);

const useStyles = makeStyles({
  row: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  path: { flexGrow: 1, minWidth: 0 },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

export function PathPicker(props: {
  kind: PickKind;
  /** The picker window's title. */
  title: string;
  value: string;
  onChange: (path: string) => void;
  testId: string;
  disabled?: boolean;
  /** Labels the read-only path for screen readers. */
  ariaLabel?: string;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const [problem, setProblem] = useState<string | null>(null);
  const folder = props.kind === "folder";

  const choose = () => {
    setProblem(null);
    backend.choosePath(props.kind, props.title).then(
      (path) => {
        if (path !== null) props.onChange(path);
      },
      (e: unknown) => setProblem(m.pickerFailed(BackendError.from(e).message)),
    );
  };

  return (
    <div>
      <div className={styles.row}>
        <Input
          className={styles.path}
          readOnly
          value={props.value}
          placeholder={folder ? m.noFolder : m.noImage}
          aria-label={props.ariaLabel}
          data-testid={props.testId}
        />
        <Button
          icon={folder ? <FolderOpenRegular /> : <ImageRegular />}
          onClick={choose}
          disabled={props.disabled}
          data-testid={`${props.testId}-choose`}
        >
          {folder ? m.chooseFolder : m.chooseImage}
        </Button>
      </div>
      {problem ? (
        <div role="alert" className={styles.problem}>
          {problem}
        </div>
      ) : null}
    </div>
  );
}
