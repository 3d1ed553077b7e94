// Reports: generate an executive (one tenant) or portfolio PDF with the MSP's branding,
// open it, and see every report recorded in the database with its SHA-256. The form
// starts from the branding and language saved in Settings.

import {
  Body1,
  Button,
  Card,
  Checkbox,
  Field,
  Input,
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwiseRegular,
  DocumentPdfRegular,
  OpenRegular,
} from "@fluentui/react-icons";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import {
  BackendError,
  useBackend,
  type Branding,
  type GeneratedReport,
  type ReportKind,
  type ReportLanguage,
  type ReportSettingsView,
  type ReportSummary,
  type TenantRow,
} from "../backend";
import { formatBytes, formatExact, parseTimestamp } from "../format";
import { useMessages } from "../i18n";
import { PageHeader } from "../shell/PageHeader";
import { Command } from "../shell/Command";
import { useLoad } from "../useLoad";
import { messages } from "./reportsMessages";
import { PathPicker } from "../shell/PathPicker";

type Messages = (typeof messages)["en"];

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
  },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(240px, 1fr))",
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    alignItems: "start",
  },
  wide: {
    gridColumn: "1 / -1",
  },
  actions: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalL,
    gridColumn: "1 / -1",
  },
  progress: {
    flexGrow: 1,
    maxWidth: "360px",
  },
  flush: {
    margin: 0,
  },
  details: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  value: {
    margin: 0,
    overflowWrap: "anywhere",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  centered: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXL,
  },
  emptyIcon: {
    fontSize: "48px",
    color: tokens.colorBrandForeground1,
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
  },
});

const DEFAULT_BRANDING: Branding = {
  mspName: "",
  accentColour: "#1F4E79",
  logoPath: null,
  useSavedLogo: false,
};

/** The form's starting branding: what Settings saved, the saved logo included. */
function savedBranding(saved: ReportSettingsView | null): Branding {
  if (!saved) return DEFAULT_BRANDING;
  return {
    mspName: saved.mspName,
    accentColour: saved.accentColour,
    logoPath: null,
    useSavedLogo: saved.logo !== null,
  };
}

/** `YYYY-MM-DD` of a time, in UTC (the backend reads days as UTC days). */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The default period: the last 90 days, as the CLI's. */
const DEFAULT_PERIOD_DAYS = 90;

function kindLabel(m: Messages, kind: string): string {
  const labels: Record<string, string | undefined> = m.kinds;
  return labels[kind] ?? kind;
}

