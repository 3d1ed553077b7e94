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
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";

function KeyDetails(props: { initial: SigningKeyView }) {
  const styles = useSettingsStyles();
  const backend = useBackend();
  const [key, setKey] = useState(props.initial);
  const [exportPath, setExportPath] = useState(props.initial.suggestedFileName);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; error: BackendError } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const exportKey = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    backend
      .exportPublicKey(exportPath)
      .then(
        (exported) =>
          setDone(`Wrote the public key (fingerprint ${exported.fingerprint}) to ${exported.path}.`),
        (e: unknown) =>
          setError({ title: "Couldn't export the public key", error: BackendError.from(e) }),
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
          setDone(
            `New signing key ${rotated.fingerprint}. The old key ${old} is retired; its packs still verify.`,
          );
        },
        (e: unknown) => setError({ title: "Couldn't rotate the key", error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <>
      {key.createdNow ? (
        <MessageBar intent="info" layout="multiline" data-testid="key-created-now">
          <MessageBarBody>
            <MessageBarTitle>Key created</MessageBarTitle>
            This workspace had no signing key, so opening Settings made one (creating the first
            evidence pack would have too). Its private half is in the {key.keychain}.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {key.missing ? (
        <MessageBar intent="error" layout="multiline" data-testid="key-missing">
          <MessageBarBody>
            <MessageBarTitle>The private key is missing</MessageBarTitle>
            {key.missing} Here, <strong>Rotate key</strong> below makes the new key.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <dl className={styles.details}>
        <dt className={styles.term}>Fingerprint</dt>
        <dd className={`${styles.value} ${styles.mono}`} data-testid="key-fingerprint">
          {key.fingerprint}
        </dd>
        <dt className={styles.term}>Created</dt>
        <dd className={styles.value}>
          <When at={key.createdAt} />
        </dd>
        <dt className={styles.term}>Private key</dt>
        <dd className={styles.value} data-testid="key-keychain">
          {key.missing ? "missing from" : "in"} the {key.keychain}
        </dd>
      </dl>
      {key.retired.length > 0 ? (
        <Table aria-label="Retired signing keys" size="small" data-testid="retired-keys">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Retired key</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>Retired</TableHeaderCell>
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
      <form className={styles.row} onSubmit={exportKey} aria-label="Export the public key">
        <Field
          label="Export public key to"
          hint="A file name is written to the evidence folder next to the database; or enter a full path. PEM, as plumbline key export writes it."
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
          Export public key
        </Button>
      </form>
      <div className={styles.row}>
        <Button
          icon={<ArrowRepeatAllRegular />}
          onClick={() => setConfirmRotate(true)}
          disabled={busy}
          data-testid="rotate-key"
        >
          Rotate key…
        </Button>
        {busy ? <Spinner size="tiny" label="Working…" /> : null}
      </div>
      {error ? <ErrorBar title={error.title} error={error.error} testId="key-error" /> : null}
      {done ? <DoneBar testId="key-done">{done}</DoneBar> : null}
      <Dialog open={confirmRotate} onOpenChange={(_, data) => setConfirmRotate(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Make a new signing key?</DialogTitle>
            <DialogContent>
              <Text as="p" block>
                New evidence packs are signed with the new key, and the current key (fingerprint{" "}
                <span className={styles.mono}>{key.fingerprint.slice(0, 16)}…</span>) is retired.
              </Text>
              <Text as="p" block>
                Packs signed with the current key still verify: each pack carries its own public
                key. Customers and auditors who compare fingerprints need the new one, so export
                it and send it to them.
              </Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={rotate} data-testid="confirm-rotate">
                Rotate key
              </Button>
              <Button onClick={() => setConfirmRotate(false)}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

export function SigningKeySection() {
  const backend = useBackend();
  const load = useCallback(() => backend.signingKey(), [backend]);
  const { state, reload } = useLoad(load);
  return (
    <SettingsCard
      id="signing-key"
      title="Evidence signing key"
      description="Evidence packs are signed with this workspace's Ed25519 key. Share its fingerprint or public key with customers and auditors so they can check a pack came from you."
    >
      {state.status === "loading" ? <Spinner size="tiny" label="Loading…" /> : null}
      {state.status === "error" ? (
        <ErrorBar title="Couldn't load the signing key" error={state.error} onRetry={reload} />
      ) : null}
      {state.status === "ready" ? <KeyDetails initial={state.data} /> : null}
    </SettingsCard>
  );
}
