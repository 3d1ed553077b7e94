// Writes a version to a folder of files (baseline.json and one file per policy), for
// git; shows the files written.

import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import {
  BackendError,
  useBackend,
  type ExportedBaselineView,
  type VersionRow,
} from "../../backend";
import { useMessages } from "../../i18n";
import { messages } from "./messages";
import { ErrorBar, useFocusReturn } from "./parts";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  files: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    maxHeight: "240px",
    overflowY: "auto",
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
});

export function ExportDialog(props: {
  baselineId: string;
  versions: VersionRow[];
  initialVersion: number;
  onClose: () => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const [version, setVersion] = useState(props.initialVersion);
  const [path, setPath] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ExportedBaselineView | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = path.trim();
    if (target === "") {
      setProblem(m.enterExportFolder);
      return;
    }
    setProblem(undefined);
    setBusy(true);
    setError(null);
    setDone(null);
    backend
      .exportBaseline({ baselineId: props.baselineId, version, path: target })
      .then(setDone, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="export-dialog">
        <form onSubmit={submit} noValidate aria-label={m.exportFormLabel}>
          <DialogBody>
            <DialogTitle>{m.exportTitle}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field label={m.version}>
                <Select
                  value={String(version)}
                  onChange={(_, data) => setVersion(Number(data.value))}
                  data-testid="export-version"
                >
                  {props.versions.map((v) => (
                    <option key={v.id} value={v.version}>
                      {m.versionWithStatus(v.version, v.status)}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field
                label={m.folder}
                required
                hint={m.exportFolderHint}
                validationMessage={problem}
              >
                <Input
                  value={path}
                  onChange={(_, data) => setPath(data.value)}
                  placeholder="/home/you/baselines/msp-standard"
                  data-testid="export-path"
                />
              </Field>
              {error ? <ErrorBar title={m.couldNotExport} error={error} testId="export-error" /> : null}
              {done ? (
                <MessageBar intent="success" layout="multiline" data-testid="export-done">
                  <MessageBarBody>
                    <MessageBarTitle>
                      {m.wrote(done.name, done.version, done.folder)}
                    </MessageBarTitle>
                    {m.fileCount(done.files.length)}
                    <ul className={styles.files} data-testid="export-files">
                      {done.files.map((file) => (
                        <li key={file}>{file}</li>
                      ))}
                    </ul>
                  </MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose}>
                {done ? m.close : m.cancel}
              </Button>
              <Button appearance="primary" type="submit" disabled={busy} data-testid="export-submit">
                {busy ? m.exporting : m.export}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
