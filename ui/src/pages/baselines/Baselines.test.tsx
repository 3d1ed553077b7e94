import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { BASELINES } from "../../test/baselineFixtures";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Baselines } from "./Baselines";

function backend(baselines = BASELINES) {
  return new FakeBackend({ tenants: TENANTS, baselines });
}

describe("Baselines list", () => {
  it("lists every baseline with its published version, draft, items and tenants", async () => {
    renderWithBackend(<Baselines />, backend());
    const rows = await screen.findAllByTestId("baseline-row");
    expect(rows.map((r) => within(r).getByRole("link").textContent)).toEqual(["Kiosk", "MSP Standard"]);
    const [kiosk, standard] = rows;
    expect(within(kiosk).getByTestId("baseline-published")).toHaveTextContent("Not yet");
    expect(within(kiosk).getByTestId("baseline-draft")).toHaveTextContent("v1");
    expect(within(kiosk).getByTestId("baseline-tenants")).toHaveTextContent("None");
    expect(within(standard).getByTestId("baseline-published")).toHaveTextContent("v2");
    expect(within(standard).getByTestId("baseline-draft")).toHaveTextContent("v3");
    expect(within(standard).getByTestId("baseline-tenants")).toHaveTextContent("2");
    expect(standard).toHaveTextContent("Every managed Windows device");
    expect(within(standard).getByRole("link")).toHaveAttribute("href", "#/baselines/baseline-msp-standard");
  });

  it("says what to do when there is no baseline yet", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Baselines />, backend({}));
    const empty = await screen.findByTestId("baselines-empty");
    expect(empty).toHaveTextContent("No baselines yet");
    expect(empty).toHaveTextContent("latest capture");
    await user.click(within(empty).getByRole("button", { name: "New baseline" }));
    expect(await screen.findByTestId("create-dialog")).toBeInTheDocument();
  });

  it("shows a failed load with a retry", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.fail("listBaselines", new BackendError("database", "database is locked"));
    renderWithBackend(<Baselines />, fake);
    expect(await screen.findByTestId("baselines-error")).toHaveTextContent("database is locked");
    fake.fail("listBaselines", null);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findAllByTestId("baseline-row")).toHaveLength(2);
  });

  it("creates a baseline from a tenant's latest capture and opens it", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Baselines />, fake);
    await user.click(await screen.findByTestId("new-baseline"));
    const dialog = await screen.findByTestId("create-dialog");

    // Only captured tenants are offered.
    const tenant = await within(dialog).findByTestId("create-tenant");
    expect(within(tenant).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Alpine Ski House (1204 items)",
      "Fabrikam (87 items)",
      "Woodgrove Bank (96 items)",
    ]);
    await user.click(within(dialog).getByTestId("create-submit"));
    expect(dialog).toHaveTextContent("Enter a name for the baseline");
    expect(fake.calls.createBaseline).toBe(0);

    await user.selectOptions(tenant, "Woodgrove Bank (96 items)");
    await user.type(within(dialog).getByTestId("create-name"), "Woodgrove golden");
    // Kinds are chosen from the backend's list, never typed.
    const kinds = within(dialog).getByTestId("create-exclusive");
    expect(within(kinds).getAllByRole("checkbox")).toHaveLength(3);
    await user.click(within(kinds).getByRole("checkbox", { name: "Compliance policy" }));
    await user.click(within(dialog).getByTestId("create-submit"));
    await waitFor(() => expect(window.location.hash).toBe("#/baselines/baseline-woodgrove-golden"));
    expect(fake.baselines.createRequests.at(-1)?.exclusiveKinds).toEqual(["compliance_policy"]);
    const listed = await fake.listBaselines();
    expect(listed.find((b) => b.name === "Woodgrove golden")).toMatchObject({
      draftVersion: 1,
      latestPublished: null,
      itemCount: 2,
    });
  });

  it("says which file of a folder cannot be read, and what a tenant without a capture lacks", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Baselines />, fake);
    await user.click(await screen.findByTestId("new-baseline"));
    const dialog = await screen.findByTestId("create-dialog");
    await user.click(within(dialog).getByRole("radio", { name: "A folder" }));

    await user.click(within(dialog).getByTestId("create-submit"));
    expect(dialog).toHaveTextContent("Choose the folder.");
    // The folder comes from the system's picker.
    fake.picks.push("/exports/broken");
    await user.click(within(dialog).getByRole("button", { name: "Choose folder…" }));
    await waitFor(() => expect(within(dialog).getByTestId("create-folder")).toHaveValue("/exports/broken"));
    await user.click(within(dialog).getByTestId("create-submit"));
    const error = await within(dialog).findByTestId("create-error");
    expect(error).toHaveTextContent("Couldn't create the baseline");
    expect(error).toHaveTextContent("/exports/broken/items/compliance_policy/Win - Password.json");

    // Exported policies carry no name: the backend asks for one.
    fake.picks.push("/exports/policies");
    await user.click(within(dialog).getByRole("button", { name: "Choose folder…" }));
    await waitFor(() => expect(within(dialog).getByTestId("create-folder")).toHaveValue("/exports/policies"));
    await user.click(within(dialog).getByTestId("create-submit"));
    await waitFor(() =>
      expect(within(dialog).getByTestId("create-error")).toHaveTextContent("Enter a name for the baseline."),
    );
  });
});
