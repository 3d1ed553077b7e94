// The Portfolio's tenant table: one row per tenant, sortable by every column.

import {
  Link,
  makeStyles,
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
import { useMemo, useState } from "react";
import type { TenantRow } from "../backend";
import { formatExact, formatNumber, formatRelative, parseTimestamp } from "../format";
import {
  firstDirection,
  sortTenants,
  type TenantColumn,
  type TenantSort,
} from "../tenantList";
import { hrefWith } from "../router";
import { TenantStatus } from "./TenantStatus";

const useStyles = makeStyles({
  table: {
    tableLayout: "auto",
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
  noWrap: {
    whiteSpace: "nowrap",
  },
});

const COLUMNS: readonly { id: TenantColumn; label: string }[] = [
  { id: "name", label: "Name" },
  { id: "captures", label: "Captures" },
  { id: "lastCapture", label: "Last capture" },
  { id: "items", label: "Items" },
  { id: "status", label: "Status" },
];

function LastCapture(props: { at: string | null; now: number }) {
  const styles = useStyles();
  const ms = parseTimestamp(props.at);
  if (props.at === null || ms === null) return <Text className={styles.muted}>Never</Text>;
  return (
    <time dateTime={props.at} title={formatExact(ms)} className={styles.noWrap}>
      {formatRelative(ms, props.now)}
    </time>
  );
}

function TenantTableRow(props: { tenant: TenantRow; now: number }) {
  const styles = useStyles();
  const { tenant } = props;
  const captured = tenant.captureCount > 0;
  return (
    <TableRow data-testid="tenant-row">
      <TableCell>
        <TableCellLayout description={tenant.primaryDomain ?? undefined}>
          <Link href={hrefWith("tenants", tenant.id)} className={styles.name} data-testid="tenant-name">
            {tenant.name}
          </Link>
        </TableCellLayout>
      </TableCell>
      <TableCell className={styles.numeric}>{formatNumber(tenant.captureCount)}</TableCell>
      <TableCell>
        <LastCapture at={tenant.lastCaptureAt} now={props.now} />
      </TableCell>
      <TableCell className={captured ? styles.numeric : styles.muted}>
        {captured ? formatNumber(tenant.itemCount) : "None"}
      </TableCell>
      <TableCell>
        <TenantStatus tenant={tenant} />
      </TableCell>
    </TableRow>
  );
}

export function TenantTable(props: { tenants: readonly TenantRow[]; now: number }) {
  const styles = useStyles();
  const [sort, setSort] = useState<TenantSort>({ column: "name", direction: "ascending" });
  const rows = useMemo(() => sortTenants(props.tenants, sort), [props.tenants, sort]);

  const toggle = (column: TenantColumn) =>
    setSort((previous) =>
      previous.column === column
        ? {
            column,
            direction: previous.direction === "ascending" ? "descending" : "ascending",
          }
        : { column, direction: firstDirection(column) },
    );

  return (
    <Table sortable aria-label="Tenants" className={styles.table} data-testid="tenant-table">
      <TableHeader>
        <TableRow>
          {COLUMNS.map((column) => (
            <TableHeaderCell
              key={column.id}
              className={styles.noWrap}
              sortDirection={sort.column === column.id ? sort.direction : undefined}
              onClick={() => toggle(column.id)}
            >
              {column.label}
            </TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((tenant) => (
          <TenantTableRow key={tenant.id} tenant={tenant} now={props.now} />
        ))}
      </TableBody>
    </Table>
  );
}
