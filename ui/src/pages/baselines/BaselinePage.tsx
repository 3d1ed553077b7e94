// One baseline: its versions (draft, published, retired; who and when), the items and
// settings of a chosen version, the draft's editing, publishing, export, and the tenants
// it is assigned to.

import {
  Body1,
  Button,
  Card,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowLeftRegular,
  DocumentArrowRightRegular,
  EditRegular,
  SendRegular,
} from "@fluentui/react-icons";
import { useCallback, useRef, useState } from "react";
import { BackendError, useBackend, type BaselineDetail, type VersionRow } from "../../backend";
import { formatNumber } from "../../format";
import { useMessages } from "../../i18n";
import { hrefFor } from "../../router";
import { PageHeader } from "../../shell/PageHeader";
import { useLoad } from "../../useLoad";
import { Assignments } from "./Assignments";
import { ExportDialog } from "./ExportDialog";
import { messages } from "./messages";
import { ErrorBar, VersionStatus, When } from "./parts";
import { PublishDialog } from "./PublishDialog";
import { VersionItems } from "./VersionItems";

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
  toolbar: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  heading: {
    margin: 0,
  },
  selected: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
  },
  numeric: {
    fontVariantNumeric: "tabular-nums",
  },
});

/** The version to show first: the draft being edited, else what reviews use. */
function defaultVersion(detail: BaselineDetail): VersionRow | undefined {
  return (
    detail.versions.find((v) => v.status === "draft") ??
    detail.versions.find((v) => v.status === "published") ??
    detail.versions[0]
  );
}

