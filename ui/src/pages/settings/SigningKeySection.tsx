// The workspace's evidence-signing key: its fingerprint (what customers and auditors
// compare), where the private half is kept, the keys it replaced, exporting the public key
// and rotating the key behind a confirmation. Viewing makes the key when the workspace
// has none, and the section says so.

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
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { ArrowRepeatAllRegular, ArrowExportRegular } from "@fluentui/react-icons";
import { useCallback, useState, type FormEvent } from "react";
import { BackendError, useBackend, type SigningKeyView } from "../../backend";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";
import { messages } from "./messages";

/** What could not be done (its error title is looked up when shown). */
type Failure = "couldNotExport" | "couldNotRotate";

/** What was done, put into words when shown. */
type Done =
  | { kind: "exported"; fingerprint: string; path: string }
  | { kind: "rotated"; fingerprint: string; old: string };

function KeyDetails(props: { initial: SigningKeyView }) {
  const styles = useSettingsStyles();
  const all = useMessages(messages);
  const m = all.signingKey;
  const backend = useBackend();
  const [key, setKey] = useState(props.initial);
  const [exportPath, setExportPath] = useState(props.initial.suggestedFileName);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: Failure; error: BackendError } | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  const exportKey = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    backend
      .exportPublicKey(exportPath)
      .then(
        (exported) =>
          setDone({ kind: "exported", fingerprint: exported.fingerprint, path: exported.path }),
        (e: unknown) => setError({ title: "couldNotExport", error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  const rotate = () => {
    setConfirmRotate(false);
    setBusy(true);
    setError(null);
    setDone(null);
    const old = key.fingerprint;
    backend
      .rotateSigningKey()
      .then(
        (rotated) => {
          setKey(rotated);
          setExportPath(rotated.suggestedFileName);
          setDone({ kind: "rotated", fingerprint: rotated.fingerprint, old });
        },
        (e: unknown) => setError({ title: "couldNotRotate", error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <>
      {key.createdNow ? (
        <MessageBar intent="info" layout="multiline" data-testid="key-created-now">
          <MessageBarBody>
            <MessageBarTitle>{m.createdTitle}</MessageBarTitle>
            {m.createdBody(key.keychain)}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {key.missing ? (
        <MessageBar intent="error" layout="multiline" data-testid="key-missing">
          <MessageBarBody>
            <MessageBarTitle>{m.missingTitle}</MessageBarTitle>
            {key.missing} {m.missingAction(<strong>{m.rotateKey}</strong>)}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <dl className={styles.details}>
        <dt className={styles.term}>{m.fingerprint}</dt>
        <dd className={`${styles.value} ${styles.mono}`} data-testid="key-fingerprint">
          {key.fingerprint}
        </dd>
        <dt className={styles.term}>{m.created}</dt>
        <dd className={styles.value}>
          <When at={key.createdAt} />
        </dd>
        <dt className={styles.term}>{m.privateKey}</dt>
        <dd className={styles.value} data-testid="key-keychain">
          {m.privateKeyWhere(Boolean(key.missing), key.keychain)}
        </dd>
      </dl>
      {key.retired.length > 0 ? (
        <Table aria-label={m.retiredKeys} size="small" data-testid="retired-keys">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{m.retiredKey}</TableHeaderCell>
              <TableHeaderCell>{m.created}</TableHeaderCell>
              <TableHeaderCell>{m.retired}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {key.retired.map((old) => (
              <TableRow key={old.fingerprint} data-testid="retired-key">
                <TableCell>
                  <span className={styles.mono}>{old.fingerprint}</span>
                </TableCell>
                <TableCell>
                  <When at={old.createdAt} />
                </TableCell>
                <TableCell>
                  <When at={old.retiredAt} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <form className={styles.row} onSubmit={exportKey} aria-label={m.exportForm}>
        <Field
          label={m.exportTo}
          hint={m.exportHint}
        >
          <Input
            value={exportPath}
            onChange={(_, data) => setExportPath(data.value)}
            data-testid="export-path"
          />
        </Field>
        <Button
          type="submit"
          icon={<ArrowExportRegular />}
          disabled={busy || Boolean(key.missing)}
          data-testid="export-key"
        >
          {m.exportKey}
        </Button>
      </form>
      <div className={styles.row}>
        <Button
          icon={<ArrowRepeatAllRegular />}
          onClick={() => setConfirmRotate(true)}
          disabled={busy}
          data-testid="rotate-key"
        >
          {m.rotateKeyEllipsis}
        </Button>
        {busy ? <Spinner size="tiny" label={m.working} /> : null}
      </div>
      {error ? <ErrorBar title={m[error.title]} error={error.error} testId="key-error" /> : null}
      {done ? (
        <DoneBar testId="key-done">
          {done.kind === "exported"
            ? m.exported(done.fingerprint, done.path)
            : m.rotated(done.fingerprint, done.old)}
        </DoneBar>
      ) : null}
      <Dialog open={confirmRotate} onOpenChange={(_, data) => setConfirmRotate(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{m.rotateTitle}</DialogTitle>
            <DialogContent>
              <Text as="p" block>
                {m.rotateBody(<span className={styles.mono}>{key.fingerprint.slice(0, 16)}…</span>)}
              </Text>
              <Text as="p" block>
                {m.rotateStillVerify}
              </Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={rotate} data-testid="confirm-rotate">
                {m.rotateKey}
              </Button>
              <Button onClick={() => setConfirmRotate(false)}>{all.cancel}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

export function SigningKeySection() {
  const all = useMessages(messages);
  const m = all.signingKey;
  const backend = useBackend();
  const load = useCallback(() => backend.signingKey(), [backend]);
  const { state, reload } = useLoad(load);
  return (
    <SettingsCard
      id="signing-key"
      title={m.title}
      description={m.description}
    >
      {state.status === "loading" ? <Spinner size="tiny" label={all.loading} /> : null}
      {state.status === "error" ? (
        <ErrorBar title={m.couldNotLoad} error={state.error} onRetry={reload} />
      ) : null}
      {state.status === "ready" ? <KeyDetails initial={state.data} /> : null}
    </SettingsCard>
  );
}
