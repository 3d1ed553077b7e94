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
import { hrefWith, navigate } from "../../router";
import { Command } from "../../shell/Command";
import { PageHeader } from "../../shell/PageHeader";
import { useLoad } from "../../useLoad";
import { CreateBaselineDialog } from "./CreateBaselineDialog";
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
  return (
    <div className={styles.centered} data-testid="baselines-empty">
      <RulerRegular className={styles.emptyIcon} />
      <Subtitle1 as="h2" className={styles.flush}>
        No baselines yet
      </Subtitle1>
      <Body1 as="p" className={styles.flush}>
        A baseline is your golden master: the settings every assigned tenant should have. Make
        the first one from a well-configured tenant&apos;s latest capture, or from a folder of
        exported policies or an exported baseline.
      </Body1>
      <Button appearance="primary" icon={<AddRegular />} onClick={props.onCreate}>
        New baseline
      </Button>
    </div>
  );
}

function BaselineTable(props: { baselines: BaselineRow[] }) {
  const styles = useStyles();
  return (
    <Table aria-label="Baselines" data-testid="baselines-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Name</TableHeaderCell>
          <TableHeaderCell>Published</TableHeaderCell>
          <TableHeaderCell>Draft</TableHeaderCell>
          <TableHeaderCell>Items</TableHeaderCell>
          <TableHeaderCell>Tenants</TableHeaderCell>
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
                <Text className={styles.muted}>Not yet</Text>
              ) : (
                <>
                  v{b.latestPublished} <VersionStatus status="published" />
                </>
              )}
            </TableCell>
            <TableCell data-testid="baseline-draft">
              {b.draftVersion === null ? (
                <Text className={styles.muted}>None</Text>
              ) : (
                <>
                  v{b.draftVersion} <VersionStatus status="draft" />
                </>
              )}
            </TableCell>
            <TableCell className={styles.numeric}>{formatNumber(b.itemCount)}</TableCell>
            <TableCell className={styles.numeric} data-testid="baseline-tenants">
              {b.assignedTenants === 0 ? (
                <Text className={styles.muted}>None</Text>
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

  return (
    <div className={styles.stack}>
      <PageHeader
        title="Baselines"
        description={
          <>
            Golden masters: versioned sets of expected settings with a rule and severity per
            setting, assigned to tenants. The same from <Command>plumbline baseline</Command>.
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
            New baseline
          </Button>
        </div>
      )}
      {state.status === "loading" ? <Spinner label="Loading baselines…" /> : null}
      {state.status === "error" ? (
        <ErrorBar
          title="Couldn't load the baselines"
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
