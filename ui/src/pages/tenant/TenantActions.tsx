// What an operator starts from a tenant's page: a review, or an import of a new capture
// from an export folder. Both run in the background; the page stays usable and reloads
// when they end.

import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  makeStyles,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { FolderArrowUpRegular, PlayRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { BackendError, useBackend, type ImportPreview, type Job } from "../../backend";
import { PathPicker } from "../../shell/PathPicker";
import { JobProgress } from "../../jobs/JobProgress";
import { messages as jobMessages } from "../../jobs/messages";
import { useJob } from "../../jobs/useJob";
import { useMessages } from "../../i18n";
import { messages } from "./messages";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  row: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  surface: { maxWidth: "720px" },
  files: {
    maxHeight: "240px",
    overflowY: "auto",
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

function ImportPreviewView(props: { preview: ImportPreview }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { preview } = props;
  return (
    <div className={styles.stack} data-testid="import-preview">
      <Text weight="semibold" data-testid="import-preview-summary">
        {m.previewSummary(preview.items, preview.directoryObjects)}
      </Text>
      {preview.byKind.length > 0 ? (
        <Text>{preview.byKind.map((k) => `${k.label}: ${k.count}`).join(" · ")}</Text>
      ) : null}
      {preview.formats.length > 0 ? <Text>{m.previewFormats(preview.formats.join(", "))}</Text> : null}
      {preview.notPolicies > 0 ? <Text>{m.previewNotPolicies(preview.notPolicies)}</Text> : null}
      {preview.unreadable > 0 ? (
        <Text className={styles.problem} data-testid="import-preview-unreadable">
          {m.previewUnreadable(preview.unreadable)}
        </Text>
      ) : null}
      <ul className={styles.files} aria-label={m.previewFiles}>
        {preview.files.map((file) => (
          <li key={file.path} data-outcome={file.outcome}>
            <Text weight="semibold">{file.path}</Text>
            <br />
            <Text size={200} className={file.outcome === "unreadable" ? styles.problem : undefined}>
              {file.summary}
            </Text>
            {file.notes.map((note) => (
              <Text key={note} size={200} block>
                {m.previewNote(note)}
              </Text>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ImportDialog(props: {
  open: boolean;
  tenantId: string;
  /** A folder dropped on the window, to start from. */
  initialFolder: string;
  onOpenChange: (open: boolean) => void;
  onImport: (folder: string, skipBadFiles: boolean) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const [folder, setFolder] = useState(props.initialFolder);
  const [skip, setSkip] = useState(false);
  const [tried, setTried] = useState(false);
  // The preview of the chosen folder; an older answer never replaces a newer one.
  const [answer, setAnswer] = useState<
    | { folder: string; preview: ImportPreview; error: null }
    | { folder: string; preview: null; error: BackendError }
    | null
  >(null);
  const { tenantId } = props;
  useEffect(() => {
    if (folder === "") return;
    let current = true;
    backend.previewImport({ tenant: tenantId, folder }).then(
      (preview) => {
        if (current) setAnswer({ folder, preview, error: null });
      },
      (e: unknown) => {
        if (current) setAnswer({ folder, preview: null, error: BackendError.from(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [backend, folder, tenantId]);

  const loading = folder !== "" && answer?.folder !== folder;
  const ready = !loading && answer !== null ? answer.preview : null;
  const failed = !loading && answer !== null ? answer.error : null;
  const blocked = ready !== null && ready.unreadable > 0 && !skip;
  const empty = ready !== null && ready.items === 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (ready === null || blocked || empty) return;
    props.onImport(folder, skip);
  };

  return (
    <Dialog open={props.open} onOpenChange={(_, data) => props.onOpenChange(data.open)}>
      <DialogSurface aria-describedby={undefined} className={styles.surface}>
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>{m.importTitle}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label={m.exportFolder}
                required
                validationMessage={tried && folder === "" ? m.folderMissing : undefined}
                hint={m.folderHint}
              >
                <PathPicker
                  kind="folder"
                  title={m.importTitle}
                  value={folder}
                  onChange={setFolder}
                  testId="import-folder"
                  ariaLabel={m.exportFolder}
                />
              </Field>
              {loading ? (
                <Spinner size="tiny" label={m.previewing} />
              ) : failed ? (
                <Text className={styles.problem} role="alert" data-testid="import-preview-error">
                  {failed.message}
                </Text>
              ) : ready ? (
                <ImportPreviewView preview={ready} />
              ) : null}
              <Checkbox
                checked={skip}
                onChange={(_, data) => setSkip(data.checked === true)}
                label={m.skipBadFiles}
                data-testid="import-skip-bad"
              />
              {tried && blocked ? (
                <Text className={styles.problem}>{m.unreadableBlocks}</Text>
              ) : null}
              {tried && empty ? <Text className={styles.problem}>{m.nothingToImport}</Text> : null}
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>{m.cancel}</Button>
              </DialogTrigger>
              <Button
                appearance="primary"
                type="submit"
                disabled={loading}
                data-testid="import-start"
              >
                {ready ? m.importItems(ready.items) : m.import}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function TenantActions(props: { tenantId: string; onChanged: () => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const m = useMessages(messages);
  const jobs = useMessages(jobMessages);
  const { tenantId, onChanged } = props;
  const ended = (job: Job) => {
    if (job.state === "succeeded") onChanged();
  };
  const review = useJob(ended);
  const importing = useJob(ended);
  const [dialogOpen, setDialogOpen] = useState(false);
  // A new dialog (and a fresh preview) for every opening; a dropped folder starts it.
  const [opening, setOpening] = useState({ count: 0, folder: "" });
  const openDialog = useCallback((folder: string) => {
    setOpening((o) => ({ count: o.count + 1, folder }));
    setDialogOpen(true);
  }, []);
  useEffect(() => backend.onPathDropped((path) => openDialog(path)), [backend, openDialog]);

  return (
    <div className={styles.stack}>
      <div className={styles.row}>
        <Button
          appearance="primary"
          icon={<PlayRegular />}
          onClick={() => void review.start(() => backend.startReview(tenantId))}
          disabled={review.running}
          data-testid="start-review"
        >
          {m.reviewNow}
        </Button>
        <Button
          icon={<FolderArrowUpRegular />}
          onClick={() => openDialog("")}
          disabled={importing.running}
          data-testid="start-import"
        >
          {m.importCapture}
        </Button>
        <Text size={200}>{m.dropHint}</Text>
      </div>
      <JobProgress handle={review} what={jobs.kinds.review} testId="review" />
      <JobProgress handle={importing} what={jobs.kinds.import} testId="import" />
      {dialogOpen ? (
        <ImportDialog
          key={opening.count}
          open
          tenantId={tenantId}
          initialFolder={opening.folder}
          onOpenChange={setDialogOpen}
          onImport={(folder, skipBadFiles) => {
            setDialogOpen(false);
            void importing.start(() =>
              backend.importCapture({ tenant: tenantId, folder, skipBadFiles }),
            );
          }}
        />
      ) : null}
    </div>
  );
}
