// The Plumbline server this computer is signed in to. Signing in sends the e-mail and
// password once and keeps the device token the server answers with in the OS keychain
// only; the password leaves the page's state as soon as it is sent. Signed in, the card
// shows what the server says (who, which device, which workspaces), checks the
// connection on request and signs out behind a confirmation. Syncing the portfolio is
// not in this version, and the card says so: nothing moves to or from the server yet.

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
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwiseRegular,
  ArrowEnterRegular,
  PlugConnectedRegular,
  SignOutRegular,
} from "@fluentui/react-icons";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { BackendError, useBackend } from "../../backend";
import { formatExact, formatRelative, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { useNow } from "../../useNow";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles } from "./common";
import { messages as settingsMessages } from "./messages";
import { messages, roleName, type ServerMessages } from "./serverMessages";
// TEMPORARY: from "../../backend" once bindings.ts has the server types.
import type { ServerConnectionView } from "../../backend";

/** What could not be done (its error title is looked up when shown). */
type Failure = keyof Pick<ServerMessages, "couldNotSignIn" | "couldNotCheck" | "couldNotSignOut">;

type Busy = "signIn" | "check" | "signOut" | null;

/** What was done, put into words when shown. */
type Done = "checked" | "signedOut" | null;

const ADDRESS = /^https?:\/\/\S+$/i;

const useStyles = makeStyles({
  workspaces: {
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalL,
  },
});

/** The status line's text. */
function statusText(m: ServerMessages, view: ServerConnectionView): string {
  switch (view.status) {
    case "connected":
      return m.statusConnected(view.url ?? "");
    case "failed":
      return m.statusFailed(view.url ?? "");
    case "signedOut":
      return m.statusSignedOut(view.url);
    default:
      return m.statusNone;
  }
}

function SignInForm(props: {
  view: ServerConnectionView;
  busy: boolean;
  onSubmit: (fields: { url: string; email: string; password: string; deviceName: string }) => void;
}) {
  const styles = useSettingsStyles();
  const m = useMessages(messages);
  const { view } = props;
  const [url, setUrl] = useState(view.url ?? "");
  const [email, setEmail] = useState(view.user?.email ?? "");
  const [password, setPassword] = useState("");
  const [deviceName, setDeviceName] = useState(view.deviceName ?? m.defaultDeviceName);
  const [tried, setTried] = useState(false);
  const urlRef = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const urlError = ADDRESS.test(url.trim()) ? null : m.urlInvalid;
  const emailError = email.trim() ? null : m.emailRequired;
  const passwordError = password ? null : m.passwordRequired;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    // Focus the first field to fix, so keyboard and screen reader users land on it.
    const invalid = urlError ? urlRef : emailError ? emailRef : passwordError ? passwordRef : null;
    if (invalid) {
      invalid.current?.focus();
      return;
    }
    const sent = password;
    // The password leaves the page's state as soon as it is sent.
    setPassword("");
    setTried(false);
    props.onSubmit({
      url: url.trim(),
      email: email.trim(),
      password: sent,
      deviceName: deviceName.trim() || m.defaultDeviceName,
    });
  };

  const shown = (error: string | null) => (tried ? error : null);
  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label={m.signInForm}>
      <div className={styles.fields}>
        <Field
          label={m.url}
          hint={m.urlHint}
          required
          validationMessage={shown(urlError)}
          validationState={shown(urlError) ? "error" : "none"}
        >
          <Input
            ref={urlRef}
            type="url"
            value={url}
            placeholder="https://plumbline.example.com"
            autoComplete="url"
            onChange={(_, data) => setUrl(data.value)}
            data-testid="server-url"
          />
        </Field>
        <Field
          label={m.email}
          required
          validationMessage={shown(emailError)}
          validationState={shown(emailError) ? "error" : "none"}
        >
          <Input
            ref={emailRef}
            type="email"
            value={email}
            autoComplete="username"
            onChange={(_, data) => setEmail(data.value)}
            data-testid="server-email"
          />
        </Field>
        <Field
          label={m.password}
          hint={shown(passwordError) ? undefined : m.passwordHint}
          required
          validationMessage={shown(passwordError)}
          validationState={shown(passwordError) ? "error" : "none"}
        >
          <Input
            ref={passwordRef}
            type="password"
            value={password}
            autoComplete="off"
            onChange={(_, data) => setPassword(data.value)}
            data-testid="server-password"
          />
        </Field>
        <Field label={m.deviceName} hint={m.deviceNameHint}>
          <Input
            value={deviceName}
            placeholder={m.defaultDeviceName}
            onChange={(_, data) => setDeviceName(data.value)}
            data-testid="server-device"
          />
        </Field>
      </div>
      <div className={styles.row}>
        <Button
          type="submit"
          appearance="primary"
          icon={<ArrowEnterRegular />}
          disabled={props.busy}
          data-testid="server-sign-in"
        >
          {m.signIn}
        </Button>
        {props.busy ? <Spinner size="tiny" label={m.signingIn} /> : null}
      </div>
    </form>
  );
}

