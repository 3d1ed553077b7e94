// Publishing a draft asks first: a published version never changes again, and every
// tenant that follows the latest published version is reviewed against it from now on.

import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { BackendError, useBackend, type BaselineRow, type VersionRow } from "../../backend";
import { useMessages } from "../../i18n";
import { messages } from "./messages";
import { ErrorBar, useFocusReturn } from "./parts";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  flush: {
    margin: 0,
  },
});

export function PublishDialog(props: {
  baseline: BaselineRow;
  draft: VersionRow;
  onClose: () => void;
  onPublished: (version: number) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const { baseline, draft } = props;
  const previous = baseline.latestPublished;

  const publish = () => {
    setBusy(true);
    setError(null);
    backend
      .publishBaseline(baseline.id)
      .then(props.onPublished, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="publish-dialog">
        <DialogBody>
          <DialogTitle>{m.publishTitle(baseline.name, draft.version)}</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 as="p" className={styles.flush}>
              {m.immutableBefore}
              <strong>{m.immutable}</strong>
              {m.immutableAfter}
            </Body1>
            <Body1 as="p" className={styles.flush}>
              {previous === null
                ? m.firstPublish
                : m.replaces(previous, draft.version)}
            </Body1>
            {error ? <ErrorBar title={m.couldNotPublish} error={error} testId="publish-error" /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
              {m.cancel}
            </Button>
            <Button appearance="primary" onClick={publish} disabled={busy} data-testid="publish-confirm">
              {m.publishVersion(draft.version)}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
