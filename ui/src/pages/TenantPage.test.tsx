import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../backend/fake";
import {
  CONTOSO_COMPARISON,
  CONTOSO_OVERVIEW,
  FINDINGS,
  NOW,
  TENANTS,
} from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { TenantPage } from "./TenantPage";

function backend() {
  return new FakeBackend({
    tenants: TENANTS,
    console: {
      findings: FINDINGS,
      overviews: { "tenant-contoso": CONTOSO_OVERVIEW },
      comparisons: { "c-2>c-3": CONTOSO_COMPARISON },
      now: () => NOW.getTime(),
    },
  });
}

describe("Tenant page", () => {
  it("shows the score trend, drift by baseline, captures and unresolved ids", async () => {
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, backend());

    expect(await screen.findByRole("heading", { level: 1, name: "Contoso" })).toBeInTheDocument();
    expect(screen.getByTestId("latest-score")).toHaveTextContent("74.3 of 100 after 2 reviews");
    expect(screen.getByRole("img", { name: "Score trend: 81.5, 74.3" })).toBeInTheDocument();
    const drift = within(screen.getByTestId("drift-by-baseline"));
    expect(drift.getByText("MSP Standard")).toBeInTheDocument();
    const timeline = screen.getByTestId("capture-timeline");
    expect(within(timeline).getAllByRole("listitem")).toHaveLength(3);
    expect(timeline).toHaveTextContent("failed: conditional_access_policy");
    expect(screen.getByTestId("unresolved-ids")).toHaveTextContent(
      "0b5e1c2d-aaaa-4bbb-8ccc-123456789abc",
    );
  });

  it("compares the two latest captures: added, removed (ghost) and changed policies", async () => {
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, backend());
    const changes = await screen.findByTestId("capture-changes");
    expect(within(changes).getByTestId("changes-added")).toHaveTextContent("Win - New Policy");
    expect(within(changes).getByTestId("changes-removed")).toHaveTextContent(
      "Removed (ghost policies) (1)Win - Old Policy",
    );
    expect(within(changes).getByTestId("changes-changed")).toHaveTextContent(
      "Win - Password (settings_catalog) · settings",
    );
  });

  it("lists the tenant's open drift findings with links to them", async () => {
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, backend());
    const links = await screen.findAllByTestId("tenant-finding-link");
    expect(links.map((l) => l.textContent)).toEqual([
      "BitLocker required is off",
      "Password length below 14",
    ]);
    expect(links[1]).toHaveAttribute("href", "#/findings/f-2");
  });

  it("reviews in the background with progress, then reloads", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await user.click(await screen.findByTestId("start-review"));

    expect(await screen.findByTestId("review-running")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Review progress" })).toBeInTheDocument();
    expect(screen.getByTestId("start-review")).toBeDisabled();
    // The page stays usable: the comparison is still there.
    expect(screen.getByTestId("capture-timeline")).toBeInTheDocument();

    expect(await screen.findByTestId("review-done", {}, { timeout: 5000 })).toHaveTextContent(
      "1 new",
    );
    await waitFor(() => expect(fake.calls.tenantOverview).toBeGreaterThanOrEqual(2));
    expect(screen.getByTestId("start-review")).toBeEnabled();
  });

  it("can cancel a running review", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.jobs.runningPolls = 1000;
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await user.click(await screen.findByTestId("start-review"));
    await user.click(await screen.findByTestId("review-cancel"));
    expect(await screen.findByTestId("review-cancelled")).toHaveTextContent("Review cancelled");
    expect(screen.getByTestId("start-review")).toBeEnabled();
  });

  it("imports an export folder in the background, then reloads the tenant", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await user.click(await screen.findByTestId("start-import"));
    const dialog = await screen.findByRole("dialog", { name: "Import a capture" });
    await user.click(within(dialog).getByTestId("import-start"));
    expect(within(dialog).getByText("Enter the folder the export was saved to.")).toBeInTheDocument();
    await user.type(within(dialog).getByTestId("import-folder"), "/exports/contoso");
    await user.click(within(dialog).getByRole("checkbox"));
    await user.click(within(dialog).getByTestId("import-start"));

    expect(await screen.findByTestId("import-running")).toBeInTheDocument();
    expect(await screen.findByTestId("import-done", {}, { timeout: 5000 })).toHaveTextContent(
      "12 items from 12 files imported into Contoso",
    );
    expect(fake.importRequests).toEqual([
      { tenant: "tenant-contoso", folder: "/exports/contoso", skipBadFiles: true },
    ]);
    await waitFor(() => expect(fake.calls.tenantOverview).toBeGreaterThanOrEqual(2));
  });

  it("says why an import could not start", async () => {
    const user = userEvent.setup();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, backend());
    await user.click(await screen.findByTestId("start-import"));
    const dialog = await screen.findByRole("dialog", { name: "Import a capture" });
    await user.type(within(dialog).getByTestId("import-folder"), "relative/folder");
    await user.click(within(dialog).getByTestId("import-start"));
    expect(await screen.findByTestId("import-error")).toHaveTextContent(
      "relative/folder is not a folder: choose the folder the export was saved to.",
    );
  });

  it("says when the tenant does not exist", async () => {
    renderWithBackend(<TenantPage tenantId="nope" />, backend());
    expect(await screen.findByTestId("tenant-error")).toHaveTextContent("tenant not found: nope");
  });
});
