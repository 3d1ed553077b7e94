import { describe, expect, it } from "vitest";
import { makeTenant } from "./backend/fake";
import { filterTenants, sortTenants } from "./tenantList";
import { TENANTS } from "./test/fixtures";

const names = (rows: { name: string }[]) => rows.map((row) => row.name);
/** The fixture's full name from its first word. */
const full = (first: string) => TENANTS.find((row) => row.name.startsWith(first))?.name;

describe("filterTenants", () => {
  it("matches name or domain, ignoring case and surrounding spaces", () => {
    expect(names(filterTenants(TENANTS, "  ski "))).toEqual(["Alpine Ski House"]);
    expect(names(filterTenants(TENANTS, ".COM"))).toHaveLength(4);
    expect(names(filterTenants(TENANTS, "bank.com"))).toEqual(["Woodgrove Bank"]);
    expect(filterTenants(TENANTS, "")).toHaveLength(4);
  });

  it("does not match tenants without a domain on the domain", () => {
    const rows = [makeTenant({ name: "Nameless" })];
    expect(filterTenants(rows, "null")).toEqual([]);
  });
});

describe("sortTenants", () => {
  it("sorts names naturally, ignoring case", () => {
    const rows = ["tenant 10", "Tenant 9", "alpha"].map((name) => makeTenant({ name }));
    expect(names(sortTenants(rows, { column: "name", direction: "ascending" }))).toEqual([
      "alpha",
      "Tenant 9",
      "tenant 10",
    ]);
  });

  it("puts never-captured tenants last in both directions of item counts", () => {
    const ascending = sortTenants(TENANTS, { column: "items", direction: "ascending" });
    const descending = sortTenants(TENANTS, { column: "items", direction: "descending" });
    expect(names(ascending)).toEqual(["Fabrikam", "Woodgrove", "Alpine", "Contoso"].map(full));
    expect(names(descending)).toEqual(["Alpine", "Woodgrove", "Fabrikam", "Contoso"].map(full));
  });

  it("ranks failed captures above demo tenants by status", () => {
    const sorted = sortTenants(TENANTS, { column: "status", direction: "descending" });
    expect(names(sorted).slice(0, 2)).toEqual(["Fabrikam", "Alpine Ski House"]);
  });

  it("does not reorder its input", () => {
    const input = [...TENANTS];
    sortTenants(input, { column: "captures", direction: "descending" });
    expect(input).toEqual(TENANTS);
  });
});
