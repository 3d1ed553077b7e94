import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../backend/fake";
import { PASSWORD_DIFF } from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { PolicyDiffView } from "./PolicyDiffView";

function backend() {
  return new FakeBackend({ console: { diffs: { "f-2": PASSWORD_DIFF } } });
}

describe("Policy diff", () => {
  it("shows the differing settings by label, highlighted by state, assignments apart", async () => {
    renderWithBackend(<PolicyDiffView findingId="f-2" />, backend());
    const settings = await screen.findByTestId("diff-settings");
    const rows = within(settings).getAllByTestId("diff-row");
    expect(rows.map((r) => r.getAttribute("data-state"))).toEqual(["changed", "missing", "added"]);
    expect(rows[0]).toHaveTextContent("Minimum password length148Changed");
    expect(rows[1]).toHaveTextContent("Missing in tenant");
    expect(rows[2]).toHaveTextContent("Only in tenant");
    expect(screen.getByTestId("diff-count")).toHaveTextContent("3 settings differ");
    const assignments = screen.getByTestId("diff-assignments");
    expect(within(assignments).getAllByTestId("diff-row")).toHaveLength(1);
    expect(assignments).toHaveTextContent("exclude/group:Pilot");
    expect(screen.getByTestId("diff-baseline-item")).toHaveTextContent("Win - Password");
  });

  it("shows equal settings and the raw JSON of both on request", async () => {
    const user = userEvent.setup();
    renderWithBackend(<PolicyDiffView findingId="f-2" />, backend());
    await screen.findByTestId("diff-settings");
    expect(screen.queryByTestId("raw-json")).not.toBeInTheDocument();

    await user.click(screen.getByRole("switch", { name: "Show equal settings" }));
    expect(within(screen.getByTestId("diff-settings")).getAllByTestId("diff-row")).toHaveLength(4);

    await user.click(screen.getByRole("switch", { name: "Show raw JSON" }));
    const raw = screen.getByTestId("raw-json");
    expect(raw).toHaveTextContent('"passwordMinimumLength": 14');
    expect(raw).toHaveTextContent('"passwordMinimumLength": 8');
  });

  it("shows a choice by its option label and the setting's description, the raw value on hover", async () => {
    const id = "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction";
    const diff = {
      ...PASSWORD_DIFF,
      settings: [
        {
          path: `vendor_msft_firewall_mdmstore_domainprofile/${id}`,
          label: "Default Outbound Action",
          description: "The action the firewall takes on outbound connections by default.",
          state: "changed",
          baseline: `"${id}_0"`,
          tenant: `"${id}_1"`,
          baselineText: "Allow",
          tenantText: "Block",
        },
      ],
    };
    renderWithBackend(
      <PolicyDiffView findingId="f-9" />,
      new FakeBackend({ console: { diffs: { "f-9": diff } } }),
    );
    const settings = await screen.findByTestId("diff-settings");
    const [row] = within(settings).getAllByTestId("diff-row");
    expect(row).toHaveTextContent("Default Outbound ActionAllowBlockChanged");
    expect(within(row).getByText("Block")).toHaveAttribute("title", `"${id}_1"`);
    expect(within(row).getByText("Default Outbound Action")).toHaveAttribute(
      "title",
      expect.stringContaining("outbound connections by default"),
    );
  });

  it("links back to the finding and says when the finding is unknown", async () => {
    renderWithBackend(<PolicyDiffView findingId="nope" />, backend());
    expect(await screen.findByText("finding not found: nope")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to the finding" })).toHaveAttribute(
      "href",
      "#/findings/nope",
    );
  });
});