function LastChecked(props: { at: string | null }) {
  const m = useMessages(messages);
  const now = useNow(30_000);
  const ms = parseTimestamp(props.at);
  if (props.at === null) return <>{m.never}</>;
  if (ms === null) return <>{props.at}</>;
  return (
    <time dateTime={props.at} title={formatExact(ms)} data-testid="server-checked-at">
      {formatRelative(ms, now)}
    </time>
  );
}

function Facts(props: { view: ServerConnectionView }) {
  const styles = useSettingsStyles();
  const local = useStyles();
  const m = useMessages(messages);
  const { view } = props;
  return (
    <dl className={styles.details} data-testid="server-facts">
      <dt className={styles.term}>{m.serverAddress}</dt>
      <dd className={`${styles.value} ${styles.mono}`} data-testid="server-address">
        {view.url ?? m.unknown}
      </dd>
      <dt className={styles.term}>{m.serverVersion}</dt>
      <dd className={styles.value} data-testid="server-version">
        {view.serverVersion ?? m.unknown}
      </dd>
      <dt className={styles.term}>{m.signedInAs}</dt>
      <dd className={styles.value} data-testid="server-user">
        {view.user ? m.user(view.user.name, view.user.email) : m.unknown}
      </dd>
      <dt className={styles.term}>{m.thisDevice}</dt>
      <dd className={styles.value} data-testid="server-device-name">
        {view.deviceName ?? m.unknown}
      </dd>
      <dt className={styles.term}>{m.deviceToken}</dt>
      <dd className={styles.value} data-testid="server-token">
        {m.tokenWhere(view.keychain)}
      </dd>
      <dt className={styles.term}>{m.workspaces}</dt>
      <dd className={styles.value}>
        {view.workspaces.length === 0 ? (
          m.noWorkspaces
        ) : (
          <ul className={local.workspaces}>
            {view.workspaces.map((w) => (
              <li key={w.id} data-testid="server-workspace">
                {m.workspaceRole(w.name, roleName(m, w.role))}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt className={styles.term}>{m.lastChecked}</dt>
      <dd className={styles.value}>
        <LastChecked at={view.checkedAt} />
      </dd>
    </dl>
  );
}

function ServerConnection(props: { initial: ServerConnectionView }) {
  const styles = useSettingsStyles();
  const all = useMessages(settingsMessages);
  const m = useMessages(messages);
  const backend = useBackend();
  const [view, setView] = useState(props.initial);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<{ title: Failure; error: BackendError } | null>(null);
  const [done, setDone] = useState<Done>(null);
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  // Moves focus to the status line after the card changes under the user's focus (the
  // form or the buttons they used are gone).
  const statusRef = useRef<HTMLSpanElement>(null);
  const [focusStatus, setFocusStatus] = useState(0);
  useEffect(() => {
    if (focusStatus > 0) statusRef.current?.focus();
  }, [focusStatus]);

  const run = (
    kind: Exclude<Busy, null>,
    title: Failure,
    call: () => Promise<ServerConnectionView>,
    outcome: (updated: ServerConnectionView) => Done,
  ) => {
    setBusy(kind);
    setError(null);
    setDone(null);
    const before = view.status;
    call()
      .then(
        (updated) => {
          setView(updated);
          setDone(outcome(updated));
          if (updated.status !== before) setFocusStatus((n) => n + 1);
        },
        (e: unknown) => setError({ title, error: BackendError.from(e) }),
      )
      .finally(() => setBusy(null));
  };

  const signIn = (request: { url: string; email: string; password: string; deviceName: string }) =>
    run("signIn", "couldNotSignIn", () => backend.signInToServer(request), () => null);

  const check = () =>
    run("check", "couldNotCheck", () => backend.checkServerConnection(), (updated) =>
      updated.status === "connected" ? "checked" : null,
    );

  const signOut = () => {
    setConfirmSignOut(false);
    run("signOut", "couldNotSignOut", () => backend.signOutOfServer(), () => "signedOut");
  };

  const signedIn = view.status === "connected" || view.status === "failed";
  return (
    <>
      <MessageBar intent="info" layout="multiline" data-testid="server-not-yet">
        <MessageBarBody>{m.notYetSync}</MessageBarBody>
      </MessageBar>
      <Text
        as="span"
        role="status"
        weight="semibold"
        tabIndex={-1}
        ref={statusRef}
        data-testid="server-status"
      >
        {statusText(m, view)}
      </Text>
      {view.problem && view.status !== "failed" ? (
        // Signed out by the server (or the keychain lost the token), or signed out here
        // without the server hearing of it; connected, a keychain that cannot be read.
        <MessageBar intent="warning" layout="multiline" data-testid="server-problem">
          <MessageBarBody>
            {view.status === "signedOut" && done !== "signedOut"
              ? m.signedOutProblem(view.problem)
              : view.problem}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {view.status === "failed" ? (
        <MessageBar intent="warning" layout="multiline" data-testid="server-problem">
          <MessageBarBody>
            <MessageBarTitle>{m.failedTitle}</MessageBarTitle>
            {view.problem}
          </MessageBarBody>
          <MessageBarActions>
            <Button
              icon={<ArrowClockwiseRegular />}
              onClick={check}
              disabled={busy !== null}
              data-testid="server-check"
            >
              {m.checkAgain}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {signedIn ? (
        <>
          <Facts view={view} />
          <div className={styles.row}>
            {view.status === "connected" ? (
              <Button
                icon={<PlugConnectedRegular />}
                onClick={check}
                disabled={busy !== null}
                data-testid="server-check"
              >
                {m.check}
              </Button>
            ) : null}
            <Button
              icon={<SignOutRegular />}
              onClick={() => setConfirmSignOut(true)}
              disabled={busy !== null}
              data-testid="server-sign-out"
            >
              {m.signOutEllipsis}
            </Button>
            {busy === "check" ? <Spinner size="tiny" label={m.checking} /> : null}
            {busy === "signOut" ? <Spinner size="tiny" label={m.signingOut} /> : null}
          </div>
        </>
      ) : (
        <SignInForm
          view={view}
          busy={busy === "signIn"}
          onSubmit={signIn}
        />
      )}
      {error ? (
        <ErrorBar title={m[error.title]} error={error.error} testId="server-error" />
      ) : null}
      {done === "checked" ? <DoneBar testId="server-done">{m.checked}</DoneBar> : null}
      {done === "signedOut" ? (
        <DoneBar testId="server-done">{m.signedOutDone(view.keychain)}</DoneBar>
      ) : null}
      <Dialog open={confirmSignOut} onOpenChange={(_, data) => setConfirmSignOut(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{m.signOutTitle}</DialogTitle>
            <DialogContent>{m.signOutBody(view.keychain)}</DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={signOut} data-testid="confirm-server-sign-out">
                {m.signOut}
              </Button>
              <Button onClick={() => setConfirmSignOut(false)}>{all.cancel}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

export function ServerSection() {
  const all = useMessages(settingsMessages);
  const m = useMessages(messages);
  const backend = useBackend();
  const load = useCallback(() => backend.serverConnection(), [backend]);
  const { state, reload } = useLoad(load);
  return (
    <SettingsCard
      id="server"
      title={m.title}
      description={m.description(state.status === "ready" ? state.data.keychain : null)}
    >
      {state.status === "loading" ? <Spinner size="tiny" label={all.loading} /> : null}
      {state.status === "error" ? (
        <ErrorBar title={m.couldNotLoad} error={state.error} onRetry={reload} />
      ) : null}
      {state.status === "ready" ? <ServerConnection initial={state.data} /> : null}
    </SettingsCard>
  );
}
