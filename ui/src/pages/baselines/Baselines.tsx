// Baselines: every golden master with its latest published version, whether a draft is
// being edited, its size and how many tenants it is assigned to; create one from a
// tenant's latest capture or from a folder.

import {
  Body1,
  Button,
  Card,
  Link,
  makeStyles,
  Spinner,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, RulerRegular } from "@fluentui/react-icons";
import { useCallback, useState } from "react";
import { useBackend, type BaselineRow } from "../../backend";
import { formatNumber } from "../../format";
import { useMessages } from "../../i18n";
import { hrefWith, navigate } from "../../router";
import { Command } from "../../shell/Command";
import { PageHeader } from "../../shell/PageHeader";
import { useLoad } from "../../useLoad";
import { CreateBaselineDialog } from "./CreateBaselineDialog";
import { messages } from "./messages";
import { ErrorBar, VersionStatus } from "./parts";

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
    gap: tokens.spacingHorizontalL,
  },
  name: {
    fontWeight: tokens.fontWeightSemibold,
  },
  numeric: {
    fontVariantNumeric: "tabular-nums",
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
    padding: tokens.spacingVerticalXXXL,
  },
  emptyIcon: {
    fontSize: "48px",
    color: tokens.colorBrandForeground1,
  },
  flush: {
    margin: 0,
  },
});

function NoBaselines(props: { onCreate: () => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <div className={styles.centered} data-testid="baselines-empty">
      <RulerRegular className={styles.emptyIcon} />
      <Subtitle1 as="h2" className={styles.flush}>
        {m.emptyTitle}
      </Subtitle1>
      <Body1 as="p" className={styles.flush}>
        {m.emptyBody}
      </Body1>
      <Button appearance="primary" icon={<AddRegular />} onClick={props.onCreate}>
        {m.newBaseline}
      </Button>
    </div>
  );
}

function BaselineTable(props: { baselines: BaselineRow[] }) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <Table aria-label={m.title} data-testid="baselines-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.name}</TableHeaderCell>
          <TableHeaderCell>{m.published}</TableHeaderCell>
          <TableHeaderCell>{m.draft}</TableHeaderCell>
          <TableHeaderCell>{m.items}</TableHeaderCell>
          <TableHeaderCell>{m.tenants}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.baselines.map((b) => (
          <TableRow key={b.id} data-testid="baseline-row">
            <TableCell>
              <TableCellLayout description={b.description || undefined}>
                <Link href={hrefWith("baselines", b.id)} className={styles.name}>
                  {b.name}
                </Link>
              </TableCellLayout>
            </TableCell>
            <TableCell data-testid="baseline-published">
              {b.latestPublished === null ? (
                <Text className={styles.muted}>{m.notYet}</Text>
              ) : (
                <>
                  v{b.latestPublished} <VersionStatus status="published" />
                </>
              )}
            </TableCell>
            <TableCell data-testid="baseline-draft">
              {b.draftVersion === null ? (
                <Text className={styles.muted}>{m.noDraft}</Text>
              ) : (
                <>
                  v{b.draftVersion} <VersionStatus status="draft" />
                </>
              )}
            </TableCell>
            <TableCell className={styles.numeric}>{formatNumber(b.itemCount)}</TableCell>
            <TableCell className={styles.numeric} data-testid="baseline-tenants">
              {b.assignedTenants === 0 ? (
                <Text className={styles.muted}>{m.noTenants}</Text>
              ) : (
                formatNumber(b.assignedTenants)
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function Baselines() {
  const styles = useStyles();
  const backend = useBackend();
  const load = useCallback(() => backend.listBaselines(), [backend]);
  const { state, reload } = useLoad(load);
  const [creating, setCreating] = useState(false);
  const m = useMessages(messages);

  return (
    <div className={styles.stack}>
      <PageHeader
        title={m.title}
        description={
          <>
            {m.descriptionBefore}
            <Command>plumbline baseline</Command>
            {m.descriptionAfter}
          </>
        }
      />
      {state.status === "ready" && state.data.length === 0 ? null : (
        <div className={styles.toolbar}>
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => setCreating(true)}
            data-testid="new-baseline"
          >
            {m.newBaseline}
          </Button>
        </div>
      )}
      {state.status === "loading" ? <Spinner label={m.loadingBaselines} /> : null}
      {state.status === "error" ? (
        <ErrorBar
          title={m.couldNotLoadBaselines}
          error={state.error}
          testId="baselines-error"
          onRetry={reload}
        />
      ) : null}
      {state.status === "ready" ? (
        <Card className={styles.card}>
          {state.data.length === 0 ? (
            <NoBaselines onCreate={() => setCreating(true)} />
          ) : (
            <BaselineTable baselines={state.data} />
          )}
        </Card>
      ) : null}
      {creating ? (
        <CreateBaselineDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            navigate(hrefWith("baselines", created.baselineId));
          }}
        />
      ) : null}
    </div>
  );
}
