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
import { PageHeader } from "../shell/PageHeader";
import { Command } from "../shell/Command";
import { useLoad } from "../useLoad";

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

const KIND_LABELS: Record<string, string> = {
  executive: "Executive",
  portfolio: "Portfolio",
  export_findings: "Findings (CSV)",
  export_drift: "Drift (CSV)",
  export_inventory: "Inventory (CSV)",
  export_risks: "Risk acceptances (CSV)",
};

/** `YYYY-MM-DD` of a time, in UTC (the backend reads days as UTC days). */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The default period: the last 90 days, as the CLI's. */
const DEFAULT_PERIOD_DAYS = 90;

function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

function ErrorBar(props: { title: string; error: BackendError; testId: string; onRetry?: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" data-testid={props.testId}>
      <MessageBarBody>
        <MessageBarTitle>{props.title}</MessageBarTitle>
        <span data-testid="error-message">{props.error.message}</span> (code: {props.error.code})
      </MessageBarBody>
      {props.onRetry ? (
        <MessageBarActions>
          <Button icon={<ArrowClockwiseRegular />} onClick={props.onRetry}>
            Retry
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
  const { report } = props;
  return (
    <Card className={styles.card} data-testid="report-result" aria-live="polite">
      <div className={styles.header}>
        <Subtitle2 as="h2" className={styles.flush}>
          Report ready{report.tenantName ? `: ${report.tenantName}` : ""}
        </Subtitle2>
        <Button
          appearance="primary"
          icon={<OpenRegular />}
          onClick={() => props.onOpen(report.path)}
          data-testid="open-result"
        >
          Open
        </Button>
      </div>
      <dl className={styles.details}>
        <dt className={styles.term}>File</dt>
        <dd className={styles.value} data-testid="result-path">
          {report.path}
        </dd>
        <dt className={styles.term}>SHA-256</dt>
        <dd className={`${styles.value} ${styles.mono}`} data-testid="result-sha256">
          {report.sha256}
        </dd>
        <dt className={styles.term}>Size</dt>
        <dd className={styles.value} data-testid="result-size">
          {formatBytes(report.size)}, {report.pages} {report.pages === 1 ? "page" : "pages"}
        </dd>
        <dt className={styles.term}>Report ID</dt>
        <dd className={`${styles.value} ${styles.mono}`}>{report.reportId}</dd>
      </dl>
      {report.fontWarning ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Fallback fonts</MessageBarTitle>
            {report.fontWarning}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Card>
  );
}

function PastReports(props: { reports: ReportSummary[]; onOpen: (path: string) => void }) {
  const styles = useStyles();
  if (props.reports.length === 0) {
    return (
      <div className={styles.centered} data-testid="reports-empty">
        <DocumentPdfRegular className={styles.emptyIcon} />
        <Subtitle1 as="h3" className={styles.flush}>
          No reports yet
        </Subtitle1>
        <Body1 as="p" className={styles.flush}>
          Choose a report, a period and your branding above, then select{" "}
          <strong>Generate report</strong>. Every report is listed here with its SHA-256.
        </Body1>
      </div>
    );
  }
  return (
    <Table aria-label="Past reports" data-testid="reports-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Kind</TableHeaderCell>
          <TableHeaderCell>Tenant</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell>
          <TableHeaderCell>SHA-256</TableHeaderCell>
          <TableHeaderCell>Size</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.muted}>Actions</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.reports.map((report) => (
          <TableRow key={report.id} data-testid="report-row">
            <TableCell>
              {kindLabel(report.kind)}
              {report.language ? (
                <Text className={styles.muted}> · {report.language.toUpperCase()}</Text>
              ) : null}
            </TableCell>
            <TableCell>
              {report.tenantName ?? <Text className={styles.muted}>All tenants</Text>}
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
                  aria-label={`Open ${kindLabel(report.kind)} report${report.tenantName ? ` of ${report.tenantName}` : ""} created ${report.createdAt}`}
                >
                  Open
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
    <form className={styles.form} onSubmit={submit} aria-label="New report">
      <Field label="Report" className={styles.wide}>
        <RadioGroup
          layout="horizontal"
          value={kind}
          onChange={(_, data) => setKind(data.value as ReportKind)}
        >
          <Radio value="executive" label="Executive (one tenant)" />
          <Radio value="portfolio" label="Portfolio (all tenants)" />
        </RadioGroup>
      </Field>
      {executive ? (
        <>
          <Field
            label="Tenant"
            required
            validationState={noTenants ? "warning" : "none"}
            validationMessage={
              noTenants ? "No tenants yet: import one with plumbline import." : undefined
            }
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
          <Field label="From" hint="First day of the period (UTC).">
            <Input type="date" value={from} onChange={(_, data) => setFrom(data.value)} />
          </Field>
          <Field label="To" hint="Last day, included in full (UTC).">
            <Input type="date" value={to} onChange={(_, data) => setTo(data.value)} />
          </Field>
        </>
      ) : null}
      <Field label="Language">
        <Select
          value={language}
          onChange={(_, data) => setLanguage(data.value as ReportLanguage)}
        >
          <option value="en">English</option>
          <option value="de">Deutsch</option>
        </Select>
      </Field>
      <Field label="MSP name" required hint="On the cover and in every page's header.">
        <Input
          value={branding.mspName}
          onChange={(_, data) => setBranding({ ...branding, mspName: data.value })}
          data-testid="msp-name"
        />
      </Field>
      <Field label="Accent colour" hint="#RRGGBB, for example #1F4E79.">
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
        <Field label="Saved logo">
          <Checkbox
            checked={branding.useSavedLogo ?? false}
            onChange={(_, data) => setBranding({ ...branding, useSavedLogo: data.checked === true })}
            label={`Use the logo saved in Settings (${savedLogo.width} × ${savedLogo.height} px)`}
            data-testid="use-saved-logo"
          />
        </Field>
      ) : null}
      <Field
        label="Logo (optional)"
        hint={
          savedLogo
            ? "Path to a PNG file for this report only; it replaces the saved logo."
            : "Path to a PNG file for the cover. Save one in Settings to use it every time."
        }
      >
        <Input
          value={branding.logoPath ?? ""}
          placeholder="/path/to/logo.png"
          onChange={(_, data) => setBranding({ ...branding, logoPath: data.value })}
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
          Generate report
        </Button>
        {props.running ? (
          <Field
            className={styles.progress}
            validationMessage="Generating the report…"
            validationState="none"
            data-testid="report-progress"
          >
            <ProgressBar aria-label="Generating the report" />
          </Field>
        ) : null}
      </div>
    </form>
  );
}

export function Reports() {
  const styles = useStyles();
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
        title="Reports"
        description={
          <>
            Branded PDF reports for one customer or the whole portfolio, recorded with their
            SHA-256. The same reports come from <Command>plumbline report</Command>.
          </>
        }
      />
      {tenants.state.status === "loading" ? <Spinner label="Loading tenants…" /> : null}
      {tenants.state.status === "error" ? (
        <ErrorBar
          title="Couldn't load the tenants"
          error={tenants.state.error}
          testId="tenants-error"
          onRetry={tenants.reload}
        />
      ) : null}
      {settings.state.status === "error" ? (
        <MessageBar intent="warning" layout="multiline" data-testid="settings-error">
          <MessageBarBody>
            <MessageBarTitle>Couldn&apos;t load the saved branding</MessageBarTitle>
            {settings.state.error.message} Enter the branding below for this report.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {tenants.state.status === "ready" && settings.state.status !== "loading" ? (
        <Card className={styles.card}>
          <Subtitle2 as="h2" className={styles.flush}>
            New report
          </Subtitle2>
          <Body1 as="p" className={mergeClasses(styles.flush, styles.muted)}>
            Branding and language start from Settings; changes here apply to this report only.
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
          title="Couldn't generate the report"
          error={generateError}
          testId="generate-error"
        />
      ) : null}
      {openError ? (
        <ErrorBar title="Couldn't open the report" error={openError} testId="open-error" />
      ) : null}
      {result ? <ResultCard report={result} onOpen={open} /> : null}
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.flush}>
          Past reports
        </Subtitle2>
        {reports.state.status === "loading" ? <Spinner label="Loading reports…" /> : null}
        {reports.state.status === "error" ? (
          <ErrorBar
            title="Couldn't load the past reports"
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
