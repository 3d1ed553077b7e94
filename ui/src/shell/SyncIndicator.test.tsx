import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../backend/fake";
import { renderWithBackend } from "../test/render";
import { SyncIndicator } from "./SyncIndicator";

const SIGNED_IN = {
  server: {
    url: "https://plumbline.example.com/",
    status: "connected" as const,
    user: { email: "dana@example.com", name: "Dana" },
    deviceName: "Dana's laptop",
  },
};

describe("Team sync indicator", () => {
  it("is not there while the workspace is not signed in to a server", async () => {
    const fake = new FakeBackend({});
    renderWithBackend(<SyncIndicator />, fake);
    await waitFor(() => expect(fake.calls.syncStatus).toBeGreaterThan(0));
    expect(screen.queryByTestId("sync-indicator")).not.toBeInTheDocument();
  });

  it("says synced, and Sync now syncs", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: SIGNED_IN });
    renderWithBackend(<SyncIndicator />, fake);
    const indicator = await screen.findByTestId("sync-indicator");
    expect(indicator).toHaveAccessibleName("Team sync: up to date");
    expect(screen.getByTestId("sync-state")).toHaveTextContent("Synced");
    await user.click(indicator);
    expect(screen.getByTestId("sync-last")).toHaveTextContent("never");
    await user.click(screen.getByTestId("sync-now"));
    await waitFor(() => expect(fake.calls.syncNow).toBe(1));
    await waitFor(() => expect(screen.getByTestId("sync-last")).not.toHaveTextContent("never"));
  });

  it("shows changes waiting while offline, with the reason and the next try", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: SIGNED_IN });
    fake.settings.sync = {
      phase: "offline",
      pending: 3,
      error: "the server at https://plumbline.example.com/ cannot be reached: Connection refused",
      retryInSeconds: 8,
    };
    renderWithBackend(<SyncIndicator />, fake);
    const indicator = await screen.findByTestId("sync-indicator");
    expect(indicator).toHaveAccessibleName("Team sync: offline");
    await user.click(indicator);
    expect(screen.getByTestId("sync-pending")).toHaveTextContent("3");
    expect(screen.getByTestId("sync-error")).toHaveTextContent("Connection refused");
    expect(screen.getByTestId("sync-error")).toHaveTextContent("Trying again in 8 s");
  });

  it("lists what the server refused with the reason, and superseded decisions", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: SIGNED_IN });
    fake.settings.rejected = [
      {
        kind: "decision",
        tenant: "Contoso",
        reason: "forbidden_tenant",
        message: "this membership does not include the tenant",
        createdAt: "2026-12-01T10:00:00.000Z",
      },
    ];
    fake.settings.sync = { superseded: 2 };
    renderWithBackend(<SyncIndicator />, fake);
    await user.click(await screen.findByTestId("sync-indicator"));
    const list = await screen.findByTestId("sync-rejected");
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
    expect(list).toHaveTextContent("Decision · Contoso");
    expect(list).toHaveTextContent("forbidden_tenant: this membership does not include the tenant");
    expect(screen.getByTestId("sync-superseded")).toHaveTextContent("2 decisions were superseded");
  });

  it("shows a first sync's progress with Cancel", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: SIGNED_IN });
    fake.settings.sync = {
      phase: "syncing",
      firstSync: true,
      progress: { phase: "snapshot", done: 250, total: 1000 },
    };
    renderWithBackend(<SyncIndicator />, fake);
    const indicator = await screen.findByTestId("sync-indicator");
    expect(screen.getByTestId("sync-state")).toHaveTextContent("Syncing 25 %");
    await user.click(indicator);
    expect(screen.getByRole("progressbar", { name: "Sync progress" })).toBeInTheDocument();
    await user.click(screen.getByTestId("sync-cancel"));
    await waitFor(() => expect(fake.calls.cancelSync).toBe(1));
  });
});
