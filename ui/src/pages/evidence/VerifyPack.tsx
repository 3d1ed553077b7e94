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
import { formatCount } from "../../format";
import { CopyButton } from "../../shell/CopyButton";
import { ErrorBar } from "../../shell/ErrorBar";
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
  const { verdict } = props;
  const period =
    verdict.periodFrom !== null && verdict.periodTo !== null
      ? `${verdict.periodFrom} to ${verdict.periodTo}`
      : null;
  return (
    <>
      {verdict.ok ? (
        <MessageBar intent="success" layout="multiline" data-testid="verdict-ok">
          <MessageBarBody>
            <MessageBarTitle>The pack is intact and its signature holds</MessageBarTitle>
            Every check passed:
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
            <MessageBarTitle>The pack failed verification</MessageBarTitle>
            {verdict.failures.length === 1
              ? "This check failed:"
              : `These ${verdict.failures.length} checks failed:`}
            <ul className={styles.list}>
              {verdict.failures.map((line, index) => (
                <li key={`${index}-${line}`} data-testid="verdict-failure">
                  {line}
                </li>
              ))}
            </ul>
            {verdict.passed.length > 0 ? (
              <>
                These passed:
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
        <dt className={styles.term}>Tenant</dt>
        <dd className={styles.value}>{verdict.tenant ?? <Text className={styles.muted}>Unknown</Text>}</dd>
        <dt className={styles.term}>Period</dt>
        <dd className={styles.value}>{period ?? <Text className={styles.muted}>Unknown</Text>}</dd>
        <dt className={styles.term}>File</dt>
        <dd className={`${styles.value} ${styles.mono}`}>{verdict.path}</dd>
        <dt className={styles.term}>File SHA-256</dt>
        <dd className={styles.value}>
          <span className={styles.mono} data-testid="verdict-sha256">
            {verdict.sha256}
          </span>
          <CopyButton value={verdict.sha256} what="file SHA-256" />
        </dd>
        <dt className={styles.term}>Signing key</dt>
        <dd className={styles.value}>
          {verdict.fingerprint === null ? (
            <Text className={styles.muted}>No readable signing key in the pack</Text>
          ) : (
            <>
              <span className={styles.mono} data-testid="verdict-fingerprint">
                {verdict.fingerprint}
              </span>
              <CopyButton value={verdict.fingerprint} what="key fingerprint" />
            </>
          )}
        </dd>
        <dt className={styles.term}>Signed by</dt>
        <dd className={styles.value} data-testid="verdict-signer">
          {verdict.signedByThisWorkspace ? (
            <Badge appearance="tint" color="success">
              This workspace&apos;s key
            </Badge>
          ) : (
            <Text>
              Not one of this workspace&apos;s keys: compare the fingerprint with the one the
              sender published.
            </Text>
          )}
        </dd>
        <dt className={styles.term}>Checked</dt>
        <dd className={styles.value}>
          {formatCount(verdict.filesChecked, "file")},{" "}
          {formatCount(verdict.auditEventsChecked, "audit event")}
        </dd>
      </dl>
    </>
  );
}

export function VerifyPack(props: { verifier: Verifier }) {
  const styles = useEvidenceStyles();
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
        Verify a pack
      </Subtitle2>
      <Text className={styles.muted}>
        Checks every file&apos;s SHA-256 against the signed manifest, the Ed25519 signature
        and the audit chain&apos;s links, as an auditor would.
      </Text>
      <form className={styles.form} onSubmit={submit} aria-label="Verify a pack" noValidate>
        <Field
          label="Pack file"
          required
          className={styles.wide}
          validationMessage={tried && missing ? "Enter the path of the pack's .zip file." : undefined}
          hint="The .zip file of an evidence pack: one made here or one someone sent you."
        >
          <Input
            value={path}
            onChange={(_, data) => setPath(data.value)}
            placeholder="/home/me/Downloads/evidence-contoso-2026-01-01-2026-03-31.zip"
            data-testid="verify-path"
          />
        </Field>
        <Field
          label="Trusted key fingerprint (optional)"
          className={styles.wide}
          hint="The fingerprint the sender published for their signing key. With it, a pack signed by any other key fails, however intact."
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
            Verify
          </Button>
          {running ? <Spinner size="tiny" label="Verifying…" data-testid="verify-running" /> : null}
        </div>
      </form>
      <div
        ref={result}
        tabIndex={-1}
        className={styles.verdict}
        aria-live="polite"
        aria-label="Verification result"
        role="region"
        data-testid="verdict"
      >
        {error ? (
          <ErrorBar title="Couldn't verify the pack" error={error} testId="verify-error" />
        ) : null}
        {verdict ? <Verdict verdict={verdict} /> : null}
      </div>
    </Card>
  );
}
