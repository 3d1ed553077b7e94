import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend";
import { FakeBackend } from "../backend/fake";
import { NOW, TENANTS } from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { Portfolio } from "./Portfolio";

function renderPortfolio(backend: FakeBackend) {
  return renderWithBackend(<Portfolio />, backend);
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

beforeEach(() => {
  // Only Date is faked: relative ages are computed against NOW, timers stay real.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("Portfolio", () => {
  it("lists every tenant from the backend, sorted by name, with its details", async () => {
    renderPortfolio(new FakeBackend({ tenants: TENANTS }));

    expect(await shownNames()).toEqual([
      "Alpine Ski House",
      "Contoso",
      "Fabrikam",
      "Woodgrove Bank",
    ]);
    expect(screen.getAllByTestId("tenant-row")).toHaveLength(4);
    expect(screen.getByTestId("tenant-table")).toBeInTheDocument();
    expect(screen.getByTestId("tenant-count")).toHaveTextContent(/^4 tenants$/);

    const alpine = within(rowOf("Alpine Ski House"));
    expect(alpine.getByText("alpineskihouse.com")).toBeInTheDocument();
    expect(alpine.getByText("12")).toBeInTheDocument();
    expect(alpine.getByText("1,204")).toBeInTheDocument();
    expect(alpine.getByText("Demo")).toBeInTheDocument();
    const age = alpine.getByText("3 days ago");
    expect(age).toHaveAttribute("datetime", "2026-11-17T12:00:00Z");
    expect(age.getAttribute("title")).toMatch(/2026/);

    const contoso = within(rowOf("Contoso"));
    expect(contoso.getByText("Never")).toBeInTheDocument();
    expect(contoso.getByText("Not captured yet")).toBeInTheDocument();
    expect(contoso.queryByText("Demo")).not.toBeInTheDocument();

    const fabrikam = within(rowOf("Fabrikam"));
    expect(fabrikam.getByText("3 hours ago")).toBeInTheDocument();
    expect(fabrikam.getByTestId("failed-kinds")).toHaveTextContent(
      "Failed: settings_catalog, conditional_access_policy +1 more",
    );
    expect(fabrikam.getByTestId("failed-kinds")).toHaveAttribute(
      "title",
      expect.stringContaining("compliance_policy"),
    );
  });

  it("says the count in the singular for one tenant", async () => {
    renderPortfolio(new FakeBackend({ tenants: TENANTS.slice(0, 1) }));
    expect(await screen.findByTestId("tenant-count")).toHaveTextContent(/^1 tenant$/);
  });

  it("shows a spinner until the tenants arrive", async () => {
    renderPortfolio(new FakeBackend({ tenants: TENANTS, latencyMs: 50 }));

    expect(screen.getByText("Loading tenants…")).toBeInTheDocument();
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();
    expect(await screen.findByTestId("tenant-table")).toBeInTheDocument();
    expect(screen.queryByText("Loading tenants…")).not.toBeInTheDocument();
  });

  it("shows the demo banner when the database holds demo data", async () => {
    renderPortfolio(new FakeBackend({ tenants: TENANTS, appInfo: { isDemoData: true } }));

    const banner = await screen.findByTestId("demo-banner");
    expect(banner).toHaveTextContent("OpenIntuneBaseline");
    expect(banner).toHaveTextContent("plumbline import --tenant NAME DIR");
  });

  it("shows no demo banner for a real database", async () => {
    renderPortfolio(new FakeBackend({ tenants: TENANTS, appInfo: { isDemoData: false } }));

    await screen.findByTestId("tenant-table");
    expect(screen.queryByTestId("demo-banner")).not.toBeInTheDocument();
  });

  it("explains how to import when there are no tenants", async () => {
    renderPortfolio(new FakeBackend({ tenants: [] }));

    const empty = await screen.findByTestId("portfolio-empty");
    expect(empty).toHaveTextContent("No tenants yet");
    expect(empty).toHaveTextContent("plumbline import --tenant NAME DIR");
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();
  });

  it("filters rows by name or domain as the user types", async () => {
    const user = userEvent.setup();
    renderPortfolio(new FakeBackend({ tenants: TENANTS }));
    await shownNames();
    const search = screen.getByRole("searchbox", { name: "Search tenants" });

    await user.type(search, "WOOD");
    expect(await shownNames()).toEqual(["Woodgrove Bank"]);
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("1 of 4 tenants");

    await user.clear(search);
    await user.type(search, "fabrikam.com");
    expect(await shownNames()).toEqual(["Fabrikam"]);

    await user.clear(search);
    await user.type(search, "nothing-like-this");
    expect(screen.queryAllByTestId("tenant-row")).toHaveLength(0);
    expect(screen.getByTestId("no-matches")).toHaveTextContent("nothing-like-this");
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("0 of 4 tenants");

    await user.clear(search);
    expect(await shownNames()).toHaveLength(4);
    expect(screen.getByTestId("tenant-count")).toHaveTextContent(/^4 tenants$/);
  });

  it("sorts by last capture, newest first, then oldest first, never-captured last", async () => {
    const user = userEvent.setup();
    renderPortfolio(new FakeBackend({ tenants: TENANTS }));
    await shownNames();
    const header = screen.getByRole("columnheader", { name: /Last capture/ });

    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(await shownNames()).toEqual([
      "Fabrikam",
      "Alpine Ski House",
      "Woodgrove Bank",
      "Contoso",
    ]);

    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(await shownNames()).toEqual([
      "Woodgrove Bank",
      "Alpine Ski House",
      "Fabrikam",
      "Contoso",
    ]);
  });

  it("sorts by name descending on a second click of Name", async () => {
    const user = userEvent.setup();
    renderPortfolio(new FakeBackend({ tenants: TENANTS }));
    await shownNames();
    const header = screen.getByRole("columnheader", { name: /Name/ });
    expect(header).toHaveAttribute("aria-sort", "ascending");

    await user.click(within(header).getByRole("button"));
    expect(await shownNames()).toEqual([
      "Woodgrove Bank",
      "Fabrikam",
      "Contoso",
      "Alpine Ski House",
    ]);
  });

  it("shows the backend's error and loads again on Retry", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      tenants: TENANTS,
      failures: {
        listTenants: new BackendError("database", "The database is locked by another process."),
      },
    });
    renderPortfolio(backend);

    const error = await screen.findByTestId("portfolio-error");
    expect(error).toHaveTextContent("The database is locked by another process.");
    expect(error).toHaveTextContent("database");
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();
    expect(backend.calls.listTenants).toBe(1);

    backend.fail("listTenants", null);
    await user.click(within(error).getByRole("button", { name: "Retry" }));

    expect(await shownNames()).toHaveLength(4);
    expect(backend.calls.listTenants).toBe(2);
    expect(screen.queryByTestId("portfolio-error")).not.toBeInTheDocument();
  });

  it("keeps showing the error when Retry fails again", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      failures: { appInfo: new BackendError("io", "Cannot read the app folder.") },
    });
    renderPortfolio(backend);

    await user.click(await screen.findByRole("button", { name: "Retry" }));
    await waitFor(() => expect(backend.calls.appInfo).toBe(2));
    expect(await screen.findByTestId("portfolio-error")).toHaveTextContent(
      "Cannot read the app folder.",
    );
  });
});
