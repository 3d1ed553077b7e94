// "Verify a pack": the path of a pack file (one made here, or one someone sent) and,
// optionally, the fingerprint of the key it must be signed with. The verdict lists what
// passed, or exactly each failure the backend names.

import {
  Badge,
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Text,
} from "@fluentui/react-components";
import { ShieldCheckmarkRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { BackendError, useBackend, type PackVerdict } from "../../backend";
import { useMessages } from "../../i18n";
import { CopyButton } from "../../shell/CopyButton";
import { ErrorBar } from "../../shell/ErrorBar";
import { messages } from "./messages";
import { useEvidenceStyles } from "./styles";

export interface Verifier {
  path: string;
  setPath: (path: string) => void;
  fingerprint: string;
  setFingerprint: (fingerprint: string) => void;
  running: boolean;
  verdict: PackVerdict | null;
  error: BackendError | null;
  /** Goes up with every verdict, so the card can bring it into view. */
  verdicts: number;
  /** Verifies `path` (and fills the form with it). */
  verify: (path: string, fingerprint: string) => void;
}

/** The Verify card's state, kept by the page so the table's Verify buttons can use it. */
export function useVerifier(): Verifier {
  const backend = useBackend();
  const [path, setPath] = useState("");
  const [fingerprint, setFingerprint] = useState("");
  const [running, setRunning] = useState(false);
  const [verdict, setVerdict] = useState<PackVerdict | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [verdicts, setVerdicts] = useState(0);
  const asked = useRef(0);

  const verify = useCallback(
    (target: string, trusted: string) => {
      setPath(target);
      setFingerprint(trusted);
      setRunning(true);
      setVerdict(null);
      setError(null);
      // Only the last request's answer counts.
      asked.current += 1;
      const request = asked.current;
      backend
        .verifyEvidencePack(target.trim(), trusted.trim() || null)
        .then(
          (answer) => {
            if (request !== asked.current) return;
            setVerdict(answer);
            setVerdicts((n) => n + 1);
          },
          (thrown: unknown) => {
            if (request !== asked.current) return;
            setError(BackendError.from(thrown));
            setVerdicts((n) => n + 1);
          },
        )
        .finally(() => {
          if (request === asked.current) setRunning(false);
        });
    },
    [backend],
  );

  return { path, setPath, fingerprint, setFingerprint, running, verdict, error, verdicts, verify };
}

function Verdict(props: { verdict: PackVerdict }) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const { verdict } = props;
  const period =
    verdict.periodFrom !== null && verdict.periodTo !== null
      ? m.periodRange(verdict.periodFrom, verdict.periodTo)
      : null;
  return (
    <>
      {verdict.ok ? (
        <MessageBar intent="success" layout="multiline" data-testid="verdict-ok">
          <MessageBarBody>
            <MessageBarTitle>{m.intact}</MessageBarTitle>
            {m.everyCheckPassed}
            <ul className={styles.list} data-testid="verdict-passed">
              {verdict.passed.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar intent="error" layout="multiline" data-testid="verdict-failed">
          <MessageBarBody>
            <MessageBarTitle>{m.failedVerification}</MessageBarTitle>
            {m.checksFailed(verdict.failures.length)}
            <ul className={styles.list}>
              {verdict.failures.map((line, index) => (
                <li key={`${index}-${line}`} data-testid="verdict-failure">
                  {line}
                </li>
              ))}
            </ul>
            {verdict.passed.length > 0 ? (
              <>
                {m.thesePassed}
                <ul className={styles.list} data-testid="verdict-passed">
                  {verdict.passed.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={styles.details} data-testid="verdict-details">
        <dt className={styles.term}>{m.tenant}</dt>
        <dd className={styles.value}>{verdict.tenant ?? <Text className={styles.muted}>{m.unknown}</Text>}</dd>
        <dt className={styles.term}>{m.period}</dt>
        <dd className={styles.value}>{period ?? <Text className={styles.muted}>{m.unknown}</Text>}</dd>
        <dt className={styles.term}>{m.file}</dt>
        <dd className={`${styles.value} ${styles.mono}`}>{verdict.path}</dd>
        <dt className={styles.term}>{m.fileSha}</dt>
        <dd className={styles.value}>
          <span className={styles.mono} data-testid="verdict-sha256">
            {verdict.sha256}
          </span>
          <CopyButton value={verdict.sha256} what={m.fileShaCopy} />
        </dd>
        <dt className={styles.term}>{m.signingKey}</dt>
        <dd className={styles.value}>
          {verdict.fingerprint === null ? (
            <Text className={styles.muted}>{m.noSigningKey}</Text>
          ) : (
            <>
              <span className={styles.mono} data-testid="verdict-fingerprint">
                {verdict.fingerprint}
              </span>
              <CopyButton value={verdict.fingerprint} what={m.keyFingerprint} />
            </>
          )}
        </dd>
        <dt className={styles.term}>{m.signedBy}</dt>
        <dd className={styles.value} data-testid="verdict-signer">
          {verdict.signedByThisWorkspace ? (
            <Badge appearance="tint" color="success">
              {m.thisWorkspacesKey}
            </Badge>
          ) : (
            <Text>{m.notOurKey}</Text>
          )}
        </dd>
        <dt className={styles.term}>{m.checked}</dt>
        <dd className={styles.value}>
          {m.files(verdict.filesChecked)}, {m.auditEvents(verdict.auditEventsChecked)}
        </dd>
      </dl>
    </>
  );
}

export function VerifyPack(props: { verifier: Verifier }) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const { path, setPath, fingerprint, setFingerprint, running, verdict, error, verdicts, verify } =
    props.verifier;
  const [tried, setTried] = useState(false);
  const missing = path.trim() === "";
  const result = useRef<HTMLDivElement>(null);

  // A verdict asked for from elsewhere on the page (a table row) may be out of view:
  // bring it in and move focus to it, so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (verdicts === 0) return;
    const element = result.current;
    if (!element) return;
    element.scrollIntoView?.({ block: "nearest" });
    element.focus();
  }, [verdicts]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (missing) return;
    verify(path, fingerprint);
  };

  return (
    <Card className={styles.card}>
      <Subtitle2 as="h2" className={styles.flush}>
        {m.verifyTitle}
      </Subtitle2>
      <Text className={styles.muted}>{m.verifyDescription}</Text>
      <form className={styles.form} onSubmit={submit} aria-label={m.verifyTitle} noValidate>
        <Field
          label={m.packFile}
          required
          className={styles.wide}
          validationMessage={tried && missing ? m.packFileMissing : undefined}
          hint={m.packFileHint}
        >
          <Input
            value={path}
            onChange={(_, data) => setPath(data.value)}
            placeholder={m.packFilePlaceholder}
            data-testid="verify-path"
          />
        </Field>
        <Field
          label={m.trustedKey}
          className={styles.wide}
          hint={m.trustedKeyHint}
        >
          <Input
            value={fingerprint}
            onChange={(_, data) => setFingerprint(data.value)}
            className={styles.mono}
            data-testid="verify-fingerprint"
          />
        </Field>
        <div className={styles.actions}>
          <Button
            type="submit"
            appearance="primary"
            icon={<ShieldCheckmarkRegular />}
            disabled={running}
            data-testid="verify-submit"
          >
            {m.verify}
          </Button>
          {running ? <Spinner size="tiny" label={m.verifying} data-testid="verify-running" /> : null}
        </div>
      </form>
      <div
        ref={result}
        tabIndex={-1}
        className={styles.verdict}
        aria-live="polite"
        aria-label={m.verificationResult}
        role="region"
        data-testid="verdict"
      >
        {error ? (
          <ErrorBar title={m.couldNotVerify} error={error} testId="verify-error" />
        ) : null}
        {verdict ? <Verdict verdict={verdict} /> : null}
      </div>
    </Card>
  );
}
