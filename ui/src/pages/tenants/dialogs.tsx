// The Tenants page's dialogs: the Graph app, adding a tenant, a connection test's answer
// and a tenant's capture history.

import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircleRegular, DismissCircleRegular } from "@fluentui/react-icons";
import { useCallback, useRef, useState } from "react";
import {
  BackendError,
  useBackend,
  type GraphAppView,
  type ManagedTenant,
} from "../../backend";
import { formatExact, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { CopyButton } from "../../shell/CopyButton";
import { ErrorBar } from "../../shell/ErrorBar";
import { useFocusReturn } from "../baselines/parts";
import { messages } from "./messages";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  flush: { margin: 0 },
  pem: { fontFamily: tokens.fontFamilyMonospace, minHeight: "96px" },
  list: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    listStyleType: "none",
  },
  line: {
    display: "flex",
    alignItems: "flex-start",
    gap: tokens.spacingHorizontalS,
  },
  ok: { color: tokens.colorPaletteGreenForeground1, flexShrink: 0 },
  bad: { color: tokens.colorPaletteRedForeground1, flexShrink: 0 },
  muted: { color: tokens.colorNeutralForeground2 },
  link: { wordBreak: "break-all" },
});

const CLOUDS = ["global", "usgov-high", "usgov-dod", "china", "custom"] as const;

function cloudChoice(cloud: string): (typeof CLOUDS)[number] {
  return (CLOUDS as readonly string[]).includes(cloud) ? (cloud as (typeof CLOUDS)[number]) : "custom";
}

function exact(value: string | null): string {
  const ms = parseTimestamp(value);
  return ms === null ? "" : formatExact(ms);
}

