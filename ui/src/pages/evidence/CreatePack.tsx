// "Create a pack": a tenant, a period and the pack's options; the pack is built in the
// background (progress, Cancel) and, once written, its file, SHA-256 and signing key are
// shown to be handed on.

import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Subtitle2,
  Switch,
  Text,
} from "@fluentui/react-components";
import { ArchiveRegular, ShieldCheckmarkRegular } from "@fluentui/react-icons";
import { useMemo, useState, type FormEvent } from "react";
import { useBackend, type Job, type JobResult, type TenantRow } from "../../backend";
import { formatBytes } from "../../format";
import { useMessages } from "../../i18n";
import { JobProgress } from "../../jobs/JobProgress";
import { messages as jobMessages } from "../../jobs/messages";
import { useJob } from "../../jobs/useJob";
import { CopyButton } from "../../shell/CopyButton";
import { messages } from "./messages";
import { DAY_MS, useEvidenceStyles, utcDay } from "./styles";

/** The default period: the last 90 days, as the CLI's. */
const DEFAULT_PERIOD_DAYS = 90;

type PackResult = Extract<JobResult, { type: "evidence_pack" }>;

function packResult(job: Job | null): PackResult | null {
  if (job?.state !== "succeeded" || job.result?.type !== "evidence_pack") return null;
  return job.result;
}

function PackResultCard(props: { title: string; pack: PackResult; onVerify: (path: string) => void }) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const { pack } = props;
  return (
    <Card className={styles.card} data-testid="pack-result" aria-label={m.packJustMade}>
      <div className={styles.header}>
        <Subtitle2 as="h3" className={styles.flush}>
          {m.packReady(props.title)}
        </Subtitle2>
        <Button
          icon={<ShieldCheckmarkRegular />}
          onClick={() => props.onVerify(pack.path)}
          data-testid="pack-result-verify"
        >
          {m.verifyThisPack}
        </Button>
      </div>
      <dl className={styles.details}>
        <dt className={styles.term}>{m.file}</dt>
        <dd className={styles.value}>
          <span className={styles.mono} data-testid="pack-result-path">
            {pack.path}
          </span>
          <CopyButton value={pack.path} what={m.filePath} testId="copy-pack-path" />
        </dd>
        <dt className={styles.term}>SHA-256</dt>
        <dd className={styles.value}>
          <span className={styles.mono} data-testid="pack-result-sha256">
            {pack.sha256}
          </span>
          <CopyButton value={pack.sha256} what="SHA-256" testId="copy-pack-sha256" />
        </dd>
        <dt className={styles.term}>{m.signingKey}</dt>
        <dd className={styles.value}>
          <span className={styles.mono} data-testid="pack-result-fingerprint">
            {pack.fingerprint}
          </span>
          <CopyButton value={pack.fingerprint} what={m.keyFingerprint} />
        </dd>
        <dt className={styles.term}>{m.contents}</dt>
        <dd className={styles.value} data-testid="pack-result-counts">
          {m.files(pack.files)}, {m.auditEvents(pack.auditEvents)}
          {pack.size === null ? "" : `, ${formatBytes(pack.size)}`}
        </dd>
      </dl>
      <Text className={styles.muted}>{m.sendHint}</Text>
      {pack.omitted.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="pack-result-omitted">
          <MessageBarBody>
            <MessageBarTitle>{m.leftOut}</MessageBarTitle>
            <ul className={styles.list}>
              {pack.omitted.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Card>
  );
}

export function CreatePack(props: {
  tenants: TenantRow[];
  /** Where packs go by default, when known. */
  evidenceDir: string | null;
  onCreated: () => void;
  onVerify: (path: string) => void;
}) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const jobTexts = useMessages(jobMessages);
  const backend = useBackend();
  const { onCreated } = props;
  const job = useJob((ended) => {
    if (ended.state === "succeeded") onCreated();
  });
  const tenants = useMemo(
    () => [...props.tenants].sort((a, b) => a.name.localeCompare(b.name)),
    [props.tenants],
  );
  const [tenantId, setTenantId] = useState(tenants[0]?.id ?? "");
  // Filled in, not left empty: WebKit shows an empty date input as today's date, which
  // would misstate the period.
  const [to, setTo] = useState(() => utcDay(Date.now()));
  const [from, setFrom] = useState(() => utcDay(Date.now() - DEFAULT_PERIOD_DAYS * DAY_MS));
  const [redact, setRedact] = useState(false);
  const [includeReports, setIncludeReports] = useState(false);
  const [output, setOutput] = useState("");
  const noTenants = tenants.length === 0;
  const result = packResult(job.job);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void job.start(() =>
      backend.createEvidencePack({
        tenantId,
        from,
        to,
        redact,
        includeReports: includeReports && !redact,
        outputPath: output.trim() || null,
      }),
    );
  };

  return (
    <Card className={styles.card}>
      <Subtitle2 as="h2" className={styles.flush}>
        {m.createTitle}
      </Subtitle2>
      <form className={styles.form} onSubmit={submit} aria-label={m.createTitle} noValidate>
        <Field
          label={m.tenant}
          required
          validationState={noTenants ? "warning" : "none"}
          validationMessage={noTenants ? m.noTenants : undefined}
        >
          <Select
            value={tenantId}
            onChange={(_, data) => setTenantId(data.value)}
            disabled={noTenants}
            data-testid="pack-tenant"
          >
            {tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={m.from} hint={m.fromHint}>
          <Input
            type="date"
            value={from}
            onChange={(_, data) => setFrom(data.value)}
            data-testid="pack-from"
          />
        </Field>
        <Field label={m.to} hint={m.toHint}>
          <Input
            type="date"
            value={to}
            onChange={(_, data) => setTo(data.value)}
            data-testid="pack-to"
          />
        </Field>
        <Field
          className={styles.wide}
          hint={m.redactHint}
        >
          <Switch
            checked={redact}
            onChange={(_, data) => {
              setRedact(data.checked);
              // The backend refuses reports in a redacted pack: it cannot redact PDFs.
              if (data.checked) setIncludeReports(false);
            }}
            label={m.redact}
            data-testid="pack-redact"
          />
        </Field>
        <Field
          className={styles.wide}
          hint={redact ? m.includeReportsRedacted : m.includeReportsHint}
        >
          <Switch
            checked={includeReports && !redact}
            disabled={redact}
            onChange={(_, data) => setIncludeReports(data.checked)}
            label={m.includeReports}
            data-testid="pack-reports"
          />
        </Field>
        <Field
          label={m.output}
          className={styles.wide}
          hint={props.evidenceDir ? m.outputHintIn(props.evidenceDir) : m.outputHint}
        >
          <Input
            value={output}
            onChange={(_, data) => setOutput(data.value)}
            placeholder={m.outputPlaceholder}
            data-testid="pack-output"
          />
        </Field>
        <div className={styles.actions}>
          <Button
            type="submit"
            appearance="primary"
            icon={<ArchiveRegular />}
            disabled={job.running || noTenants || tenantId === ""}
            data-testid="pack-create"
          >
            {m.createPack}
          </Button>
        </div>
      </form>
      <JobProgress handle={job} what={jobTexts.kinds.evidence_pack} testId="pack" />
      {result && job.job ? (
        <PackResultCard
          // "Evidence pack of Contoso, 2026-01-01 to 2026-03-31": the heading says the rest.
          title={job.job.title.replace(/^Evidence pack of /, "")}
          pack={result}
          onVerify={props.onVerify}
        />
      ) : null}
    </Card>
  );
}
