import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend, makeImportPreview } from "../backend/fake";
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
    previews: {
      "/exports/contoso": makeImportPreview("/exports/contoso", {
        unreadable: 1,
        files: [
          ...makeImportPreview("/exports/contoso").files,
          {
            path: "Broken.json",
            outcome: "unreadable",
            summary: "Broken.json: invalid JSON at line 3, column 1",
            notes: [],
          },
        ],
      }),
    },
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
    expect(within(dialog).getByText("Choose the folder the export was saved to.")).toBeInTheDocument();
    // The folder comes from the system's picker; what it holds is shown before importing.
    fake.picks.push("/exports/contoso");
    await user.click(within(dialog).getByRole("button", { name: "Choose folder…" }));
    expect(await within(dialog).findByTestId("import-preview-summary")).toHaveTextContent(
      "2 policies to import, 1 directory object to resolve ids",
    );
    expect(within(dialog).getByTestId("import-preview")).toHaveTextContent(
      "Recognised: IntuneManagement export (3)",
    );
    expect(within(dialog).getByTestId("import-preview-unreadable")).toHaveTextContent(
      "1 file cannot be read",
    );
    expect(within(dialog).getByText("Broken.json")).toBeInTheDocument();
    expect(fake.previewRequests).toEqual([{ tenant: "tenant-contoso", folder: "/exports/contoso" }]);
    // An unreadable file stops the import unless it is skipped.
    await user.click(within(dialog).getByTestId("import-start"));
    expect(within(dialog).getByText(/Some files cannot be read/)).toBeInTheDocument();
    expect(fake.importRequests).toEqual([]);
    await user.click(within(dialog).getByRole("checkbox"));
    await user.click(within(dialog).getByRole("button", { name: "Import 2 policies" }));

    expect(await screen.findByTestId("import-running")).toBeInTheDocument();
    expect(await screen.findByTestId("import-done", {}, { timeout: 5000 })).toHaveTextContent(
      "12 items from 12 files imported into Contoso",
    );
    expect(fake.importRequests).toEqual([
      { tenant: "tenant-contoso", folder: "/exports/contoso", skipBadFiles: true },
    ]);
    await waitFor(() => expect(fake.calls.tenantOverview).toBeGreaterThanOrEqual(2));
  });

  it("opens the import with its preview when a folder is dropped on the window", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await screen.findByTestId("start-import");
    await waitFor(() => expect(fake.calls.onPathDropped).toBeGreaterThan(0));
    act(() => fake.dropPath("/exports/contoso"));
    const dialog = await screen.findByRole("dialog", { name: "Import a capture" });
    expect(within(dialog).getByTestId("import-folder")).toHaveValue("/exports/contoso");
    expect(await within(dialog).findByTestId("import-preview-summary")).toHaveTextContent(
      "2 policies to import",
    );
    await user.click(within(dialog).getByRole("checkbox"));
    await user.click(within(dialog).getByTestId("import-start"));
    await waitFor(() =>
      expect(fake.importRequests).toEqual([
        { tenant: "tenant-contoso", folder: "/exports/contoso", skipBadFiles: true },
      ]),
    );
  });

  it("says why a folder cannot be imported", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await user.click(await screen.findByTestId("start-import"));
    const dialog = await screen.findByRole("dialog", { name: "Import a capture" });
    fake.picks.push("/tmp/nothing-here");
    await user.click(within(dialog).getByRole("button", { name: "Choose folder…" }));
    expect(await within(dialog).findByTestId("import-preview-error")).toHaveTextContent(
      "/tmp/nothing-here is not a folder: choose the folder the export was saved to.",
    );
    // A cancelled picker keeps the folder as it was.
    await user.click(within(dialog).getByRole("button", { name: "Choose folder…" }));
    expect(within(dialog).getByTestId("import-folder")).toHaveValue("/tmp/nothing-here");
    await user.click(within(dialog).getByTestId("import-start"));
    expect(fake.importRequests).toEqual([]);
  });

  it("says when the tenant does not exist", async () => {
    renderWithBackend(<TenantPage tenantId="nope" />, backend());
    expect(await screen.findByTestId("tenant-error")).toHaveTextContent("tenant not found: nope");
  });
});
