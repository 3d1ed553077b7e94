import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend, makeFinding } from "../../backend/fake";
import { FINDINGS, NOW, TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Findings } from "./Findings";

function backendWith(options: { fourEyes?: boolean; findings?: typeof FINDINGS } = {}) {
  return new FakeBackend({
    tenants: TENANTS,
    console: {
      findings: options.findings ?? FINDINGS,
      fourEyes: options.fourEyes ?? false,
      actor: "alice",
      now: () => NOW.getTime(),
    },
  });
}

async function titles(): Promise<string[]> {
  const cells = await screen.findAllByTestId("finding-title");
  return cells.map((c) => c.textContent ?? "");
}

function rowOf(title: string): HTMLElement {
  const cell = screen.getByText(title, { selector: "[data-testid=finding-title]" });
  const row = cell.closest<HTMLElement>("[data-testid=finding-row]");
  if (!row) throw new Error(`no row for ${title}`);
  return row;
}

async function chooseOption(user: ReturnType<typeof userEvent.setup>, testId: string, option: string) {
  await user.click(screen.getByTestId(testId));
  await user.click(await screen.findByRole("menuitemcheckbox", { name: option }));
  // Close the menu again.
  await user.keyboard("{Escape}");
}

beforeEach(() => {
  window.localStorage.clear();
});

