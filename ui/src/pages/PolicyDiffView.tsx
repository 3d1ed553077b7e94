// Policy diff: a finding's baseline item next to the tenant's item, normalised the way
// the review compares them. Settings by readable label, changed / missing / added
// highlighted, assignments apart, and the raw JSON of both on request.

import {
  Badge,
  Body1,
  Button,
  Card,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  mergeClasses,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { ArrowLeftRegular } from "@fluentui/react-icons";
import { useCallback, useState } from "react";
import { useBackend, type DiffRow, type PolicyDiff } from "../backend";
import { useMessages } from "../i18n";
import { messages } from "./policyDiffMessages";
import { PageHeader } from "../shell/PageHeader";
import { hrefWith } from "../router";
import { useLoad } from "../useLoad";

const useStyles = makeStyles({
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  toolbar: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
  },
  sides: {
    display: "grid",
    gridTemplateColumns: "1fr 1fr",
    gap: tokens.spacingHorizontalM,
  },
  value: {
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: "break-all",
  },
  changed: {
    backgroundColor: tokens.colorPaletteYellowBackground1,
  },
  missing: {
    backgroundColor: tokens.colorPaletteRedBackground1,
  },
  added: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
  },
  raw: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-all",
    maxHeight: "480px",
    overflow: "auto",
    margin: 0,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
  legend: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
});

type DiffState = keyof (typeof messages)["en"]["states"];

function StateBadge(props: { state: string }) {
  const m = useMessages(messages);
  const colour =
    props.state === "changed"
      ? "warning"
      : props.state === "missing"
        ? "danger"
        : props.state === "added"
          ? "success"
          : "subtle";
  return (
    <Badge appearance="tint" color={colour}>
      {Object.hasOwn(m.states, props.state) ? m.states[props.state as DiffState] : props.state}
    </Badge>
  );
}

function DiffTable(props: { rows: DiffRow[]; label: string; testId: string; showSame: boolean }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const rows = props.showSame ? props.rows : props.rows.filter((r) => r.state !== "same");
  if (rows.length === 0) {
    return <Body1>{props.showSame ? m.nothingToCompare : m.noDifferences}</Body1>;
  }
  return (
    <Table aria-label={props.label} data-testid={props.testId} size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.columns.setting}</TableHeaderCell>
          <TableHeaderCell>{m.columns.baseline}</TableHeaderCell>
          <TableHeaderCell>{m.columns.tenant}</TableHeaderCell>
          <TableHeaderCell>{m.columns.state}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow
            key={row.path}
            data-testid="diff-row"
            data-state={row.state}
            className={mergeClasses(
              row.state === "changed" && styles.changed,
              row.state === "missing" && styles.missing,
              row.state === "added" && styles.added,
            )}
          >
            <TableCell title={row.description ? `${row.description}\n\n${row.path}` : row.path}>
              {row.label}
            </TableCell>
            <TableCell className={styles.value} title={row.baselineText ? (row.baseline ?? "") : undefined}>
              {row.baselineText ?? row.baseline ?? "—"}
            </TableCell>
            <TableCell className={styles.value} title={row.tenantText ? (row.tenant ?? "") : undefined}>
              {row.tenantText ?? row.tenant ?? "—"}
            </TableCell>
            <TableCell>
              <StateBadge state={row.state} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function DiffBody(props: { diff: PolicyDiff; findingId: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { diff } = props;
  const [showSame, setShowSame] = useState(false);
  const [showRaw, setShowRaw] = useState(false);
  const differences = diff.settings.filter((r) => r.state !== "same").length;
  return (
    <>
      <div className={styles.toolbar}>
        <Text>
          {m.baseline} <strong>{diff.baseline ?? "—"}</strong>
          {diff.baselineVersion !== null ? ` v${diff.baselineVersion}` : ""}:{" "}
          <strong data-testid="diff-baseline-item">
            {diff.baselineItem ?? m.baselineItemNotFound}
          </strong>{" "}
          · {m.tenant} <Link href={hrefWith("tenants", diff.tenantId)}>{diff.tenant}</Link>:{" "}
          <strong data-testid="diff-tenant-item">{diff.tenantItem ?? m.tenantItemMissing}</strong>
        </Text>
        <Text data-testid="diff-count">
          {m.differences(differences)}
        </Text>
      </div>
      <div className={styles.toolbar}>
        <Switch
          label={m.showEqual}
          checked={showSame}
          onChange={(_, data) => setShowSame(data.checked)}
        />
        <Switch
          label={m.showRaw}
          checked={showRaw}
          onChange={(_, data) => setShowRaw(data.checked)}
          data-testid="show-raw"
        />
      </div>
      <Card>
        <Subtitle2 as="h2">{m.settings}</Subtitle2>
        <DiffTable
          rows={diff.settings}
          label={m.settings}
          testId="diff-settings"
          showSame={showSame}
        />
      </Card>
      <Card>
        <Subtitle2 as="h2">{m.assignments}</Subtitle2>
        <DiffTable
          rows={diff.assignments}
          label={m.assignments}
          testId="diff-assignments"
          showSame={showSame}
        />
      </Card>
      {showRaw ? (
        <div className={styles.sides} data-testid="raw-json">
          <Card>
            <Subtitle2 as="h2">{m.baselineJson}</Subtitle2>
            <pre className={styles.raw} tabIndex={0}>
              {diff.baselineRaw ?? m.noBaselineItem}
            </pre>
          </Card>
          <Card>
            <Subtitle2 as="h2">{m.tenantJson}</Subtitle2>
            <pre className={styles.raw} tabIndex={0}>
              {diff.tenantRaw ?? m.noTenantItem}
            </pre>
          </Card>
        </div>
      ) : null}
    </>
  );
}

export function PolicyDiffView(props: { findingId: string }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const { findingId } = props;
  const load = useCallback(() => backend.policyDiff(findingId), [backend, findingId]);
  const { state } = useLoad(load);
  return (
    <div className={styles.stack} data-testid="policy-diff">
      <div className={styles.toolbar}>
        <Button
          as="a"
          href={hrefWith("findings", findingId)}
          appearance="subtle"
          icon={<ArrowLeftRegular />}
          data-testid="back-to-finding"
        >
          {m.back}
        </Button>
      </div>
      <PageHeader
        title={m.title}
        description={
          state.status === "ready"
            ? m.description(state.data.resourceKind)
            : undefined
        }
      />
      {state.status === "loading" ? <Spinner label={m.comparing} /> : null}
      {state.status === "error" ? (
        <MessageBar intent="error">
          <MessageBarBody>{state.error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === "ready" ? <DiffBody diff={state.data} findingId={findingId} /> : null}
    </div>
  );
}
