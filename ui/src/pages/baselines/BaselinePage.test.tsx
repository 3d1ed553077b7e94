import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { BASELINES, PUBLISHED_ONLY } from "../../test/baselineFixtures";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { BaselinePage } from "./BaselinePage";

const ID = "baseline-msp-standard";

function setup(baselines = BASELINES) {
  const user = userEvent.setup();
  const backend = new FakeBackend({ tenants: TENANTS, baselines });
  renderWithBackend(<BaselinePage baselineId={ID} />, backend);
  return { user, backend };
}

async function openItem(user: ReturnType<typeof userEvent.setup>, name: string) {
  const table = await screen.findByTestId("items-table");
  await user.click(within(table).getByRole("button", { name }));
  return screen.findByTestId("item-settings");
}

function settingRow(path: string): HTMLElement {
  const row = screen
    .getAllByTestId("setting-row")
    .find((r) => r.getAttribute("data-path") === path);
  if (!row) throw new Error(`no setting row ${path}`);
  return row;
}

describe("Baseline page", () => {
  it("shows the versions and opens the draft's items and an item's settings by label", async () => {
    const { user } = setup();
    expect(await screen.findByRole("heading", { level: 1, name: "MSP Standard" })).toBeInTheDocument();
    const versions = await screen.findAllByTestId("version-row");
    expect(versions.map((v) => within(v).getByTestId("version-status").textContent)).toEqual([
      "Draft",
      "Published",
      "Retired",
    ]);
    expect(versions[1]).toHaveTextContent("by bob");
    // The draft is shown first: it is what one edits.
    expect(versions[0]).toHaveAttribute("aria-current", "true");
    expect(screen.queryByTestId("read-only-notice")).not.toBeInTheDocument();

    const items = await screen.findAllByTestId("item-row");
    expect(items.map((r) => within(r).getByTestId("item-kind").textContent)).toEqual([
      "compliance_policy",
      "settings_catalog",
    ]);
    expect(within(items[0]).getByTestId("item-rules")).toHaveTextContent("2");

    const settings = await openItem(user, "Win - Password");
    expect(settings).toHaveTextContent("compliance_policy · v3 (draft) · 3 settings");
    const length = settingRow("passwordMinimumLength");
    expect(length).toHaveTextContent("Password minimum length");
    expect(within(length).getByTestId("setting-rule")).toHaveTextContent("At least 14");
    expect(length).toHaveTextContent("High set by the rule");
    expect(within(settingRow("timeZone")).getByTestId("setting-rule")).toHaveTextContent(
      "Tenant value: timezone",
    );
    expect(within(settingRow("passwordRequired")).getByTestId("setting-rule")).toHaveTextContent(
      "Exact (default)",
    );

    await openItem(user, "Win - Defender");
    const defender = settingRow("device_vendor_msft_policy_config_defender_allowrealtimemonitoring");
    expect(defender).toHaveTextContent("Defender: Allow realtime monitoring");
    expect(defender).toHaveTextContent("Critical built-in high-risk setting");
  });

  it("edits a rule in the draft, saying what to fix before it saves", async () => {
    const { user, backend } = setup();
    await openItem(user, "Win - Password");
    await user.click(screen.getByRole("button", { name: "Edit the rule of Password required" }));
    const dialog = await screen.findByTestId("rule-dialog");
    expect(dialog).toHaveTextContent("baseline value true");

    await user.selectOptions(within(dialog).getByTestId("rule-kind"), "At least");
    await user.click(within(dialog).getByTestId("rule-save"));
    expect(dialog).toHaveTextContent("Enter the smallest compliant number, for example 14.");
    await user.type(within(dialog).getByTestId("rule-number"), "twelve");
    await user.click(within(dialog).getByTestId("rule-save"));
    expect(dialog).toHaveTextContent('"twelve" is not a number');

    await user.selectOptions(within(dialog).getByTestId("rule-kind"), "One of");
    await user.click(within(dialog).getByTestId("rule-save"));
    expect(dialog).toHaveTextContent("Enter at least one compliant value");
    expect(backend.baselines.ruleRequests).toEqual([]);

    await user.type(within(dialog).getByTestId("rule-values"), "true{Enter}\"yes\"");
    await user.selectOptions(within(dialog).getByTestId("rule-severity"), "Critical");
    await user.click(within(dialog).getByTestId("rule-save"));
    await waitFor(() => expect(screen.queryByTestId("rule-dialog")).not.toBeInTheDocument());
    expect(backend.baselines.ruleRequests).toEqual([
      {
        itemId: expect.any(String) as unknown,
        path: "passwordRequired",
        rule: { kind: "one_of", values: ["true", "\"yes\""], number: null, variable: null, severity: "critical" },
      },
    ]);
    const row = settingRow("passwordRequired");
    expect(within(row).getByTestId("setting-rule")).toHaveTextContent('One of: true, "yes"');
    expect(row).toHaveTextContent("Critical set by the rule");
    // The item's rule count follows.
    expect(within(screen.getAllByTestId("item-row")[0]).getByTestId("item-rules")).toHaveTextContent("3");

    // Remove it again, and change the item's default severity.
    await user.click(await screen.findByRole("button", { name: "Remove the rule of Password required" }));
    await waitFor(() =>
      expect(within(settingRow("passwordRequired")).getByTestId("setting-rule")).toHaveTextContent(
        "Exact (default)",
      ),
    );
    // The remove button is gone; the keyboard stays on the setting.
    await waitFor(() =>
      expect(screen.getByRole("button", { name: "Edit the rule of Password required" })).toHaveFocus(),
    );
    await user.selectOptions(screen.getByTestId("item-severity"), "Low");
    await waitFor(() => expect(settingRow("passwordRequired")).toHaveTextContent("Low the item's default"));
  });

  it("works from the keyboard: Enter opens, Escape closes, Enter in a field saves", async () => {
    const { user } = setup();
    const table = await screen.findByTestId("items-table");
    within(table).getByRole("button", { name: "Win - Password" }).focus();
    await user.keyboard("{Enter}");
    await screen.findByTestId("item-settings");

    const edit = screen.getByRole("button", { name: "Edit the rule of Password required" });
    edit.focus();
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("rule-dialog");
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("rule-dialog")).not.toBeInTheDocument());
    // Focus is back on the button that opened the dialog.
    await waitFor(() => expect(edit).toHaveFocus());

    await user.keyboard("{Enter}");
    const again = await screen.findByTestId("rule-dialog");
    // A native select: the arrow keys choose in the webview.
    await user.selectOptions(within(again).getByTestId("rule-kind"), "At most");
    await user.click(within(again).getByTestId("rule-number"));
    await user.keyboard("12{Enter}");
    await waitFor(() => expect(screen.queryByTestId("rule-dialog")).not.toBeInTheDocument());
    expect(within(settingRow("passwordRequired")).getByTestId("setting-rule")).toHaveTextContent("At most 12");
  });

  it("adds a rule for a setting the item does not configure", async () => {
    const { user } = setup();
    await openItem(user, "Win - Password");
    await user.click(screen.getByTestId("add-rule"));
    const dialog = await screen.findByTestId("rule-dialog");
    await user.selectOptions(within(dialog).getByTestId("rule-kind"), "Absent");
    await user.click(within(dialog).getByTestId("rule-save"));
    expect(dialog).toHaveTextContent("Enter the setting path");
    await user.type(within(dialog).getByTestId("rule-path"), "passwordHint");
    await user.click(within(dialog).getByTestId("rule-save"));
    await waitFor(() => expect(screen.queryByTestId("rule-dialog")).not.toBeInTheDocument());
    const row = settingRow("passwordHint");
    expect(row).toHaveTextContent("not configured");
    expect(within(row).getByTestId("setting-rule")).toHaveTextContent("Absent");
  });

  it("shows the backend's refusal of a rule in the dialog", async () => {
    const { user, backend } = setup();
    await openItem(user, "Win - Password");
    backend.fail(
      "setBaselineRule",
      new BackendError(
        "conflict",
        "MSP Standard v3 is published and can no longer change: start a new draft from the latest published version and edit that",
      ),
    );
    await user.click(screen.getByRole("button", { name: "Edit the rule of Password required" }));
    const dialog = await screen.findByTestId("rule-dialog");
    await user.click(within(dialog).getByTestId("rule-save"));
    const error = await within(dialog).findByTestId("rule-error");
    expect(error).toHaveTextContent("Couldn't save the rule");
    expect(error).toHaveTextContent("can no longer change: start a new draft");
  });

  it("shows a published version read-only", async () => {
    const { user } = setup();
    const versions = await screen.findAllByTestId("version-row");
    await user.click(within(versions[1]).getByRole("button", { name: "v2" }));
    const notice = await screen.findByTestId("read-only-notice");
    expect(notice).toHaveTextContent("v2 is published and read-only");
    await openItem(user, "Win - Password");
    expect(screen.getByTestId("item-settings")).toHaveTextContent("v2 (published)");
    expect(screen.queryByRole("button", { name: /Edit the rule/ })).not.toBeInTheDocument();
    expect(screen.queryByTestId("item-severity")).not.toBeInTheDocument();
    expect(screen.queryByTestId("add-rule")).not.toBeInTheDocument();

    await user.click(within(notice).getByRole("button", { name: "Open the draft" }));
    await waitFor(() => expect(screen.queryByTestId("read-only-notice")).not.toBeInTheDocument());
  });

  it("publishes the draft after saying it becomes immutable", async () => {
    const { user, backend } = setup();
    await user.click(await screen.findByTestId("publish"));
    const dialog = await screen.findByTestId("publish-dialog");
    expect(dialog).toHaveTextContent("Publish MSP Standard v3?");
    expect(dialog).toHaveTextContent("immutable");
    expect(dialog).toHaveTextContent("It replaces v2, which is retired");

    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByTestId("publish-dialog")).not.toBeInTheDocument());
    expect(backend.calls.publishBaseline).toBe(0);

    await user.click(screen.getByTestId("publish"));
    await user.click(within(await screen.findByTestId("publish-dialog")).getByTestId("publish-confirm"));
    await waitFor(() =>
      expect(
        screen.getAllByTestId("version-row").map((v) => within(v).getByTestId("version-status").textContent),
      ).toEqual(["Published", "Retired", "Retired"]),
    );
    expect(screen.getByTestId("start-draft")).toBeEnabled();
    expect(screen.getByTestId("read-only-notice")).toHaveTextContent("v3 is published");
  });

  it("starts a new draft from the published version and opens it", async () => {
    const { user } = setup(PUBLISHED_ONLY);
    await user.click(await screen.findByTestId("start-draft"));
    await waitFor(() =>
      expect(
        screen.getAllByTestId("version-row").map((v) => within(v).getByTestId("version-status").textContent),
      ).toEqual(["Draft", "Published"]),
    );
    const settings = await openItem(user, "Win - Password");
    expect(settings).toHaveTextContent("v2 (draft)");
    expect(within(settingRow("passwordMinimumLength")).getByTestId("setting-rule")).toHaveTextContent(
      "At least 14",
    );
  });

  it("lists assignments, assigns tenants with variables and a pinned version, and unassigns", async () => {
    const { user, backend } = setup();
    const assignments = await screen.findByTestId("assignments");
    const rows = within(assignments).getAllByTestId("assignment-row");
    expect(rows[0]).toHaveTextContent("Contoso");
    expect(rows[0]).toHaveTextContent("timezone=CET");
    expect(rows[0]).toHaveTextContent("Latest published (v2)");
    expect(rows[1]).toHaveTextContent("Fabrikam");
    expect(rows[1]).toHaveTextContent("Pinned to v1");
    expect(within(rows[1]).getByTestId("missing-variables")).toHaveTextContent("Missing timezone");

    await user.click(within(assignments).getByTestId("assign"));
    const dialog = await screen.findByTestId("assign-dialog");
    // The variable the rules read is there to fill in.
    expect(within(dialog).getByRole("textbox", { name: "Variable 1 name" })).toHaveValue("timezone");
    await user.click(within(dialog).getByTestId("assign-submit"));
    expect(dialog).toHaveTextContent("Choose at least one tenant.");
    expect(dialog).toHaveTextContent("Enter the tenant's value for timezone, or remove the row.");
    expect(backend.calls.assignBaseline).toBe(0);

    await user.click(await within(dialog).findByRole("checkbox", { name: "Woodgrove Bank" }));
    await user.click(within(dialog).getByRole("checkbox", { name: "Alpine Ski House" }));
    await user.type(within(dialog).getByRole("textbox", { name: /Variable 1 value/ }), "Europe/Berlin");
    await user.click(within(dialog).getByRole("button", { name: "Add variable" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Variable 2 name" }), "maxAge");
    await user.type(within(dialog).getByRole("textbox", { name: /Variable 2 value/ }), "90");
    await user.selectOptions(within(dialog).getByTestId("assign-version"), "v2 (published)");
    await user.click(within(dialog).getByTestId("assign-submit"));
    await waitFor(() => expect(screen.queryByTestId("assign-dialog")).not.toBeInTheDocument());
    expect(backend.baselines.assignRequests).toEqual([
      {
        baselineId: ID,
        tenantIds: ["tenant-woodgrove-bank", "tenant-alpine-ski-house"],
        variables: [
          { key: "timezone", value: "Europe/Berlin" },
          { key: "maxAge", value: "90" },
        ],
        pinnedVersion: 2,
      },
    ]);
    const after = within(screen.getByTestId("assignments")).getAllByTestId("assignment-row");
    expect(after.map((r) => r.querySelector("a")?.textContent)).toEqual([
      "Alpine Ski House",
      "Contoso",
      "Fabrikam",
      "Woodgrove Bank",
    ]);
    expect(after[3]).toHaveTextContent("maxAge=90, timezone=Europe/Berlin");
    expect(after[3]).toHaveTextContent("Pinned to v2");

    // The page is inert until the dialog has gone.
    await user.click(await screen.findByRole("button", { name: "Unassign Fabrikam" }));
    await waitFor(() =>
      expect(within(screen.getByTestId("assignments")).getAllByTestId("assignment-row")).toHaveLength(3),
    );
    // Typing a dozen fields takes a while on a shared 2-core machine.
  }, 30_000);

  it("says when unassigning fails", async () => {
    const { user, backend } = setup();
    backend.fail("unassignBaseline", new BackendError("database", "database is locked"));
    await user.click(await screen.findByRole("button", { name: "Unassign Contoso" }));
    expect(await screen.findByTestId("unassign-error")).toHaveTextContent("database is locked");
  });

  it("exports a version to a folder and lists the files written", async () => {
    const { user, backend } = setup();
    await user.click(await screen.findByTestId("export"));
    const dialog = await screen.findByTestId("export-dialog");
    expect(within(dialog).getByTestId("export-version")).toHaveValue("3");
    await user.selectOptions(within(dialog).getByTestId("export-version"), "v2 (published)");
    await user.click(within(dialog).getByTestId("export-submit"));
    expect(dialog).toHaveTextContent("Enter the full path of the folder");

    await user.type(within(dialog).getByTestId("export-path"), "relative/out");
    await user.click(within(dialog).getByTestId("export-submit"));
    expect(await within(dialog).findByTestId("export-error")).toHaveTextContent("is not a full path");

    await user.clear(within(dialog).getByTestId("export-path"));
    await user.type(within(dialog).getByTestId("export-path"), "/git/msp-standard");
    await user.click(within(dialog).getByTestId("export-submit"));
    const done = await within(dialog).findByTestId("export-done");
    expect(done).toHaveTextContent("Wrote MSP Standard v2 to /git/msp-standard");
    expect(within(done).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "baseline.json",
      "items/compliance_policy/Win - Password.json",
      "items/settings_catalog/Win - Defender.json",
    ]);
    expect(backend.baselines.folders["/git/msp-standard"]).toMatchObject({ kind: "baseline", name: "MSP Standard" });
  });

  it("says when the baseline cannot be loaded", async () => {
    const user = userEvent.setup();
    renderWithBackend(
      <BaselinePage baselineId="baseline-gone" />,
      new FakeBackend({ tenants: TENANTS, baselines: BASELINES }),
    );
    const error = await screen.findByTestId("baseline-error");
    expect(error).toHaveTextContent("baseline not found: baseline-gone");
    expect(within(error).getByRole("button", { name: "Retry" })).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "All baselines" }));
    expect(window.location.hash).toBe("#/baselines");
  });
});
