import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { SeverityCounts } from "../backend";
import { cellLabel, cellTone, Heatmap, type HeatmapRow } from "./Heatmap";

const counts = (critical: number, high: number, medium: number, low: number): SeverityCounts => ({
  critical,
  high,
  medium,
  low,
});

const COLUMNS = [
  { key: "settings_catalog", label: "Settings catalog" },
  { key: "compliance_policy", label: "Compliance policy" },
];

function rows(n: number): HeatmapRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t-${i}`,
    label: `Tenant ${i}`,
    href: `#/tenants/t-${i}`,
    cells: new Map(i === 0 ? [["settings_catalog", counts(1, 2, 0, 0)]] : [["compliance_policy", counts(0, 0, 0, i)]]),
  }));
}

function renderHeatmap(n: number, onOpen = vi.fn(), pageSize = 3) {
  render(
    <FluentProvider theme={webLightTheme}>
      <Heatmap columns={COLUMNS} rows={rows(n)} label="Open findings" pageSize={pageSize} onOpen={onOpen} />
    </FluentProvider>,
  );
  return onOpen;
}

describe("Heatmap", () => {
  it("colours a cell by its most severe finding and shades it by how many", () => {
    expect(cellTone(undefined)).toEqual({ severity: null, level: 0 });
    expect(cellTone(counts(0, 0, 0, 0))).toEqual({ severity: null, level: 0 });
    expect(cellTone(counts(0, 0, 1, 1))).toEqual({ severity: "medium", level: 1 });
    expect(cellTone(counts(1, 0, 0, 2))).toEqual({ severity: "critical", level: 2 });
    expect(cellTone(counts(0, 0, 0, 9))).toEqual({ severity: "low", level: 2 });
    expect(cellTone(counts(0, 4, 6, 0))).toEqual({ severity: "high", level: 3 });
  });

  it("says each cell in words", () => {
    expect(cellLabel("Contoso", "Settings catalog", counts(1, 2, 0, 0))).toBe(
      "Contoso, Settings catalog: 3 open findings (1 critical, 2 high)",
    );
    expect(cellLabel("Contoso", "Settings catalog", counts(0, 0, 0, 1))).toBe(
      "Contoso, Settings catalog: 1 open finding (1 low)",
    );
    expect(cellLabel("Contoso", "Compliance policy", undefined)).toBe(
      "Contoso, Compliance policy: no open findings",
    );
  });

  it("is a table with a row per tenant and a cell per category", () => {
    renderHeatmap(2);
    const table = screen.getByRole("table", { name: "Open findings" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Tenant",
      "Settings catalog",
      "Compliance policy",
    ]);
    const [first, second] = screen.getAllByTestId("heatmap-row");
    const cells = within(first).getAllByTestId("heatmap-cell");
    expect(cells.map((c) => [c.getAttribute("data-severity"), c.getAttribute("data-level"), c.textContent])).toEqual([
      ["critical", "2", "3Tenant 0, Settings catalog: 3 open findings (1 critical, 2 high)"],
      ["none", "0", "Tenant 0, Compliance policy: no open findings"],
    ]);
    expect(cells[0]).toHaveAttribute("title", "Tenant 0, Settings catalog: 3 open findings (1 critical, 2 high)");
    expect(within(second).getByRole("rowheader")).toHaveTextContent("Tenant 1");
    expect(within(second).getByRole("link", { name: "Tenant 1" })).toHaveAttribute(
      "href",
      "#/tenants/t-1",
    );
  });

  it("renders a page of rows and more on request", async () => {
    const user = userEvent.setup();
    renderHeatmap(7);
    expect(screen.getAllByTestId("heatmap-row")).toHaveLength(3);
    expect(screen.getByTestId("heatmap-shown")).toHaveTextContent("Showing the worst 3 of 7 tenants");
    await user.click(screen.getByRole("button", { name: "Show 3 more" }));
    expect(screen.getAllByTestId("heatmap-row")).toHaveLength(6);
    await user.click(screen.getByRole("button", { name: "Show 1 more" }));
    expect(screen.getAllByTestId("heatmap-row")).toHaveLength(7);
    expect(screen.queryByTestId("heatmap-more")).not.toBeInTheDocument();
  });

  it("opens the tenant when its row is clicked", async () => {
    const user = userEvent.setup();
    const onOpen = renderHeatmap(2);
    const second = screen.getAllByTestId("heatmap-row")[1];
    await user.click(within(second).getAllByTestId("heatmap-cell")[1]);
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onOpen.mock.calls[0]?.[0]).toMatchObject({ id: "t-1" });
  });
});
