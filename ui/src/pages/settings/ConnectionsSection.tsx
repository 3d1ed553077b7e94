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
import { formatCount } from "../../format";
import { Command } from "../../shell/Command";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";

type Done = "ids" | "secret" | "removed" | null;

function TenantForm(props: {
  connection: TenantConnectionView;
  keychain: string;
  onChanged: (connection: TenantConnectionView) => void;
}) {
  const styles = useSettingsStyles();
  const backend = useBackend();
  const { connection } = props;
  const [entra, setEntra] = useState(connection.entraTenantId ?? "");
  const [app, setApp] = useState(connection.graphAppId ?? "");
  const [secret, setSecret] = useState("");
  const [replacing, setReplacing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; error: BackendError } | null>(null);
  const [done, setDone] = useState<Done>(null);
  const secretStored = connection.secretSetAt !== null;
  const askSecret = !secretStored || replacing;

  const run = (title: string, call: () => Promise<TenantConnectionView>, outcome: Done) => {
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
      "Couldn't save the ids",
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
      "Couldn't store the client secret",
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
      "Couldn't remove the client secret",
      () => backend.removeTenantSecret(connection.tenantId),
      "removed",
    );
  };

  return (
    <div className={styles.form}>
      <form className={styles.form} onSubmit={saveIds} aria-label={`Ids of ${connection.tenantName}`}>
        <div className={styles.fields}>
          <Field
            label="Entra tenant id"
            hint="Tenant ID on the Overview page of the customer's Microsoft Entra admin centre."
          >
            <Input
              value={entra}
              placeholder="00000000-0000-0000-0000-000000000000"
              onChange={(_, data) => setEntra(data.value)}
              data-testid="entra-tenant-id"
            />
          </Field>
          <Field
            label="Application (client) id"
            hint={
              appChanges
                ? "Saving another application id removes the stored client secret: it belongs to the old app registration."
                : "On the Overview page of the app registration Plumbline reads Graph with."
            }
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
            Save ids
          </Button>
        </div>
      </form>

      <div className={styles.form} data-testid="secret-block">
        <Text weight="semibold">Client secret</Text>
        {secretStored && connection.secretSetAt ? (
          <div className={styles.row}>
            <Text data-testid="secret-status">
              Secret stored on <When at={connection.secretSetAt} /> in the {props.keychain}. It
              is never shown again.
            </Text>
            {!replacing ? (
              <Button icon={<KeyRegular />} onClick={() => setReplacing(true)} disabled={busy}>
                Replace
              </Button>
            ) : null}
            <Button icon={<DeleteRegular />} onClick={() => setConfirmRemove(true)} disabled={busy}>
              Remove
            </Button>
          </div>
        ) : (
          <Text data-testid="secret-status">
            No client secret stored. It goes to the {props.keychain}, never to the database.
          </Text>
        )}
        {askSecret ? (
          <form className={styles.row} onSubmit={storeSecret} aria-label={`Client secret of ${connection.tenantName}`}>
            <Field
              label={replacing ? "New client secret" : "Client secret"}
              hint={
                connection.graphAppId
                  ? "The secret's Value from Certificates & secrets (not its ID)."
                  : "Save the application (client) id first: the secret belongs to that app."
              }
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
              Store in keychain
            </Button>
            {replacing ? (
              <Button
                appearance="subtle"
                onClick={() => {
                  setReplacing(false);
                  setSecret("");
                }}
              >
                Cancel
              </Button>
            ) : null}
          </form>
        ) : null}
      </div>
      {busy ? <Spinner size="tiny" label="Saving…" /> : null}
      {error ? <ErrorBar title={error.title} error={error.error} testId="connection-error" /> : null}
      {done === "ids" ? <DoneBar testId="connection-saved">Ids saved for {connection.tenantName}.</DoneBar> : null}
      {done === "secret" ? (
        <DoneBar testId="connection-saved">
          Client secret stored in the {props.keychain}.
        </DoneBar>
      ) : null}
      {done === "removed" ? (
        <DoneBar testId="connection-saved">
          Client secret removed from the {props.keychain}.
        </DoneBar>
      ) : null}
      <Dialog open={confirmRemove} onOpenChange={(_, data) => setConfirmRemove(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Remove the client secret of {connection.tenantName}?</DialogTitle>
            <DialogContent>
              It is deleted from the {props.keychain}. To store it again you need its value from
              the Microsoft Entra admin centre, which shows it only when a secret is created.
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={remove} data-testid="confirm-remove-secret">
                Remove secret
              </Button>
              <Button onClick={() => setConfirmRemove(false)}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

function Connections(props: { data: TenantConnections }) {
  const styles = useSettingsStyles();
  const [tenants, setTenants] = useState(props.data.tenants);
  const [selected, setSelected] = useState(tenants[0]?.tenantId ?? "");
  const connection = tenants.find((t) => t.tenantId === selected);
  const withSecret = useMemo(() => tenants.filter((t) => t.secretSetAt !== null).length, [tenants]);

  if (tenants.length === 0) {
    return (
      <Text data-testid="connections-empty">
        No tenants yet. Import one with <Command>plumbline import</Command>, then enter its ids here.
      </Text>
    );
  }
  return (
    <>
      <Text className={styles.muted} data-testid="connections-summary">
        {withSecret} of {formatCount(tenants.length, "tenant")} have a client secret stored.
      </Text>
      <Field label="Tenant">
        <Select
          value={selected}
          onChange={(_, data) => setSelected(data.value)}
          data-testid="connection-tenant"
        >
          {tenants.map((t) => (
            <option key={t.tenantId} value={t.tenantId}>
              {t.tenantName}
              {t.secretSetAt ? " (secret stored)" : ""}
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
  const backend = useBackend();
  const load = useCallback(() => backend.tenantConnections(), [backend]);
  const { state, reload } = useLoad(load);
  return (
    <SettingsCard
      id="connections"
      title="Tenant connections"
      description="The Microsoft Graph app registration Plumbline will read each tenant with. Client secrets are kept in the system's keychain, never in the database, and are never shown again."
    >
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          Capturing over Microsoft Graph arrives with the Graph connector, which is not in this
          version: nothing connects to Microsoft yet, so there is no connection test. Until then,
          import exports with <Command>plumbline import</Command>.
        </MessageBarBody>
      </MessageBar>
      {state.status === "loading" ? <Spinner size="tiny" label="Loading…" /> : null}
      {state.status === "error" ? (
        <ErrorBar title="Couldn't load the tenant connections" error={state.error} onRetry={reload} />
      ) : null}
      {state.status === "ready" ? <Connections data={state.data} /> : null}
    </SettingsCard>
  );
}
