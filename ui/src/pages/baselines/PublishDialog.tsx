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
          <DialogTitle>
            Publish {baseline.name} v{draft.version}?
          </DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 as="p" className={styles.flush}>
              A published version is <strong>immutable</strong>: its items, rules and severities
              can never change again. To change anything later, you start a new draft from it.
            </Body1>
            <Body1 as="p" className={styles.flush}>
              {previous === null
                ? "Reviews of the assigned tenants compare them with it from now on."
                : `It replaces v${previous}, which is retired: reviews of tenants that follow the latest version compare them with v${draft.version} from now on (tenants pinned to a version keep theirs).`}
            </Body1>
            {error ? <ErrorBar title="Couldn't publish" error={error} testId="publish-error" /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
              Cancel
            </Button>
            <Button appearance="primary" onClick={publish} disabled={busy} data-testid="publish-confirm">
              Publish v{draft.version}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