function Versions(props: {
  versions: VersionRow[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <Table aria-label={m.versions} size="small" data-testid="versions-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.version}</TableHeaderCell>
          <TableHeaderCell>{m.status}</TableHeaderCell>
          <TableHeaderCell>{m.items}</TableHeaderCell>
          <TableHeaderCell>{m.created}</TableHeaderCell>
          <TableHeaderCell>{m.published}</TableHeaderCell>
          <TableHeaderCell>{m.retired}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.versions.map((v) => {
          const current = v.id === props.selected;
          return (
            <TableRow
              key={v.id}
              data-testid="version-row"
              aria-current={current ? "true" : undefined}
              className={current ? styles.selected : undefined}
            >
              <TableCell>
                <Button
                  appearance={current ? "primary" : "subtle"}
                  size="small"
                  aria-pressed={current}
                  onClick={() => props.onSelect(v.id)}
                >
                  v{v.version}
                </Button>
              </TableCell>
              <TableCell>
                <VersionStatus status={v.status} />
              </TableCell>
              <TableCell className={styles.numeric}>{formatNumber(v.items)}</TableCell>
              <TableCell>
                <When at={v.createdAt} /> {m.by} {v.createdBy}
              </TableCell>
              <TableCell>
                <When at={v.publishedAt} />
              </TableCell>
              <TableCell>
                <When at={v.retiredAt} />
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function BaselineBody(props: { detail: BaselineDetail; onChanged: (detail?: BaselineDetail) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const m = useMessages(messages);
  const { detail } = props;
  const [chosen, setChosen] = useState<string | null>(null);
  const version = detail.versions.find((v) => v.id === chosen) ?? defaultVersion(detail);
  const draft = detail.versions.find((v) => v.status === "draft");
  const published = detail.versions.find((v) => v.status === "published");
  const [publishing, setPublishing] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; error: BackendError } | null>(null);

  const startDraft = () => {
    setBusy(true);
    setError(null);
    backend
      .startBaselineDraft(detail.baseline.id)
      .then(
        () => {
          setChosen(null);
          props.onChanged();
        },
        (e: unknown) => setError({ title: m.couldNotStartDraft, error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <>
      <div className={styles.toolbar}>
        {draft ? (
          <Button
            appearance="primary"
            icon={<SendRegular />}
            onClick={() => setPublishing(true)}
            data-testid="publish"
          >
            {m.publishVersion(draft.version)}
          </Button>
        ) : (
          <Button
            appearance="primary"
            icon={<EditRegular />}
            onClick={startDraft}
            disabled={busy || !published}
            data-testid="start-draft"
          >
            {m.startDraft}
          </Button>
        )}
        <Button
          icon={<DocumentArrowRightRegular />}
          onClick={() => setExporting(true)}
          disabled={detail.versions.length === 0}
          data-testid="export"
        >
          {m.exportToFolder}
        </Button>
      </div>
      {error ? <ErrorBar title={error.title} error={error.error} testId="baseline-action-error" /> : null}
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.heading}>
          {m.versions}
        </Subtitle2>
        <Versions versions={detail.versions} selected={version?.id} onSelect={setChosen} />
      </Card>
      {version ? (
        <>
          {version.status !== "draft" ? (
            <MessageBar intent="info" data-testid="read-only-notice">
              <MessageBarBody>
                {m.readOnly(version.version, version.status)}{" "}
                {draft ? m.editDraftInstead(draft.version) : m.startDraftToChange}
              </MessageBarBody>
              {draft ? (
                <MessageBarActions>
                  <Button onClick={() => setChosen(draft.id)}>{m.openDraft}</Button>
                </MessageBarActions>
              ) : null}
            </MessageBar>
          ) : null}
          <VersionItems
            key={version.id}
            version={version}
            onChanged={() => props.onChanged()}
          />
        </>
      ) : (
        <Body1>{m.noVersions}</Body1>
      )}
      <Assignments detail={detail} onChanged={props.onChanged} />
      {publishing && draft ? (
        <PublishDialog
          baseline={detail.baseline}
          draft={draft}
          onClose={() => setPublishing(false)}
          onPublished={() => {
            setPublishing(false);
            setChosen(draft.id);
            props.onChanged();
          }}
        />
      ) : null}
      {exporting ? (
        <ExportDialog
          baselineId={detail.baseline.id}
          versions={detail.versions}
          initialVersion={version?.version ?? detail.versions[0]?.version ?? 1}
          onClose={() => setExporting(false)}
        />
      ) : null}
    </>
  );
}

export function BaselinePage(props: { baselineId: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const { baselineId } = props;
  const load = useCallback(() => backend.baselineDetail(baselineId), [backend, baselineId]);
  const { state, reload } = useLoad(load);
  // After a change the page reads the detail again (or takes it from the answer of an
  // assignment) and keeps showing the current one meanwhile, so it keeps its place.
  // Kept with the baseline it shows and the number of the change it answers: another
  // baseline's detail is never shown, and a slow answer never replaces a newer one.
  const [latest, setLatest] = useState<{ id: string; asked: number; detail: BaselineDetail } | null>(
    null,
  );
  const asked = useRef(0);
  const [refreshError, setRefreshError] = useState<BackendError | null>(null);
  const detail =
    (latest?.id === baselineId ? latest.detail : null) ?? (state.status === "ready" ? state.data : null);
  const changed = useCallback(
    (next?: BaselineDetail) => {
      setRefreshError(null);
      asked.current += 1;
      const number = asked.current;
      const keep = (answer: BaselineDetail) =>
        setLatest((shown) =>
          shown && shown.id === baselineId && shown.asked > number
            ? shown
            : { id: baselineId, asked: number, detail: answer },
        );
      if (next) {
        keep(next);
        return;
      }
      backend.baselineDetail(baselineId).then(keep, (e: unknown) => {
        if (asked.current === number) setRefreshError(BackendError.from(e));
      });
    },
    [backend, baselineId],
  );

  return (
    <div className={styles.stack} data-testid="baseline-page">
      <div className={styles.toolbar}>
        <Button as="a" href={hrefFor("baselines")} appearance="subtle" icon={<ArrowLeftRegular />}>
          {m.allBaselines}
        </Button>
      </div>
      <PageHeader
        title={detail?.baseline.name ?? m.baselineTitle}
        description={detail?.baseline.description || undefined}
      />
      {detail === null && state.status === "loading" ? <Spinner label={m.loadingBaseline} /> : null}
      {detail === null && state.status === "error" ? (
        <ErrorBar
          title={m.couldNotLoadBaseline}
          error={state.error}
          testId="baseline-error"
          onRetry={reload}
        />
      ) : null}
      {refreshError ? (
        <ErrorBar
          title={m.couldNotReadAgain}
          error={refreshError}
          testId="baseline-refresh-error"
          onRetry={() => changed()}
        />
      ) : null}
      {detail !== null ? <BaselineBody detail={detail} onChanged={changed} /> : null}
    </div>
  );
}
