// Filtering and sorting of the Portfolio's tenant rows: pure functions, so the table
// component only holds state.

import type { TenantRow } from "./backend";
import { parseTimestamp } from "./format";

export type TenantColumn = "name" | "captures" | "lastCapture" | "items" | "status";
export type SortDirection = "ascending" | "descending";

export interface TenantSort {
  column: TenantColumn;
  direction: SortDirection;
}

/** Rows whose name or primary domain contains the query, ignoring case and spacing. */
export function filterTenants(rows: readonly TenantRow[], query: string): TenantRow[] {
  const needle = query.trim().toLocaleLowerCase();
  if (needle === "") return [...rows];
  return rows.filter(
    (row) =>
      row.name.toLocaleLowerCase().includes(needle) ||
      (row.primaryDomain?.toLocaleLowerCase().includes(needle) ?? false),
  );
}

const byName = (a: TenantRow, b: TenantRow) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true });

/** How much attention a tenant's status asks for: failed kinds first, then demo. */
function statusRank(row: TenantRow): number {
  return row.failedKinds.length * 2 + (row.isDemo ? 1 : 0);
}

/**
 * Sort key for a column. `null` means "no value" (never captured) and sorts last in both
 * directions, so the tenants that need a first capture never hide the latest ones.
 */
function sortKey(row: TenantRow, column: TenantColumn): number | null {
  switch (column) {
    case "captures":
      return row.captureCount;
    case "lastCapture":
      return parseTimestamp(row.lastCaptureAt);
    case "items":
      return row.captureCount === 0 ? null : row.itemCount;
    case "status":
      return statusRank(row);
    case "name":
      return 0;
  }
}

export function sortTenants(rows: readonly TenantRow[], sort: TenantSort): TenantRow[] {
  const factor = sort.direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort.column === "name") return factor * byName(a, b) || a.id.localeCompare(b.id);
    const keyA = sortKey(a, sort.column);
    const keyB = sortKey(b, sort.column);
    if (keyA === null || keyB === null) {
      if (keyA !== keyB) return keyA === null ? 1 : -1;
      return byName(a, b);
    }
    return factor * (keyA - keyB) || byName(a, b);
  });
}

/** The direction a column starts in when first clicked: numbers and dates biggest first. */
export function firstDirection(column: TenantColumn): SortDirection {
  return column === "name" ? "ascending" : "descending";
}
