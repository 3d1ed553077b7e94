// Tenant connections: per tenant, the Entra tenant id, the Graph app registration's
// application (client) id and its client secret. The secret goes to the OS keychain and
// is never shown again: the page only says when it was stored, with Replace and Remove.
// Capturing over Graph comes with the Graph connector; nothing here connects yet, and
// the page says so instead of offering a connection test.

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
  Select,
  Spinner,
  Text,
} from "@fluentui/react-components";
import { DeleteRegular, KeyRegular, SaveRegular } from "@fluentui/react-icons";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import {
  BackendError,
  useBackend,
  type TenantConnections,
  type TenantConnectionView,
} from "../../backend";
import { Command } from "../../shell/Command";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";
import { messages, type SettingsMessages } from "./messages";

type Done = "ids" | "secret" | "removed" | null;

/** What could not be done, as the key of its error title (looked up when shown). */
type Failure = keyof Pick<
  SettingsMessages["connections"],
  "couldNotSaveIds" | "couldNotStoreSecret" | "couldNotRemoveSecret"
>;

function TenantForm(props: {
  connection: TenantConnectionView;
  keychain: string;
  onChanged: (connection: TenantConnectionView) => void;
}) {
  const styles = useSettingsStyles();
  const all = useMessages(messages);
  const m = all.connections;
  const backend = useBackend();
  const { connection } = props;
  const [entra, setEntra] = useState(connection.entraTenantId ?? "");
  const [app, setApp] = useState(connection.graphAppId ?? "");
  const [secret, setSecret] = useState("");
  const [replacing, setReplacing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: Failure; error: BackendError } | null>(null);
  const [done, setDone] = useState<Done>(null);
  const secretStored = connection.secretSetAt !== null;
  const askSecret = !secretStored || replacing;

  const run = (title: Failure, call: () => Promise<TenantConnectionView>, outcome: Done) => {
    setBusy(true);
    setError(null);
    setDone(null);
    call()
      .then(
        (updated) => {
          props.onChanged(updated);
          setDone(outcome);
        },
        (e: unknown) => setError({ title, error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  // Compared as stored: lower case, braces and spaces dropped.
  const canonical = (id: string) => id.trim().replace(/^\{|\}$/g, "").toLowerCase();
  const appChanges =
    connection.secretSetAt !== null &&
    canonical(app) !== canonical(connection.graphAppId ?? "");

  const saveIds = (event: FormEvent) => {
    event.preventDefault();
    run(
      "couldNotSaveIds",
      async () => {
        const updated = await backend.saveTenantConnection({
          tenantId: connection.tenantId,
          entraTenantId: entra.trim() || null,
          graphAppId: app.trim() || null,
        });
        // Show them as stored: canonical lower case, braces dropped.
        setEntra(updated.entraTenantId ?? "");
        setApp(updated.graphAppId ?? "");
        return updated;
      },
      "ids",
    );
  };

  const storeSecret = (event: FormEvent) => {
    event.preventDefault();
    const value = secret;
    // The secret leaves the page's state as soon as it is sent.
    setSecret("");
    run(
      "couldNotStoreSecret",
      async () => {
        const updated = await backend.setTenantSecret(connection.tenantId, value);
        setReplacing(false);
        return updated;
      },
      "secret",
    );
  };

  const remove = () => {
    setConfirmRemove(false);
    run(
      "couldNotRemoveSecret",
      () => backend.removeTenantSecret(connection.tenantId),
      "removed",
    );
  };

  return (
    <div className={styles.form}>
      <form className={styles.form} onSubmit={saveIds} aria-label={m.idsOf(connection.tenantName)}>
        <div className={styles.fields}>
          <Field
            label={m.entraTenantId}
            hint={m.entraTenantIdHint}
          >
            <Input
              value={entra}
              placeholder="00000000-0000-0000-0000-000000000000"
              onChange={(_, data) => setEntra(data.value)}
              data-testid="entra-tenant-id"
            />
          </Field>
          <Field
            label={m.appId}
            hint={appChanges ? m.appIdChangeWarning : m.appIdHint}
            validationState={appChanges ? "warning" : "none"}
          >
            <Input
              value={app}
              placeholder="00000000-0000-0000-0000-000000000000"
              onChange={(_, data) => setApp(data.value)}
              data-testid="graph-app-id"
            />
          </Field>
        </div>
        <div className={styles.row}>
          <Button type="submit" icon={<SaveRegular />} disabled={busy} data-testid="save-ids">
            {m.saveIds}
          </Button>
        </div>
      </form>

      <div className={styles.form} data-testid="secret-block">
        <Text weight="semibold">{m.clientSecret}</Text>
        {secretStored && connection.secretSetAt ? (
          <div className={styles.row}>
            <Text data-testid="secret-status">
              {m.secretStored(<When at={connection.secretSetAt} />, props.keychain)}
            </Text>
            {!replacing ? (
              <Button icon={<KeyRegular />} onClick={() => setReplacing(true)} disabled={busy}>
                {m.replace}
              </Button>
            ) : null}
            <Button icon={<DeleteRegular />} onClick={() => setConfirmRemove(true)} disabled={busy}>
              {m.remove}
            </Button>
          </div>
        ) : (
          <Text data-testid="secret-status">
            {m.noSecret(props.keychain)}
          </Text>
        )}
        {askSecret ? (
          <form className={styles.row} onSubmit={storeSecret} aria-label={m.secretOf(connection.tenantName)}>
            <Field
              label={replacing ? m.newClientSecret : m.clientSecret}
              hint={connection.graphAppId ? m.secretHint : m.saveAppIdFirst}
            >
              <Input
                type="password"
                autoComplete="off"
                value={secret}
                onChange={(_, data) => setSecret(data.value)}
                disabled={!connection.graphAppId}
                data-testid="client-secret"
              />
            </Field>
            <Button
              type="submit"
              appearance="primary"
              icon={<KeyRegular />}
              disabled={busy || !secret.trim() || !connection.graphAppId}
              data-testid="store-secret"
            >
              {m.storeInKeychain}
            </Button>
            {replacing ? (
              <Button
                appearance="subtle"
                onClick={() => {
                  setReplacing(false);
                  setSecret("");
                }}
              >
                {all.cancel}
              </Button>
            ) : null}
          </form>
        ) : null}
      </div>
      {busy ? <Spinner size="tiny" label={all.saving} /> : null}
      {error ? <ErrorBar title={m[error.title]} error={error.error} testId="connection-error" /> : null}
      {done === "ids" ? <DoneBar testId="connection-saved">{m.idsSaved(connection.tenantName)}</DoneBar> : null}
      {done === "secret" ? (
        <DoneBar testId="connection-saved">
          {m.secretStoredDone(props.keychain)}
        </DoneBar>
      ) : null}
      {done === "removed" ? (
        <DoneBar testId="connection-saved">
          {m.secretRemovedDone(props.keychain)}
        </DoneBar>
      ) : null}
      <Dialog open={confirmRemove} onOpenChange={(_, data) => setConfirmRemove(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{m.removeTitle(connection.tenantName)}</DialogTitle>
            <DialogContent>
              {m.removeBody(props.keychain)}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={remove} data-testid="confirm-remove-secret">
                {m.removeSecret}
              </Button>
              <Button onClick={() => setConfirmRemove(false)}>{all.cancel}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

function Connections(props: { data: TenantConnections }) {
  const styles = useSettingsStyles();
  const m = useMessages(messages).connections;
  const [tenants, setTenants] = useState(props.data.tenants);
  const [selected, setSelected] = useState(tenants[0]?.tenantId ?? "");
  const connection = tenants.find((t) => t.tenantId === selected);
  const withSecret = useMemo(() => tenants.filter((t) => t.secretSetAt !== null).length, [tenants]);

  if (tenants.length === 0) {
    return (
      <Text data-testid="connections-empty">
        {m.empty(<Command>plumbline import</Command>)}
      </Text>
    );
  }
  return (
    <>
      <Text className={styles.muted} data-testid="connections-summary">
        {m.summary(withSecret, tenants.length)}
      </Text>
      <Field label={m.tenant}>
        <Select
          value={selected}
          onChange={(_, data) => setSelected(data.value)}
          data-testid="connection-tenant"
        >
          {tenants.map((t) => (
            <option key={t.tenantId} value={t.tenantId}>
              {t.tenantName}
              {t.secretSetAt ? m.secretStoredOption : ""}
            </option>
          ))}
        </Select>
      </Field>
      {connection ? (
        <TenantForm
          key={connection.tenantId}
          connection={connection}
          keychain={props.data.keychain}
          onChanged={(updated) =>
            setTenants((all) => all.map((t) => (t.tenantId === updated.tenantId ? updated : t)))
          }
        />
      ) : null}
    </>
  );
}

export function ConnectionsSection() {
  const all = useMessages(messages);
  const m = all.connections;
  const backend = useBackend();
  const load = useCallback(() => backend.tenantConnections(), [backend]);
  const { state, reload } = useLoad(load);
  return (
    <SettingsCard
      id="connections"
      title={m.title}
      description={m.description}
    >
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          {m.notYet(<Command>plumbline import</Command>)}
        </MessageBarBody>
      </MessageBar>
      {state.status === "loading" ? <Spinner size="tiny" label={all.loading} /> : null}
      {state.status === "error" ? (
        <ErrorBar title={m.couldNotLoad} error={state.error} onRetry={reload} />
      ) : null}
      {state.status === "ready" ? <Connections data={state.data} /> : null}
    </SettingsCard>
  );
}
