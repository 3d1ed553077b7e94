import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { SigningKeySection } from "./SigningKeySection";

describe("Settings: evidence signing key", () => {
  it("says when viewing made the key, and exports its public key", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({
      appInfo: { dbPath: "/data/plumbline.db" },
      settings: { keychain: "Linux kernel keyring" },
    });
    renderWithBackend(<SigningKeySection />, fake);

    expect(await screen.findByTestId("key-created-now")).toHaveTextContent("opening Settings made one");
    const fingerprint = screen.getByTestId("key-fingerprint").textContent ?? "";
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(screen.getByTestId("key-keychain")).toHaveTextContent("in the Linux kernel keyring");

    const path = screen.getByLabelText(/Export public key to/);
    expect(path).toHaveValue(`plumbline-signer-${fingerprint.slice(0, 16)}.pub`);
    await user.click(screen.getByRole("button", { name: "Export public key" }));
    expect(await screen.findByTestId("key-done")).toHaveTextContent(
      `/data/evidence/plumbline-signer-${fingerprint.slice(0, 16)}.pub`,
    );
    await user.clear(path);
    await user.type(path, "/tmp/customer.pub");
    await user.click(screen.getByRole("button", { name: "Export public key" }));
    await waitFor(() =>
      expect(fake.settings.exportedKeys).toEqual([
        { path: `/data/evidence/plumbline-signer-${fingerprint.slice(0, 16)}.pub`, fingerprint },
        { path: "/tmp/customer.pub", fingerprint },
      ]),
    );
  });

  it("rotates only after a confirmation that says old packs still verify", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({
      settings: { signingKey: { fingerprint: "a".repeat(64), createdAt: "2026-01-01T00:00:00.000Z" } },
    });
    renderWithBackend(<SigningKeySection />, fake);

    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("a".repeat(64));
    expect(screen.queryByTestId("key-created-now")).not.toBeInTheDocument();
    expect(screen.queryByTestId("retired-keys")).not.toBeInTheDocument();

    await user.click(await screen.findByRole("button", { name: "Rotate key…" }));
    let dialog = await screen.findByRole("dialog", { name: "Make a new signing key?" });
    expect(dialog).toHaveTextContent("Packs signed with the current key still verify");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(fake.calls.rotateSigningKey).toBe(0);

    await user.click(await screen.findByRole("button", { name: "Rotate key…" }));
    dialog = await screen.findByRole("dialog", { name: "Make a new signing key?" });
    await user.click(within(dialog).getByRole("button", { name: "Rotate key" }));
    expect(await screen.findByTestId("key-done")).toHaveTextContent("its packs still verify");
    expect(screen.getByTestId("key-fingerprint").textContent).not.toBe("a".repeat(64));
    const retired = screen.getAllByTestId("retired-key");
    expect(retired).toHaveLength(1);
    expect(retired[0]).toHaveTextContent("a".repeat(64));
    expect(fake.calls.rotateSigningKey).toBe(1);
  });

  it("shows the keychain's lost key with what to do, and no export", async () => {
    const fake = new FakeBackend({
      settings: {
        signingKey: { fingerprint: "b".repeat(64), createdAt: "2026-01-01T00:00:00.000Z" },
        keyMissing: true,
        keychain: "Secret Service",
      },
    });
    renderWithBackend(<SigningKeySection />, fake);

    const missing = await screen.findByTestId("key-missing");
    expect(missing).toHaveTextContent(`fingerprint ${"b".repeat(64)}) is not in the Secret Service`);
    expect(missing).toHaveTextContent("Packs it signed still verify");
    expect(missing).toHaveTextContent("Rotate key below makes the new key");
    expect(screen.getByTestId("key-keychain")).toHaveTextContent("missing from the Secret Service");
    expect(screen.getByRole("button", { name: "Export public key" })).toBeDisabled();
  });
});