describe("Findings", () => {
  it("lists the portfolio's findings, most severe first, with counts", async () => {
    renderWithBackend(<Findings />, backendWith());

    expect(await titles()).toEqual([
      "BitLocker required is off",
      "Password length below 14",
      "Firewall profile changed",
      "Policy name breaks the convention",
    ]);
    expect(screen.getByTestId("findings-count")).toHaveTextContent("4 of 4 findings");
    const row = within(rowOf("Password length below 14"));
    expect(row.getByText("High")).toBeInTheDocument();
    expect(row.getByText("Contoso")).toBeInTheDocument();
    expect(row.getByText("Win - Password · passwordMinimumLength")).toBeInTheDocument();
    expect(row.getByText("Open")).toBeInTheDocument();
    expect(row.getByText("2026-11-25")).toBeInTheDocument();
    expect(screen.getByRole("grid", { name: "Findings" })).toHaveAttribute("aria-rowcount", "5");
  });

  it("filters by search, severity, status, kind, tenant and due date, and remembers them", async () => {
    const user = userEvent.setup();
    const backend = backendWith();
    const { unmount } = renderWithBackend(<Findings />, backend);
    await titles();

    await user.type(screen.getByRole("searchbox", { name: "Search findings" }), "password");
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("1 of 4"));
    expect(await titles()).toEqual(["Password length below 14"]);
    await user.clear(screen.getByRole("searchbox", { name: "Search findings" }));
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("4 of 4"));

    await chooseOption(user, "filter-severity", "Critical");
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("1 of 4"));
    await chooseOption(user, "filter-severity", "Medium");
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("2 of 4"));
    expect(backend.console.queries.at(-1)?.severities).toEqual(["critical", "medium"]);

    await chooseOption(user, "filter-status", "Acknowledged");
    expect(await titles()).toEqual(["Firewall profile changed"]);
    // The filters survive leaving the page.
    unmount();
    renderWithBackend(<Findings />, backend);
    expect(await titles()).toEqual(["Firewall profile changed"]);
    await user.click(screen.getByRole("button", { name: "Reset filters" }));
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("4 of 4"));

    await chooseOption(user, "filter-kind", "Lint rule");
    expect(await titles()).toEqual(["Policy name breaks the convention"]);
    await user.click(screen.getByRole("button", { name: "Reset filters" }));

    await chooseOption(user, "filter-tenant", "Fabrikam");
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("2 of 4"));
    expect(backend.console.queries.at(-1)?.tenantIds).toEqual(["tenant-fabrikam"]);
    await user.click(screen.getByRole("button", { name: "Reset filters" }));

    await user.click(screen.getByTestId("filter-due"));
    await user.click(await screen.findByRole("menuitemradio", { name: "Overdue" }));
    expect(await titles()).toEqual(["BitLocker required is off"]);
  });

  it("moves with j and k, opens the details with Enter, and shows the history", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await titles();
    screen.getByRole("grid", { name: "Findings" }).focus();

    await user.keyboard("j");
    expect(rowOf("BitLocker required is off")).toHaveAttribute("data-active", "true");
    await user.keyboard("jj");
    expect(rowOf("Firewall profile changed")).toHaveAttribute("data-active", "true");
    await user.keyboard("k");
    expect(rowOf("Password length below 14")).toHaveAttribute("data-active", "true");

    await user.keyboard("{Enter}");
    const detail = await screen.findByTestId("finding-detail");
    expect(await within(detail).findByTestId("detail-title")).toHaveTextContent(
      "Password length below 14",
    );
    expect(within(detail).getByTestId("detail-expected")).toHaveTextContent("14");
    expect(within(detail).getByTestId("detail-actual")).toHaveTextContent("8");
    expect(within(detail).getAllByTestId("history-step")[0]).toHaveTextContent(
      "observed by review",
    );
    // The open pane follows the cursor.
    await user.keyboard("j");
    expect(await within(detail).findByText("Firewall profile changed")).toBeInTheDocument();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("finding-detail")).not.toBeInTheDocument();
  });

  it("words a setting and its values as the settings catalog does, ids on hover", async () => {
    const user = userEvent.setup();
    const id = "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction";
    const firewall = {
      ...makeFinding({
        id: "fw",
        tenant: "Contoso",
        title: "Default Outbound Action: Block instead of Allow (Win - Firewall)",
        settingPath: `vendor_msft_firewall_mdmstore_domainprofile/${id}`,
        expected: `"${id}_0"`,
        actual: `"${id}_1"`,
      }),
      setting: {
        label: "Default Outbound Action",
        description: "The action the firewall takes on outbound connections by default.",
        expected: "Allow",
        actual: "Block",
      },
    };
    renderWithBackend(<Findings />, backendWith({ findings: [firewall] }));
    await titles();
    screen.getByRole("grid", { name: "Findings" }).focus();
    await user.keyboard("j{Enter}");
    const detail = await screen.findByTestId("finding-detail");
    expect(await within(detail).findByTestId("detail-setting-label")).toHaveTextContent(
      "Default Outbound Action",
    );
    expect(within(detail).getByTestId("detail-setting-label")).toHaveAttribute(
      "title",
      expect.stringContaining("outbound connections"),
    );
    expect(within(detail).getByTestId("detail-expected")).toHaveTextContent("Allow");
    expect(within(detail).getByTestId("detail-actual")).toHaveTextContent("Block");
    expect(within(detail).getByTestId("detail-actual")).toHaveAttribute(
      "title",
      expect.stringContaining(`${id}_1`),
    );
  });

  it("shows the shortcuts with ?", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await titles();

    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    for (const key of ["j / ↓", "k / ↑", "Enter", "x", "a", "r", "e", "/", "Esc", "?"]) {
      expect(within(help).getByText(key)).toBeInTheDocument();
    }
    // Keys do not act on the table while the help is open.
    await user.keyboard("j");
    expect(document.querySelector("[data-active=true]")).toBeNull();
    await user.click(within(help).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByTestId("shortcut-help")).not.toBeInTheDocument());
  });

  it("acknowledges several findings at once and says which it could not", async () => {
    const user = userEvent.setup();
    const backend = backendWith();
    renderWithBackend(<Findings />, backend);
    await titles();

    await user.click(within(rowOf("BitLocker required is off")).getByRole("checkbox"));
    await user.click(within(rowOf("Firewall profile changed")).getByRole("checkbox"));
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("2 selected");
    await user.click(screen.getByTestId("bulk-acknowledge"));

    expect(await screen.findByTestId("findings-notice")).toHaveTextContent(
      "1 finding acknowledged; 1 finding not: cannot acknowledge a finding that is acknowledged",
    );
    await waitFor(() =>
      expect(within(rowOf("BitLocker required is off")).getByTestId("status")).toHaveTextContent(
        "Acknowledged",
      ),
    );
    expect(backend.console.decisions[0]).toMatchObject({
      ids: ["f-1", "f-3"],
      action: "acknowledge",
    });
    expect(screen.queryByTestId("bulk-bar")).not.toBeInTheDocument();
  });

  it("resolves the current finding with r", async () => {
    const user = userEvent.setup();
    const backend = backendWith();
    renderWithBackend(<Findings />, backend);
    await titles();
    screen.getByRole("grid").focus();
    await user.keyboard("jr");
    await waitFor(() =>
      expect(within(rowOf("BitLocker required is off")).getByTestId("status")).toHaveTextContent(
        "Resolved",
      ),
    );
    expect(backend.console.decisions[0]).toMatchObject({ ids: ["f-1"], action: "resolve" });
  });

  it("accepts a risk with a justification and an expiry, showing the accepted value", async () => {
    const user = userEvent.setup();
    const backend = backendWith();
    renderWithBackend(<Findings initialId="f-2" />, backend);
    const detail = await screen.findByTestId("finding-detail");
    await user.click(await within(detail).findByTestId("detail-accept_risk"));

    const dialog = await screen.findByTestId("risk-dialog");
    expect(await within(dialog).findByTestId("accepted-value")).toHaveTextContent("8");
    expect(within(dialog).queryByTestId("risk-approver")).not.toBeInTheDocument();
    const expiry = within(dialog).getByTestId("risk-expiry");
    expect((expiry as HTMLInputElement).value).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // Nothing is sent without a justification, nor without an expiry.
    await user.click(within(dialog).getByTestId("risk-submit"));
    expect(within(dialog).getByTestId("risk-problem")).toHaveTextContent("justification");
    await user.type(within(dialog).getByTestId("risk-justification"), "Legacy app needs 8");
    fireEvent.change(expiry, { target: { value: "" } });
    await user.click(within(dialog).getByTestId("risk-submit"));
    expect(within(dialog).getByTestId("risk-problem")).toHaveTextContent("expires");
    expect(backend.console.decisions).toHaveLength(0);

    fireEvent.change(expiry, { target: { value: "2099-03-31" } });
    await user.click(within(dialog).getByTestId("risk-submit"));

    await waitFor(() => expect(screen.queryByTestId("risk-dialog")).not.toBeInTheDocument());
    expect(backend.console.decisions[0]).toEqual({
      ids: ["f-2"],
      action: "accept_risk",
      reason: "Legacy app needs 8",
      expiresOn: "2099-03-31",
      approver: null,
    });
    await waitFor(() =>
      expect(within(rowOf("Password length below 14")).getByTestId("status")).toHaveTextContent(
        "Risk accepted",
      ),
    );
    const pane = screen.getByTestId("finding-detail");
    await waitFor(() =>
      expect(within(pane).getByTestId("detail-accepted-until")).toHaveTextContent("2099-03-31"),
    );
    expect(within(pane).getByTestId("acceptance")).toHaveTextContent("Legacy app needs 8");
    expect(within(pane).getAllByTestId("history-step").at(-1)).toHaveTextContent(
      "Open → Risk accepted",
    );
  });

  it("asks for a second person when four eyes are required", async () => {
    const user = userEvent.setup();
    const backend = backendWith({ fourEyes: true });
    renderWithBackend(<Findings initialId="f-1" />, backend);
    await user.click(await screen.findByTestId("detail-accept_risk"));
    const dialog = await screen.findByTestId("risk-dialog");
    const approver = await within(dialog).findByTestId("risk-approver");
    await user.type(within(dialog).getByTestId("risk-justification"), "Pilot devices only");

    await user.type(approver, "alice");
    await user.click(within(dialog).getByTestId("risk-submit"));
    expect(within(dialog).getByTestId("risk-problem")).toHaveTextContent("not alice");
    expect(backend.console.decisions).toHaveLength(0);

    await user.clear(approver);
    await user.type(approver, "bob");
    await user.click(within(dialog).getByTestId("risk-submit"));
    await waitFor(() => expect(backend.console.decisions).toHaveLength(1));
    expect(backend.console.decisions[0]?.approver).toBe("bob");
  });

  it("keeps 100,000 findings to a screenful of rows in the page", async () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      makeFinding({
        id: `m-${i}`,
        tenant: `Tenant ${i % 1000}`,
        severity: ["critical", "high", "medium", "low"][i % 4],
        title: `Finding ${i}`,
      }),
    );
    const backend = backendWith({ findings: many });
    renderWithBackend(<Findings />, backend);
    await waitFor(() =>
      expect(screen.getByTestId("findings-count")).toHaveTextContent("100,000 of 100,000"),
    );
    const rows = await screen.findAllByTestId("finding-row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(backend.console.queries.every((q) => q.limit <= 200)).toBe(true);

    // Scrolling far down asks for that window only.
    const grid = screen.getByRole("grid");
    act(() => {
      grid.scrollTop = 40 * 50_000;
      fireEvent.scroll(grid);
    });
    await waitFor(() =>
      expect(backend.console.queries.some((q) => q.offset === 49_800 || q.offset === 50_000)).toBe(
        true,
      ),
    );
    const shown = await screen.findAllByTestId("finding-row");
    expect(shown.length).toBeLessThan(100);
  }, 30_000);

  it("says what to do when there are no findings yet", async () => {
    renderWithBackend(<Findings />, backendWith({ findings: [] }));
    expect(await screen.findByTestId("findings-empty")).toHaveTextContent("Review now");
  });
});
