import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../backend/fake";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { ConnectionsSection } from "./ConnectionsSection";

const SECRET = "Qx8~fake-client-secret.VALUE-0123456789";

describe("Settings: tenant connections", () => {
  it("says Graph capture is not here yet and offers no connection test", async () => {
    renderWithBackend(<ConnectionsSection />, new FakeBackend({ tenants: TENANTS }));
    const region = await screen.findByRole("region", { name: "Tenant connections" });
    expect(region).toHaveTextContent("arrives with the Graph connector");
    await screen.findByTestId("connections-summary");
    expect(within(region).queryByRole("button", { name: /test/i })).not.toBeInTheDocument();
    expect(screen.getByTestId("connections-summary")).toHaveTextContent(
      "0 of 4 tenants have a client secret stored.",
    );
  });

  it("warns that another application id drops the stored secret, and drops it on save", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ tenants: TENANTS, settings: { keychain: "Secret Service" } });
    renderWithBackend(<ConnectionsSection />, fake);
    await user.selectOptions(await screen.findByLabelText("Tenant"), "Fabrikam");
    const app = screen.getByLabelText(/Application \(client\) id/);
    await user.type(app, "11111111-2222-3333-4444-555555555555");
    await user.click(screen.getByRole("button", { name: "Save ids" }));
    await screen.findByTestId("connection-saved");
    await user.type(screen.getByLabelText("Client secret"), SECRET);
    await user.click(screen.getByRole("button", { name: "Store in keychain" }));
    await waitFor(() => expect(fake.settings.storedSecret("tenant-fabrikam")).toBe(SECRET));
    expect(screen.queryByText(/removes the stored client secret/)).not.toBeInTheDocument();

    // The same id in capitals is the same app: no warning.
    await user.clear(app);
    await user.type(app, "11111111-2222-3333-4444-555555555555".toUpperCase());
    expect(screen.queryByText(/removes the stored client secret/)).not.toBeInTheDocument();

    await user.clear(app);
    await user.type(app, "99999999-2222-3333-4444-555555555555");
    expect(screen.getByText(/removes the stored client secret/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save ids" }));
    await waitFor(() =>
      expect(screen.getByTestId("secret-status")).toHaveTextContent("No client secret stored"),
    );
    expect(fake.settings.storedSecret("tenant-fabrikam")).toBeUndefined();
  });

  it("saves the ids as GUIDs, then stores, replaces and removes the secret without showing it", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ tenants: TENANTS, settings: { keychain: "Secret Service" } });
    renderWithBackend(<ConnectionsSection />, fake);

    const tenant = await screen.findByLabelText("Tenant");
    await user.selectOptions(tenant, "Fabrikam");
    // No app id yet: the secret cannot be entered.
    expect(screen.getByLabelText("Client secret")).toBeDisabled();
    expect(screen.getByText(/Save the application \(client\) id first/)).toBeInTheDocument();

    await user.type(screen.getByLabelText(/Entra tenant id/), "fabrikam.onmicrosoft.com");
    await user.click(screen.getByRole("button", { name: "Save ids" }));
    const error = await screen.findByTestId("connection-error");
    expect(error).toHaveTextContent("Tenant ID");
    expect(error).toHaveTextContent("36 characters");

    await user.clear(screen.getByLabelText(/Entra tenant id/));
    await user.type(screen.getByLabelText(/Entra tenant id/), "72F988BF-86F1-41AF-91AB-2D7CD011DB47");
    await user.type(
      screen.getByLabelText(/Application \(client\) id/),
      // `{{` types one "{" (user-event reads braces as key names).
      "{{11111111-2222-3333-4444-555555555555}",
    );
    await user.click(screen.getByRole("button", { name: "Save ids" }));
    expect(await screen.findByTestId("connection-saved")).toHaveTextContent("Ids saved for Fabrikam");
    expect(screen.getByLabelText(/Entra tenant id/)).toHaveValue("72f988bf-86f1-41af-91ab-2d7cd011db47");
    expect(screen.getByLabelText(/Application \(client\) id/)).toHaveValue(
      "11111111-2222-3333-4444-555555555555",
    );

    const secretInput = screen.getByLabelText("Client secret");
    expect(secretInput).toBeEnabled();
    expect(secretInput).toHaveAttribute("type", "password");
    await user.type(secretInput, SECRET);
    await user.click(screen.getByRole("button", { name: "Store in keychain" }));
    await waitFor(() =>
      expect(screen.getByTestId("secret-status")).toHaveTextContent(/Secret stored on .+ in the Secret Service/),
    );
    expect(fake.settings.storedSecret("tenant-fabrikam")).toBe(SECRET);
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(screen.queryByLabelText("Client secret")).not.toBeInTheDocument();
    expect(screen.getByTestId("connections-summary")).toHaveTextContent("1 of 4 tenants");

    await user.click(screen.getByRole("button", { name: "Replace" }));
    await user.type(screen.getByLabelText("New client secret"), "second-secret-value");
    await user.click(screen.getByRole("button", { name: "Store in keychain" }));
    await waitFor(() => expect(fake.settings.storedSecret("tenant-fabrikam")).toBe("second-secret-value"));
    expect(document.body.innerHTML).not.toContain("second-secret-value");

    await user.click(screen.getByRole("button", { name: "Remove" }));
    const dialog = await screen.findByRole("dialog", { name: /Remove the client secret of Fabrikam/ });
    expect(dialog).toHaveTextContent("deleted from the Secret Service");
    await user.click(within(dialog).getByRole("button", { name: "Remove secret" }));
    await waitFor(() =>
      expect(screen.getByTestId("secret-status")).toHaveTextContent("No client secret stored"),
    );
    expect(fake.settings.storedSecret("tenant-fabrikam")).toBeUndefined();
    expect(screen.getByTestId("connection-saved")).toHaveTextContent("removed from the Secret Service");
  });

  it("refuses the secret's ID in place of its value", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({
      tenants: TENANTS,
      settings: { connections: { "tenant-contoso": { graphAppId: "11111111-2222-3333-4444-555555555555" } } },
    });
    renderWithBackend(<ConnectionsSection />, fake);
    await user.selectOptions(await screen.findByLabelText("Tenant"), "Contoso");
    await user.type(screen.getByLabelText("Client secret"), "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    await user.click(screen.getByRole("button", { name: "Store in keychain" }));
    expect(await screen.findByTestId("connection-error")).toHaveTextContent("the secret's ID");
    expect(fake.settings.storedSecret("tenant-contoso")).toBeUndefined();
    // The field is cleared either way: a secret does not linger in the page.
    expect(screen.getByLabelText("Client secret")).toHaveValue("");
  });

  it("says what to do when there are no tenants", async () => {
    renderWithBackend(<ConnectionsSection />, new FakeBackend());
    expect(await screen.findByTestId("connections-empty")).toHaveTextContent("plumbline import");
  });
});
