import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type TenantRow } from "../../backend";
import { FakeBackend, makeFinding, makeTenant, type FakeBackendOptions } from "../../backend/fake";
import { NOW } from "../../test/fixtures";
import { ActivityProvider } from "../../jobs/activity";
import { renderWithBackend } from "../../test/render";
import { HEATMAP_PAGE, Portfolio } from "./Portfolio";
import { TABLE_PAGE } from "./PortfolioTable";

// Four tenants whose score order, name order, capture order and heatmap order differ.
const TENANTS: TenantRow[] = [
  makeTenant({
    name: "Alpine Ski House",
    primaryDomain: "alpineskihouse.com",
    tags: ["ski", "gold"],
    isDemo: true,
    captureCount: 12,
    lastCaptureAt: "2026-11-17T12:00:00Z", // 3 days before NOW
    itemCount: 1204,
  }),
  makeTenant({ name: "Contoso", primaryDomain: "contoso.com", tags: ["gold"] }), // never captured
  makeTenant({
    name: "Fabrikam",
    primaryDomain: "fabrikam.com",
    captureCount: 3,
    lastCaptureAt: "2026-11-20T09:00:00Z", // 3 hours before NOW
    itemCount: 87,
    failedKinds: ["settings_catalog", "conditional_access", "compliance_policy"],
  }),
  makeTenant({
    name: "Woodgrove Bank",
    primaryDomain: "woodgrovebank.com",
    captureCount: 2,
    lastCaptureAt: "2026-10-11T12:00:00Z", // 40 days before NOW
    itemCount: 96,
  }),
];

const score = (day: number, value: number | null) => ({
  at: `2026-11-${String(day).padStart(2, "0")}T00:00:00.000Z`,
  score: value,
  captureId: `c-${day}`,
});

const OPTIONS: FakeBackendOptions = {
  tenants: TENANTS,
  console: {
    now: () => NOW.getTime(),
    findings: [
      makeFinding({ id: "c1", tenant: "Contoso", severity: "critical" }),
      makeFinding({ id: "c2", tenant: "Contoso", severity: "high", dueAt: "2026-11-10T00:00:00.000Z" }),
      makeFinding({
        id: "c3",
        tenant: "Contoso",
        severity: "medium",
        status: "acknowledged",
        resourceKind: "compliance_policy",
      }),
      makeFinding({ id: "c4", tenant: "Contoso", severity: "low", status: "resolved" }),
      makeFinding({ id: "f1", tenant: "Fabrikam", severity: "high", resourceKind: "conditional_access" }),
      makeFinding({ id: "f2", tenant: "Fabrikam", severity: "medium", resourceKind: "compliance_policy" }),
      makeFinding({ id: "f3", tenant: "Fabrikam", severity: "medium", resourceKind: "compliance_policy" }),
      makeFinding({ id: "a1", tenant: "Alpine Ski House", severity: "low" }),
    ],
  },
  portfolio: {
    scores: {
      "tenant-alpine-ski-house": [score(1, 70), score(8, 80), score(15, 92.5)],
      "tenant-contoso": [score(1, 81.5), score(15, 74.25)],
      "tenant-fabrikam": [score(15, 55)],
    },
    assignments: {
      "tenant-alpine-ski-house": ["MSP Standard"],
      "tenant-contoso": ["MSP Standard", "Finance"],
      "tenant-fabrikam": ["Finance"],
    },
  },
};

function renderPortfolio(options: FakeBackendOptions = OPTIONS) {
  const backend = new FakeBackend(options);
  const { unmount } = renderWithBackend(<Portfolio />, backend);
  return { backend, unmount };
}

/** Tenant names in the order the table shows them, once rows have loaded. */
async function shownNames(): Promise<string[]> {
  const cells = await screen.findAllByTestId("tenant-name");
  return cells.map((cell) => cell.textContent ?? "");
}