function ErrorBar(props: { title: string; error: BackendError; testId: string; onRetry?: () => void }) {
  const m = useMessages(messages);
  return (
    <MessageBar intent="error" layout="multiline" data-testid={props.testId}>
      <MessageBarBody>
        <MessageBarTitle>{props.title}</MessageBarTitle>
        <span data-testid="error-message">{props.error.message}</span> {m.errorCode(props.error.code)}
      </MessageBarBody>
      {props.onRetry ? (
        <MessageBarActions>
          <Button icon={<ArrowClockwiseRegular />} onClick={props.onRetry}>
            {m.retry}
          </Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

function Created(props: { at: string }) {
  const ms = parseTimestamp(props.at);
  return <time dateTime={props.at}>{ms === null ? props.at : formatExact(ms)}</time>;
}

function ResultCard(props: { report: GeneratedReport; onOpen: (path: string) => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { report } = props;
  return (
    <Card className={styles.card} data-testid="report-result" aria-live="polite">
      <div className={styles.header}>
        <Subtitle2 as="h2" className={styles.flush}>
          {m.reportReady(report.tenantName)}
        </Subtitle2>
        <Button
          appearance="primary"
          icon={<OpenRegular />}
          onClick={() => props.onOpen(report.path)}
          data-testid="open-result"
        >
          {m.open}
        </Button>
      </div>
      <dl className={styles.details}>
        <dt className={styles.term}>{m.file}</dt>
        <dd className={styles.value} data-testid="result-path">
          {report.path}
        </dd>
        <dt className={styles.term}>SHA-256</dt>
        <dd className={`${styles.value} ${styles.mono}`} data-testid="result-sha256">
          {report.sha256}
        </dd>
        <dt className={styles.term}>{m.size}</dt>
        <dd className={styles.value} data-testid="result-size">
          {m.sizeAndPages(formatBytes(report.size), report.pages)}
        </dd>
        <dt className={styles.term}>{m.reportId}</dt>
        <dd className={`${styles.value} ${styles.mono}`}>{report.reportId}</dd>
      </dl>
      {report.fontWarning ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{m.fallbackFonts}</MessageBarTitle>
            {report.fontWarning}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Card>
  );
}

function PastReports(props: { reports: ReportSummary[]; onOpen: (path: string) => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  if (props.reports.length === 0) {
    return (
      <div className={styles.centered} data-testid="reports-empty">
        <DocumentPdfRegular className={styles.emptyIcon} />
        <Subtitle1 as="h3" className={styles.flush}>
          {m.noReports}
        </Subtitle1>
        <Body1 as="p" className={styles.flush}>
          {m.noReportsBefore}
          <strong>{m.generate}</strong>
          {m.noReportsAfter}
        </Body1>
      </div>
    );
  }
  return (
    <Table aria-label={m.pastReports} data-testid="reports-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.columns.kind}</TableHeaderCell>
          <TableHeaderCell>{m.columns.tenant}</TableHeaderCell>
          <TableHeaderCell>{m.columns.created}</TableHeaderCell>
          <TableHeaderCell>SHA-256</TableHeaderCell>
          <TableHeaderCell>{m.columns.size}</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.muted}>{m.columns.actions}</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.reports.map((report) => (
          <TableRow key={report.id} data-testid="report-row">
            <TableCell>
              {kindLabel(m, report.kind)}
              {report.language ? (
                <Text className={styles.muted}> · {report.language.toUpperCase()}</Text>
              ) : null}
            </TableCell>
            <TableCell>
              {report.tenantName ?? <Text className={styles.muted}>{m.allTenants}</Text>}
            </TableCell>
            <TableCell>
              <Created at={report.createdAt} />
            </TableCell>
            <TableCell>
              <span className={styles.mono} title={report.sha256} data-testid="report-sha256">
                {report.sha256.slice(0, 12)}…
              </span>
            </TableCell>
            <TableCell>{formatBytes(report.size)}</TableCell>
            <TableCell>
              {report.path ? (
                <Button
                  size="small"
                  icon={<OpenRegular />}
                  onClick={() => report.path && props.onOpen(report.path)}
                  aria-label={m.openReport(
                    kindLabel(m, report.kind),
                    report.tenantName,
                    report.createdAt,
                  )}
                >
                  {m.open}
                </Button>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

interface FormProps {
  tenants: TenantRow[];
  /** The branding and language saved in Settings (null when they could not be read). */
  saved: ReportSettingsView | null;
  running: boolean;
  onGenerate: (request: {
    kind: ReportKind;
    tenantId: string | null;
    from: string | null;
    to: string | null;
    language: ReportLanguage;
    branding: Branding;
  }) => void;
}

function ReportForm(props: FormProps) {
  const styles = useStyles();
  const m = useMessages(messages);
  const sortedTenants = useMemo(
    () => [...props.tenants].sort((a, b) => a.name.localeCompare(b.name)),
    [props.tenants],
  );
  const [kind, setKind] = useState<ReportKind>("executive");
  const [tenantId, setTenantId] = useState<string>(sortedTenants[0]?.id ?? "");
  // Filled in, not left empty: WebKit shows an empty date input as today's date, which
  // would misstate the period.
  const [to, setTo] = useState(() => utcDay(Date.now()));
  const [from, setFrom] = useState(() => utcDay(Date.now() - DEFAULT_PERIOD_DAYS * DAY_MS));
  const [language, setLanguage] = useState<ReportLanguage>(props.saved?.language ?? "en");
  const [branding, setBranding] = useState<Branding>(() => savedBranding(props.saved));
  const savedLogo = props.saved?.logo ?? null;
  const noTenants = sortedTenants.length === 0;
  const executive = kind === "executive";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onGenerate({
      kind,
      tenantId: executive ? tenantId || null : null,
      from: executive && from ? from : null,
      to: executive && to ? to : null,
      language,
      branding: {
        ...branding,
        logoPath: branding.logoPath?.trim() || null,
        useSavedLogo: savedLogo !== null && (branding.useSavedLogo ?? false),
      },
    });
  };

  return (
    <form className={styles.form} onSubmit={submit} aria-label={m.newReport}>
      <Field label={m.report} className={styles.wide}>
        <RadioGroup
          layout="horizontal"
          value={kind}
          onChange={(_, data) => setKind(data.value as ReportKind)}
        >
          <Radio value="executive" label={m.executiveOption} />
          <Radio value="portfolio" label={m.portfolioOption} />
        </RadioGroup>
      </Field>
      {executive ? (
        <>
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
              data-testid="tenant-select"
            >
              {sortedTenants.map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={m.from} hint={m.fromHint}>
            <Input type="date" value={from} onChange={(_, data) => setFrom(data.value)} />
          </Field>
          <Field label={m.to} hint={m.toHint}>
            <Input type="date" value={to} onChange={(_, data) => setTo(data.value)} />
          </Field>
        </>
      ) : null}
      <Field label={m.language}>
        <Select
          value={language}
          onChange={(_, data) => setLanguage(data.value as ReportLanguage)}
        >
          <option value="en">{m.languageNames.en}</option>
          <option value="de">{m.languageNames.de}</option>
        </Select>
      </Field>
      <Field label={m.mspName} required hint={m.mspNameHint}>
        <Input
          value={branding.mspName}
          onChange={(_, data) => setBranding({ ...branding, mspName: data.value })}
          data-testid="msp-name"
        />
      </Field>
      <Field label={m.accentColour} hint={m.accentColourHint}>
        <Input
          value={branding.accentColour}
          onChange={(_, data) => setBranding({ ...branding, accentColour: data.value })}
          contentAfter={
            /^#[0-9a-fA-F]{6}$/.test(branding.accentColour) ? (
              <span
                aria-hidden
                style={{
                  display: "inline-block",
                  width: 16,
                  height: 16,
                  borderRadius: 2,
                  backgroundColor: branding.accentColour,
                }}
              />
            ) : undefined
          }
        />
      </Field>
      {savedLogo ? (
        <Field label={m.savedLogo}>
          <Checkbox
            checked={branding.useSavedLogo ?? false}
            onChange={(_, data) => setBranding({ ...branding, useSavedLogo: data.checked === true })}
            label={m.useSavedLogo(savedLogo.width, savedLogo.height)}
            data-testid="use-saved-logo"
          />
        </Field>
      ) : null}
      <Field
        label={m.logo}
        hint={savedLogo ? m.logoHintWithSaved : m.logoHint}
      >
        <PathPicker
          kind="png_image"
          title={m.logo}
          value={branding.logoPath ?? ""}
          onChange={(path) => setBranding({ ...branding, logoPath: path })}
          testId="report-logo"
          ariaLabel={m.logo}
        />
      </Field>
      <div className={styles.actions}>
        <Button
          type="submit"
          appearance="primary"
          icon={<DocumentPdfRegular />}
          disabled={props.running || (executive && noTenants)}
          data-testid="generate"
        >
          {m.generate}
        </Button>
        {props.running ? (
          <Field
            className={styles.progress}
            validationMessage={m.generating}
            validationState="none"
            data-testid="report-progress"
          >
            <ProgressBar aria-label={m.generatingLabel} />
          </Field>
        ) : null}
      </div>
    </form>
  );
}

export function Reports() {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const loadTenants = useCallback(() => backend.listTenants(), [backend]);
  const loadReports = useCallback(() => backend.listReports(), [backend]);
  const loadSettings = useCallback(() => backend.reportSettings(), [backend]);
  const tenants = useLoad(loadTenants);
  const reports = useLoad(loadReports);
  const settings = useLoad(loadSettings);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<GeneratedReport | null>(null);
  const [generateError, setGenerateError] = useState<BackendError | null>(null);
  const [openError, setOpenError] = useState<BackendError | null>(null);
  const reloadReports = reports.reload;

  const generate = useCallback<FormProps["onGenerate"]>(
    (request) => {
      setRunning(true);
      setGenerateError(null);
      setOpenError(null);
      setResult(null);
      backend
        .generateReport({ ...request, outputPath: null })
        .then(
          (report) => {
            setResult(report);
            reloadReports();
          },
          (error: unknown) => setGenerateError(BackendError.from(error)),
        )
        .finally(() => setRunning(false));
    },
    [backend, reloadReports],
  );

  const open = useCallback(
    (path: string) => {
      setOpenError(null);
      backend.openPath(path).catch((error: unknown) => setOpenError(BackendError.from(error)));
    },
    [backend],
  );

  return (
    <div className={styles.stack}>
      <PageHeader
        title={m.title}
        description={
          <>
            {m.descriptionBefore}
            <Command>plumbline report</Command>
            {m.descriptionAfter}
          </>
        }
      />
      {tenants.state.status === "loading" ? <Spinner label={m.loadingTenants} /> : null}
      {tenants.state.status === "error" ? (
        <ErrorBar
          title={m.couldNotLoadTenants}
          error={tenants.state.error}
          testId="tenants-error"
          onRetry={tenants.reload}
        />
      ) : null}
      {settings.state.status === "error" ? (
        <MessageBar intent="warning" layout="multiline" data-testid="settings-error">
          <MessageBarBody>
            <MessageBarTitle>{m.couldNotLoadSettings}</MessageBarTitle>
            {settings.state.error.message} {m.enterBranding}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {tenants.state.status === "ready" && settings.state.status !== "loading" ? (
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.flush}>
            {m.newReport}
          </Subtitle2>
          <Body1 as="p" className={mergeClasses(styles.flush, styles.muted)}>
            {m.newReportHint}
          </Body1>
          <ReportForm
            tenants={tenants.state.data}
            saved={settings.state.status === "ready" ? settings.state.data : null}
            running={running}
            onGenerate={generate}
          />
        </Card>
      ) : null}
      {generateError ? (
        <ErrorBar
          title={m.couldNotGenerate}
          error={generateError}
          testId="generate-error"
        />
      ) : null}
      {openError ? (
        <ErrorBar title={m.couldNotOpen} error={openError} testId="open-error" />
      ) : null}
      {result ? <ResultCard report={result} onOpen={open} /> : null}
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.flush}>
          {m.pastReports}
        </Subtitle2>
        {reports.state.status === "loading" ? <Spinner label={m.loadingReports} /> : null}
        {reports.state.status === "error" ? (
          <ErrorBar
            title={m.couldNotLoadReports}
            error={reports.state.error}
            testId="reports-error"
            onRetry={reports.reload}
          />
        ) : null}
        {reports.state.status === "ready" ? (
          <PastReports reports={reports.state.data} onOpen={open} />
        ) : null}
      </Card>
    </div>
  );
}
