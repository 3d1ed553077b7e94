import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { DataSection } from "./DataSection";

describe("Settings: data", () => {
  it("shows the database, its size and folders, and opens the data folder", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ appInfo: { dbPath: "/home/msp/.local/share/plumbline/plumbline.db" } });
    renderWithBackend(<DataSection />, fake);

    expect(await screen.findByTestId("db-path")).toHaveTextContent(
      "/home/msp/.local/share/plumbline/plumbline.db",
    );
    expect(screen.getByTestId("db-size")).toHaveTextContent("18.0 MB");
    expect(screen.getByTestId("data-dir")).toHaveTextContent("/home/msp/.local/share/plumbline");
    expect(screen.getByTestId("reports-dir")).toHaveTextContent("/home/msp/.local/share/plumbline/reports");
    expect(screen.getByTestId("evidence-dir")).toHaveTextContent("/home/msp/.local/share/plumbline/evidence");
    expect(await screen.findByText(/Version 0.0.0-fake/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Open data folder" }));
    await waitFor(() => expect(fake.openedPaths).toEqual(["/home/msp/.local/share/plumbline"]));
  });

  it("says so when the folder cannot be opened", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ appInfo: { dbPath: "/data/plumbline.db" } });
    fake.fail("openPath", new BackendError("io", "cannot open /data with the default app"));
    renderWithBackend(<DataSection />, fake);

    await user.click(await screen.findByRole("button", { name: "Open data folder" }));
    expect(await screen.findByTestId("open-folder-error")).toHaveTextContent(
      "cannot open /data with the default app",
    );
  });
});