function rowOf(name: string): HTMLElement {
  const cell = screen.getByText(name, { selector: "[data-testid=tenant-name]" });
  const row = cell.closest<HTMLElement>("[data-testid=tenant-row]");
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

function tableHeader(name: RegExp): HTMLElement {
  return within(screen.getByTestId("tenant-table")).getByRole("columnheader", { name });
}

function heatmapNames(): string[] {
  return screen.getAllByTestId("heatmap-tenant").map((link) => link.textContent ?? "");
}

beforeEach(() => {
  // Only Date is faked: relative ages are computed against NOW, timers stay real.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  window.localStorage.clear();
  window.location.hash = "";
});

afterEach(() => {
  vi.useRealTimers();
});

describe("Portfolio", () => {
  it("lists every tenant worst score first, with score, trend, open findings, capture and baselines", async () => {
    renderPortfolio();
    expect(await shownNames()).toEqual([
      "Fabrikam",
      "Contoso",
      "Alpine Ski House",
      "Woodgrove Bank",
    ]);
    expect(screen.getByTestId("tenant-count")).toHaveTextContent(/^4 tenants$/);

    const contoso = within(rowOf("Contoso"));
    expect(contoso.getByTestId("score")).toHaveTextContent(/^74\.3/);
    expect(contoso.getByTestId("score")).toHaveAttribute("data-band", "fair");
    expect(contoso.getByRole("img", { name: /from 81\.5 to 74\.3, down 7\.3/ })).toBeInTheDocument();
    expect(contoso.getByTestId("open-critical")).toHaveTextContent("1 critical");
    expect(contoso.getByTestId("open-high")).toHaveTextContent("1 high");
    expect(contoso.getByTestId("open-medium")).toHaveTextContent("1 medium");
    expect(contoso.queryByTestId("open-low")).not.toBeInTheDocument();
    expect(contoso.getByTestId("overdue")).toHaveTextContent("1 overdue");
    expect(contoso.getByTestId("stale")).toHaveTextContent("Never captured");
    expect(contoso.getByTestId("baselines")).toHaveTextContent("Finance, MSP Standard");
    expect(contoso.getByText("contoso.com")).toBeInTheDocument();
    expect(contoso.getByText("gold")).toBeInTheDocument();

    const alpine = within(rowOf("Alpine Ski House"));
    expect(alpine.getByTestId("score")).toHaveAttribute("data-band", "good");
    expect(alpine.getByText("Demo")).toBeInTheDocument();
    const age = alpine.getByText("3 days ago");
    expect(age).toHaveAttribute("datetime", "2026-11-17T12:00:00Z");
    expect(alpine.queryByTestId("stale")).not.toBeInTheDocument();
    expect(alpine.getByTestId("open-low")).toHaveTextContent("1 low");

    const fabrikam = within(rowOf("Fabrikam"));
    expect(fabrikam.getByTestId("score")).toHaveAttribute("data-band", "poor");
    expect(fabrikam.getByRole("img", { name: "Score 55.0 after one review" })).toBeInTheDocument();
    expect(fabrikam.getByTestId("failed-kinds")).toHaveTextContent(
      "Failed: compliance_policy, conditional_access +1 more",
    );

    const woodgrove = within(rowOf("Woodgrove Bank"));
    expect(woodgrove.getByText("Not reviewed")).toBeInTheDocument();
    expect(woodgrove.getByText("No reviews")).toBeInTheDocument();
    expect(woodgrove.getByTestId("stale")).toHaveTextContent(/month/);
    expect(woodgrove.getAllByText("None")).toHaveLength(2); // no findings, no baselines
  });

  it("summarises the portfolio", async () => {
    renderPortfolio();
    await shownNames();
    expect(screen.getByTestId("summary-tenants-value")).toHaveTextContent("4");
    // (92.5 + 74.25 + 55) / 3 = 73.92
    expect(screen.getByTestId("summary-score-value")).toHaveTextContent("73.9");
    expect(screen.getByTestId("summary-score")).toHaveTextContent("of 3 reviewed tenants");
    expect(screen.getByTestId("summary-critical-high-value")).toHaveTextContent("1 / 2");
    expect(screen.getByTestId("summary-critical-high")).toHaveTextContent("1 open finding overdue");
    expect(screen.getByTestId("summary-stale-value")).toHaveTextContent("2");
  });

  it("draws the score distribution and the heatmap from the same numbers", async () => {
    renderPortfolio();
    await shownNames();
    const bars = screen.getAllByTestId("histogram-bar").map((b) => Number(b.getAttribute("data-count")));
    expect(bars).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
    expect(screen.getByRole("img", { name: /Score distribution of 3 tenants: 50–59: 1, 70–79: 1, 90–100: 1/ })).toBeInTheDocument();
    expect(screen.getByTestId("histogram-unscored")).toHaveTextContent("1 tenant not reviewed yet");

    // Categories in the kind registry's order; rows worst first.
    expect(screen.getAllByTestId("heatmap-column").map((c) => c.textContent)).toEqual([
      "Settings catalog",
      "Compliance policy",
      "Conditional Access policy",
    ]);
    expect(heatmapNames()).toEqual(["Contoso", "Fabrikam", "Alpine Ski House", "Woodgrove Bank"]);
    const cells = (row: number) =>
      within(screen.getAllByTestId("heatmap-row")[row])
        .getAllByTestId("heatmap-cell")
        .map((c) => c.getAttribute("title"));
    expect(cells(0)).toEqual([
      "Contoso, Settings catalog: 2 open findings (1 critical, 1 high)",
      "Contoso, Compliance policy: 1 open finding (1 medium)",
      "Contoso, Conditional Access policy: no open findings",
    ]);
    expect(cells(1)).toEqual([
      "Fabrikam, Settings catalog: no open findings",
      "Fabrikam, Compliance policy: 2 open findings (2 medium)",
      "Fabrikam, Conditional Access policy: 1 open finding (1 high)",
    ]);
  });

  it("sorts by each column and says so on the header", async () => {
    const user = userEvent.setup();
    renderPortfolio();
    await shownNames();
    const header = tableHeader;
    expect(header(/Score/)).toHaveAttribute("aria-sort", "ascending");

    await user.click(within(header(/Tenant/)).getByRole("button"));
    expect(await shownNames()).toEqual(["Alpine Ski House", "Contoso", "Fabrikam", "Woodgrove Bank"]);
    await user.click(within(header(/Tenant/)).getByRole("button"));
    expect(header(/Tenant/)).toHaveAttribute("aria-sort", "descending");
    expect(await shownNames()).toEqual(["Woodgrove Bank", "Fabrikam", "Contoso", "Alpine Ski House"]);

    await user.click(within(header(/Open findings/)).getByRole("button"));
    expect(header(/Open findings/)).toHaveAttribute("aria-sort", "descending");
    expect(await shownNames()).toEqual(["Contoso", "Fabrikam", "Alpine Ski House", "Woodgrove Bank"]);

    await user.click(within(header(/Last capture/)).getByRole("button"));
    expect(await shownNames()).toEqual(["Contoso", "Woodgrove Bank", "Alpine Ski House", "Fabrikam"]);

    await user.click(within(header(/Trend/)).getByRole("button"));
    // Contoso fell 7.25, Alpine rose 22.5; one-review and unreviewed tenants last.
    expect(await shownNames()).toEqual(["Contoso", "Alpine Ski House", "Fabrikam", "Woodgrove Bank"]);
    expect(within(header(/Baselines/)).queryByRole("button")).not.toBeInTheDocument();
  });

  it("searches by name, domain or tag", async () => {
    const user = userEvent.setup();
    renderPortfolio();
    await shownNames();
    const search = screen.getByRole("searchbox", { name: "Search tenants" });

    await user.type(search, "WOOD");
    expect(await shownNames()).toEqual(["Woodgrove Bank"]);
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("1 of 4 tenants");
    expect(heatmapNames()).toEqual(["Woodgrove Bank"]);
    expect(screen.getByTestId("summary-tenants")).toHaveTextContent("of 4 tenants (filtered)");

    await user.clear(search);
    await user.type(search, "fabrikam.com");
    expect(await shownNames()).toEqual(["Fabrikam"]);

    await user.clear(search);
    await user.type(search, "gold");
    expect(await shownNames()).toEqual(["Contoso", "Alpine Ski House"]);

    await user.clear(search);
    await user.type(search, "nothing-like-this");
    expect(screen.queryAllByTestId("tenant-row")).toHaveLength(0);
    expect(screen.getByTestId("no-matches")).toHaveTextContent("No tenant matches");
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("0 of 4 tenants");
    await user.click(within(screen.getByTestId("no-matches")).getByRole("button", { name: "Clear filters" }));
    expect(await shownNames()).toHaveLength(4);
    expect(search).toHaveValue("");
  });

  it("filters by open critical or high, stale captures, demo data and baseline", async () => {
    const user = userEvent.setup();
    renderPortfolio();
    await shownNames();

    await user.click(screen.getByRole("checkbox", { name: "Open critical or high" }));
    expect(await shownNames()).toEqual(["Fabrikam", "Contoso"]);
    expect(screen.getByTestId("summary-critical-high-value")).toHaveTextContent("1 / 2");

    await user.click(screen.getByRole("checkbox", { name: "No capture in 7 days" }));
    expect(await shownNames()).toEqual(["Contoso"]);
    await user.click(screen.getByRole("checkbox", { name: "Open critical or high" }));
    expect(await shownNames()).toEqual(["Contoso", "Woodgrove Bank"]);
    expect(screen.getByTestId("summary-stale-value")).toHaveTextContent("2");
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(await shownNames()).toHaveLength(4);

    await user.click(screen.getByRole("combobox", { name: /^Tenants/ }));
    await user.click(screen.getByRole("option", { name: "Demo only" }));
    expect(await shownNames()).toEqual(["Alpine Ski House"]);
    await user.click(screen.getByRole("combobox", { name: /^Tenants/ }));
    await user.click(screen.getByRole("option", { name: "Real only" }));
    expect(await shownNames()).toEqual(["Fabrikam", "Contoso", "Woodgrove Bank"]);
    await user.click(screen.getByRole("combobox", { name: /^Tenants/ }));
    await user.click(screen.getByRole("option", { name: "Demo and real" }));

    await user.click(screen.getByRole("combobox", { name: /^Baseline/ }));
    await user.click(screen.getByRole("option", { name: "Finance" }));
    expect(await shownNames()).toEqual(["Fabrikam", "Contoso"]);
    await user.click(screen.getByRole("combobox", { name: /^Baseline/ }));
    await user.click(screen.getByRole("option", { name: "No baseline" }));
    expect(await shownNames()).toEqual(["Woodgrove Bank"]);
  });

  it("remembers the sort and filters for the next visit", async () => {
    const user = userEvent.setup();
    const first = renderPortfolio();
    await shownNames();
    await user.click(screen.getByRole("checkbox", { name: "No capture in 7 days" }));
    await user.click(within(tableHeader(/Tenant/)).getByRole("button"));
    expect(await shownNames()).toEqual(["Contoso", "Woodgrove Bank"]);
    expect(first.backend.calls.portfolioOverview).toBe(1);
    first.unmount();

    renderPortfolio();
    expect(await shownNames()).toEqual(["Contoso", "Woodgrove Bank"]);
    expect(screen.getByRole("checkbox", { name: "No capture in 7 days" })).toBeChecked();
    expect(tableHeader(/Tenant/)).toHaveAttribute("aria-sort", "ascending");
  });

  it("opens a tenant from its row, its name or its heatmap row", async () => {
    const user = userEvent.setup();
    renderPortfolio();
    await shownNames();
    await user.click(within(rowOf("Contoso")).getByTestId("score"));
    expect(window.location.hash).toBe("#/tenants/tenant-contoso");

    expect(within(rowOf("Fabrikam")).getByTestId("tenant-name")).toHaveAttribute(
      "href",
      "#/tenants/tenant-fabrikam",
    );

    const heatmapRow = screen.getAllByTestId("heatmap-row")[1];
    await user.click(within(heatmapRow).getAllByTestId("heatmap-cell")[0]);
    expect(window.location.hash).toBe("#/tenants/tenant-fabrikam");
  });

  it("keeps a thousand tenants to a page of table rows and heatmap rows", async () => {
    const user = userEvent.setup();
    const tenants = Array.from({ length: 1000 }, (_, i) =>
      makeTenant({
        name: `Tenant ${String(i).padStart(4, "0")}`,
        captureCount: 1,
        lastCaptureAt: "2026-11-19T00:00:00Z",
      }),
    );
    renderPortfolio({
      tenants,
      console: {
        now: () => NOW.getTime(),
        findings: tenants.slice(0, 60).map((t, i) =>
          makeFinding({ id: `f-${i}`, tenant: t.name, severity: i < 5 ? "critical" : "low" }),
        ),
      },
      portfolio: {
        scores: Object.fromEntries(tenants.map((t, i) => [t.id, [score(15, i % 101)]])),
      },
    });
    await waitFor(() => expect(screen.getAllByTestId("tenant-row")).toHaveLength(TABLE_PAGE));
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("1,000 tenants");
    expect(screen.getByTestId("table-shown")).toHaveTextContent("Showing 100 of 1,000 tenants");
    expect(screen.getAllByTestId("heatmap-row")).toHaveLength(HEATMAP_PAGE);
    expect(heatmapNames().slice(0, 5)).toEqual([
      "Tenant 0000",
      "Tenant 0001",
      "Tenant 0002",
      "Tenant 0003",
      "Tenant 0004",
    ]);
    // Scores 0 to 100 over and over: ten-point buckets, 100 joining 90–99.
    const bars = screen.getAllByTestId("histogram-bar").map((b) => Number(b.getAttribute("data-count")));
    const expected = Array.from({ length: 10 }, (_, bucket) =>
      tenants.filter((_, i) => Math.min(9, Math.floor((i % 101) / 10)) === bucket).length,
    );
    expect(bars).toEqual(expected);
    expect(expected[0]).toBe(100);

    await user.click(screen.getByTestId("heatmap-more"));
    expect(screen.getAllByTestId("heatmap-row")).toHaveLength(2 * HEATMAP_PAGE);
    await user.click(screen.getByTestId("table-more"));
    expect(screen.getAllByTestId("tenant-row")).toHaveLength(2 * TABLE_PAGE);
  });

  it("shows the demo banner for demo data and none for a real database", async () => {
    const demo = renderPortfolio({ ...OPTIONS, appInfo: { isDemoData: true } });
    const banner = await screen.findByTestId("demo-banner");
    expect(banner).toHaveTextContent("OpenIntuneBaseline");
    expect(banner).toHaveTextContent("plumbline import --tenant NAME DIR");
    demo.unmount();

    renderPortfolio({ ...OPTIONS, appInfo: { isDemoData: false } });
    await shownNames();
    expect(screen.queryByTestId("demo-banner")).not.toBeInTheDocument();
  });

  it("says what to do before any review: no scores and no open findings yet", async () => {
    renderPortfolio({ tenants: TENANTS });
    await shownNames();
    expect(screen.getByTestId("histogram-empty")).toHaveTextContent("plumbline review");
    expect(screen.getByTestId("heatmap-empty")).toHaveTextContent("No open findings");
    expect(screen.getByTestId("summary-score-value")).toHaveTextContent("—");
  });

  it("explains how to import when there are no tenants", async () => {
    renderPortfolio({ tenants: [] });
    const empty = await screen.findByTestId("portfolio-empty");
    expect(empty).toHaveTextContent("No tenants yet");
    expect(empty).toHaveTextContent("plumbline import --tenant NAME DIR");
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();
    expect(screen.queryByTestId("portfolio-summary")).not.toBeInTheDocument();
  });

  it("shows a spinner until the portfolio arrives", async () => {
    renderPortfolio({ ...OPTIONS, latencyMs: 50 });
    expect(screen.getByText("Loading tenants…")).toBeInTheDocument();
    expect(await screen.findByTestId("tenant-table")).toBeInTheDocument();
    expect(screen.queryByText("Loading tenants…")).not.toBeInTheDocument();
  });

  it("shows the backend's error and loads again on Retry", async () => {
    const user = userEvent.setup();
    const { backend } = renderPortfolio({
      ...OPTIONS,
      failures: {
        portfolioOverview: new BackendError("database", "The database is locked by another process."),
      },
    });
    const error = await screen.findByTestId("portfolio-error");
    expect(error).toHaveTextContent("The database is locked by another process.");
    expect(error).toHaveTextContent("database");
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();

    backend.fail("portfolioOverview", null);
    await user.click(within(error).getByRole("button", { name: "Retry" }));
    expect(await shownNames()).toHaveLength(4);
    expect(backend.calls.portfolioOverview).toBe(2);
    expect(screen.queryByTestId("portfolio-error")).not.toBeInTheDocument();
  });

  it("loads again, keeping what it shows, when background work ends", async () => {
    const backend = new FakeBackend({ ...OPTIONS, jobPolls: 0 });
    renderWithBackend(
      <ActivityProvider jobsRunningMs={20} jobsIdleMs={20} alertsMs={60_000}>
        <Portfolio />
      </ActivityProvider>,
      backend,
    );
    expect(await shownNames()).toHaveLength(4);
    const before = backend.calls.portfolioOverview;
    await backend.startReview(null);
    await waitFor(() => expect(backend.calls.portfolioOverview).toBeGreaterThan(before));
    expect(screen.queryByText("Loading tenants…")).not.toBeInTheDocument();
    expect(await shownNames()).toHaveLength(4);
  });
});
