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
  Input,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { FolderArrowUpRegular, PlayRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import { useBackend, type Job } from "../../backend";
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
});

function ImportDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onImport: (folder: string, skipBadFiles: boolean) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const [folder, setFolder] = useState("");
  const [skip, setSkip] = useState(false);
  const [tried, setTried] = useState(false);
  const missing = folder.trim() === "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (missing) return;
    props.onImport(folder.trim(), skip);
  };

  return (
    <Dialog open={props.open} onOpenChange={(_, data) => props.onOpenChange(data.open)}>
      <DialogSurface aria-describedby={undefined}>
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>{m.importTitle}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label={m.exportFolder}
                required
                validationMessage={
                  tried && missing ? m.folderMissing : undefined
                }
                hint={m.folderHint}
              >
                <Input
                  value={folder}
                  onChange={(_, data) => setFolder(data.value)}
                  placeholder="/home/me/exports/contoso-2026-12-01"
                  data-testid="import-folder"
                />
              </Field>
              <Checkbox
                checked={skip}
                onChange={(_, data) => setSkip(data.checked === true)}
                label={m.skipBadFiles}
                data-testid="import-skip-bad"
              />
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>{m.cancel}</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" data-testid="import-start">
                {m.import}
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
          onClick={() => setDialogOpen(true)}
          disabled={importing.running}
          data-testid="start-import"
        >
          {m.importCapture}
        </Button>
      </div>
      <JobProgress handle={review} what={jobs.kinds.review} testId="review" />
      <JobProgress handle={importing} what={jobs.kinds.import} testId="import" />
      <ImportDialog
        open={dialogOpen}
        onOpenChange={setDialogOpen}
        onImport={(folder, skipBadFiles) => {
          setDialogOpen(false);
          void importing.start(() =>
            backend.importCapture({ tenant: tenantId, folder, skipBadFiles }),
          );
        }}
      />
    </div>
  );
}