/** A PEM text pasted, or read from a file the operator picks. */
function PemField(props: {
  label: string;
  hint: string;
  value: string;
  onChange: (text: string) => void;
  testId: string;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const input = useRef<HTMLInputElement>(null);
  const [unreadable, setUnreadable] = useState<string | null>(null);
  const read = (file: File | undefined) => {
    if (!file) return;
    setUnreadable(null);
    file.text().then(props.onChange, () => setUnreadable(m.fileUnreadable(file.name)));
  };
  return (
    <Field label={props.label} hint={props.hint} validationMessage={unreadable ?? undefined}>
      <Textarea
        className={styles.pem}
        value={props.value}
        onChange={(_, data) => props.onChange(data.value)}
        placeholder="-----BEGIN …-----"
        resize="vertical"
        data-testid={props.testId}
      />
      <div>
        <Button size="small" onClick={() => input.current?.click()}>
          {m.fromFile}
        </Button>
        <input
          ref={input}
          type="file"
          accept=".pem,.crt,.cer,.key,text/plain"
          hidden
          onChange={(event) => read(event.target.files?.[0])}
        />
      </div>
    </Field>
  );
}

export function GraphAppDialog(props: {
  app: GraphAppView | null;
  onClose: () => void;
  onSaved: (app: GraphAppView) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const [clientId, setClientId] = useState(props.app?.clientId ?? "");
  const [cloud, setCloud] = useState(cloudChoice(props.app?.cloud ?? "global"));
  const [url, setUrl] = useState(cloudChoice(props.app?.cloud ?? "global") === "custom" ? (props.app?.cloud ?? "") : "");
  const [secret, setSecret] = useState("");
  const [signIn, setSignIn] = useState<"secret" | "certificate">(
    props.app?.credential === "certificate" ? "certificate" : "secret",
  );
  const [certificatePem, setCertificatePem] = useState("");
  const [privateKeyPem, setPrivateKeyPem] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);

  const save = () => {
    setBusy(true);
    setError(null);
    const certificate = signIn === "certificate" && (certificatePem !== "" || privateKeyPem !== "");
    backend
      .saveGraphApp({
        clientId,
        cloud: cloud === "custom" ? url : cloud,
        secret: signIn === "secret" && secret !== "" ? secret : null,
        certificatePem: certificate ? certificatePem : null,
        privateKeyPem: certificate ? privateKeyPem : null,
      })
      .then(props.onSaved, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="graph-app-dialog">
        <DialogBody>
          <DialogTitle>{m.appTitle}</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 as="p" className={styles.flush}>
              {m.appIntro}
            </Body1>
            <Field label={m.clientId} required>
              <Input
                value={clientId}
                onChange={(_, data) => setClientId(data.value)}
                data-testid="graph-client-id"
              />
            </Field>
            <Field label={m.cloud}>
              <Dropdown
                value={m.clouds[cloud] ?? cloud}
                selectedOptions={[cloud]}
                onOptionSelect={(_, data) => setCloud(cloudChoice(data.optionValue ?? "global"))}
                data-testid="graph-cloud"
              >
                {CLOUDS.map((c) => (
                  <Option key={c} value={c}>
                    {m.clouds[c] ?? c}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            {cloud === "custom" ? (
              <Field label={m.testGraphUrl} required>
                <Input value={url} onChange={(_, data) => setUrl(data.value)} data-testid="graph-url" />
              </Field>
            ) : null}
            {props.app?.certificateThumbprint ? (
              <MessageBar intent="info" layout="multiline">
                <MessageBarBody data-testid="graph-certificate">
                  {m.certificateInUse(props.app.certificateThumbprint)}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <Field label={m.signInWith}>
              <RadioGroup
                layout="horizontal"
                value={signIn}
                onChange={(_, data) => setSignIn(data.value === "certificate" ? "certificate" : "secret")}
                data-testid="graph-sign-in"
              >
                <Radio value="secret" label={m.secret} />
                <Radio value="certificate" label={m.certificate} />
              </RadioGroup>
            </Field>
            {signIn === "secret" ? (
              <Field label={m.secret} hint={m.secretHint(props.app?.secretSetAt ? exact(props.app.secretSetAt) : null)}>
                <Input
                  type="password"
                  value={secret}
                  onChange={(_, data) => setSecret(data.value)}
                  data-testid="graph-secret"
                />
              </Field>
            ) : (
              <>
                <PemField
                  label={m.certificatePem}
                  hint={m.certificatePemHint(props.app?.certificateThumbprint ?? null)}
                  value={certificatePem}
                  onChange={setCertificatePem}
                  testId="graph-certificate-pem"
                />
                <PemField
                  label={m.privateKeyPem}
                  hint={m.privateKeyPemHint}
                  value={privateKeyPem}
                  onChange={setPrivateKeyPem}
                  testId="graph-private-key-pem"
                />
              </>
            )}
            {error ? <ErrorBar title={m.couldNotChange} error={error} testId="graph-app-error" /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>{m.cancel}</Button>
            <Button appearance="primary" onClick={save} disabled={busy || clientId.trim() === ""} data-testid="graph-app-save">
              {busy ? m.saving : m.save}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function AddTenantDialog(props: { onClose: () => void; onAdded: (tenant: ManagedTenant) => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);

  const add = () => {
    setBusy(true);
    setError(null);
    backend
      .addTenant({ name, domainOrTenantId: domain })
      .then(props.onAdded, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="add-tenant-dialog">
        <DialogBody>
          <DialogTitle>{m.addTitle}</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 as="p" className={styles.flush}>
              {m.addIntro}
            </Body1>
            <Field label={m.tenantName} required>
              <Input value={name} onChange={(_, data) => setName(data.value)} data-testid="add-tenant-name" />
            </Field>
            <Field label={m.domainOrId} required>
              <Input
                value={domain}
                onChange={(_, data) => setDomain(data.value)}
                placeholder="contoso.onmicrosoft.com"
                data-testid="add-tenant-domain"
              />
            </Field>
            {error ? <ErrorBar title={m.couldNotChange} error={error} testId="add-tenant-error" /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>{m.cancel}</Button>
            <Button
              appearance="primary"
              onClick={add}
              disabled={busy || name.trim() === "" || domain.trim() === ""}
              data-testid="add-tenant-submit"
            >
              {busy ? m.adding : m.add}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Tags as typed: comma-separated, trimmed, empty ones dropped (the backend drops repeats). */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

export function TagsDialog(props: {
  tenant: ManagedTenant;
  onClose: () => void;
  onSaved: (tenant: ManagedTenant) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const [text, setText] = useState(props.tenant.tags.join(", "));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);

  const save = () => {
    setBusy(true);
    setError(null);
    backend
      .setTenantTags(props.tenant.id, parseTags(text))
      .then(props.onSaved, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="tags-dialog">
        <DialogBody>
          <DialogTitle>{m.tagsTitle(props.tenant.name)}</DialogTitle>
          <DialogContent className={styles.content}>
            <Field label={m.tagsLabel} hint={m.tagsHint}>
              <Input
                value={text}
                onChange={(_, data) => setText(data.value)}
                placeholder="Gold, EU, Pilot"
                data-testid="tags-input"
              />
            </Field>
            {error ? <ErrorBar title={m.couldNotChange} error={error} testId="tags-error" /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>{m.cancel}</Button>
            <Button appearance="primary" onClick={save} disabled={busy} data-testid="tags-save">
              {busy ? m.saving : m.save}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function TestDialog(props: { tenant: ManagedTenant; onClose: () => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const id = props.tenant.id;
  const { state } = useLoad(useCallback(() => backend.testTenantConnection(id), [backend, id]));
  const result = state.status === "ready" ? state.data : null;
  const error = state.status === "error" ? state.error : null;

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="test-dialog">
        <DialogBody>
          <DialogTitle>{m.testTitle(props.tenant.name)}</DialogTitle>
          <DialogContent className={styles.content}>
            {result === null && error === null ? <Spinner size="small" label={m.testing} /> : null}
            {error ? <ErrorBar title={m.test} error={error} testId="test-error" /> : null}
            {result ? (
              <>
                <MessageBar intent={result.ok ? (result.kinds.every((k) => k.readable) ? "success" : "warning") : "error"}>
                  <MessageBarBody data-testid="test-summary">{result.summary}</MessageBarBody>
                </MessageBar>
                {result.adminConsentUrl ? (
                  <div className={styles.line}>
                    <Text className={styles.link} data-testid="admin-consent-url">
                      {result.adminConsentUrl}
                    </Text>
                    <CopyButton value={result.adminConsentUrl} what={m.adminConsent} />
                  </div>
                ) : null}
                {result.permissions.length > 0 ? (
                  <Caption1 className={styles.muted}>
                    {m.permissions}: {result.permissions.join(", ")}
                  </Caption1>
                ) : null}
                <ul className={styles.list} data-testid="test-kinds">
                  {result.kinds.map((kind) => (
                    <li key={kind.kind} className={styles.line}>
                      {kind.readable ? (
                        <CheckmarkCircleRegular className={styles.ok} aria-label={m.readable} />
                      ) : (
                        <DismissCircleRegular className={styles.bad} aria-label={m.notReadable} />
                      )}
                      <span>
                        <Text weight="semibold">{kind.label}</Text>
                        {kind.problem ? <Text className={styles.muted}>: {kind.problem}</Text> : null}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={props.onClose}>
              {m.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function HistoryDialog(props: { tenant: ManagedTenant; onClose: () => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const id = props.tenant.id;
  const { state } = useLoad(useCallback(() => backend.captureRuns(id), [backend, id]));
  const runs = state.status === "ready" ? state.data : null;
  const error = state.status === "error" ? state.error : null;

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="history-dialog">
        <DialogBody>
          <DialogTitle>{m.historyTitle(props.tenant.name)}</DialogTitle>
          <DialogContent className={styles.content}>
            {runs === null && error === null ? <Spinner size="small" /> : null}
            {error ? <ErrorBar title={m.couldNotLoad} error={error} /> : null}
            {runs !== null && runs.length === 0 ? <Body1>{m.noRuns}</Body1> : null}
            {runs !== null && runs.length > 0 ? (
              <ul className={styles.list} data-testid="history-runs">
                {runs.map((run) => (
                  <li key={run.id}>
                    <Text weight="semibold">{exact(run.startedAt)}</Text>{" "}
                    <Text>{m.status[run.status] ?? run.status}</Text>
                    <Caption1 as="p" className={`${styles.flush} ${styles.muted}`}>
                      {m.runLine(run.items, run.requests, ((run.durationMs ?? 0) / 1000).toFixed(1))}
                    </Caption1>
                    {run.kindsFailed.map((k) => (
                      <Caption1 as="p" key={k.kind} className={styles.flush}>
                        {m.notRead(k.label, k.error)}
                      </Caption1>
                    ))}
                    {run.error ? (
                      <Caption1 as="p" className={styles.flush}>
                        {run.error}
                      </Caption1>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={props.onClose}>
              {m.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
