import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { FakeBackend, makeConnectionTest, makeTenant } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { Tenants } from "./Tenants";

const CONTOSO_ID = "6a1b2c3d-0000-4000-8000-000000000001";

function backend(fields: ConstructorParameters<typeof FakeBackend>[0] = {}): FakeBackend {
  return new FakeBackend({
    jobPolls: 1,
    tenants: [
      makeTenant({ name: "Contoso", entraTenantId: CONTOSO_ID, primaryDomain: "contoso.onmicrosoft.com" }),
      makeTenant({ name: "Fabrikam" }),
    ],
    graph: {
      app: {
        clientId: "11111111-2222-4333-8444-555555555555",
        cloud: "global",
        secretSetAt: "2026-12-01T10:00:00Z",
        credential: "secret",
        certificateThumbprint: null,
      },
      domains: { "woodgrove.onmicrosoft.com": "7b4dc137-b6a5-4e92-af3f-9041c59ece8e" },
    },
    ...fields,
  });
}

function row(name: string): HTMLElement {
  const found = screen
    .getAllByTestId("managed-tenant-row")
    .find((r) => r.getAttribute("data-tenant") === name);
  if (!found) throw new Error(`no row for ${name}`);
  return found;
}

describe("Tenants", () => {
  it("lists every tenant with its connection and schedule", async () => {
    renderWithBackend(<Tenants />, backend());
    await screen.findByTestId("tenants-table");
    expect(within(row("Contoso")).getByTestId("connected")).toHaveTextContent("Connected");
    expect(within(row("Contoso")).getByText("Daily")).toBeInTheDocument();
    expect(within(row("Contoso")).getByText("Due now")).toBeInTheDocument();
    expect(within(row("Fabrikam")).getByText("Not connected")).toBeInTheDocument();
    // A tenant without a tenant id cannot be tested or captured.
    expect(within(row("Fabrikam")).getByTestId("capture-now")).toBeDisabled();
    expect(screen.queryByTestId("no-graph-app")).not.toBeInTheDocument();
  });

  it("reads the list again every minute (the app captures due tenants in the background)", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const fake = backend();
      renderWithBackend(<Tenants />, fake);
      await screen.findByTestId("tenants-table");
      const before = fake.calls.managedTenants;
      await vi.advanceTimersByTimeAsync(61_000);
      await waitFor(() => expect(fake.calls.managedTenants).toBeGreaterThan(before));
    } finally {
      vi.useRealTimers();
    }
  });

  it("edits a tenant's tags: trimmed, repeats dropped, too long refused", async () => {
    const fake = backend();
    renderWithBackend(<Tenants />, fake);
    await screen.findByTestId("tenants-table");
    expect(within(row("Contoso")).queryByTestId("tenant-tags")).not.toBeInTheDocument();
    await userEvent.click(within(row("Contoso")).getByTestId("edit-tags"));
    const dialog = await screen.findByTestId("tags-dialog");
    await userEvent.type(within(dialog).getByTestId("tags-input"), `${"x".repeat(41)}, Gold`);
    await userEvent.click(within(dialog).getByTestId("tags-save"));
    expect(await within(dialog).findByTestId("tags-error")).toHaveTextContent("longer than 40");
    await userEvent.clear(within(dialog).getByTestId("tags-input"));
    await userEvent.type(within(dialog).getByTestId("tags-input"), " Gold , gold, EU,");
    await userEvent.click(within(dialog).getByTestId("tags-save"));
    await waitFor(() => expect(screen.queryByTestId("tags-dialog")).not.toBeInTheDocument());
    const tags = within(row("Contoso")).getByTestId("tenant-tags");
    expect(tags).toHaveTextContent("Gold");
    expect(tags).toHaveTextContent("EU");
    expect(within(tags).getAllByText(/gold/i)).toHaveLength(1);
    expect(fake.calls.setTenantTags).toBe(2);
  });

  it("sets up the Graph app to sign in with a certificate, pasted or read from files", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Tenants />, fake);
    await screen.findByTestId("tenants-table");
    await user.click(screen.getByTestId("graph-app"));
    let dialog = await screen.findByTestId("graph-app-dialog");
    await user.click(within(dialog).getByRole("radio", { name: "Certificate" }));
    expect(within(dialog).queryByTestId("graph-secret")).not.toBeInTheDocument();
    const certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    // The certificate from a file, the key forgotten: refused with what is missing.
    const picker = within(dialog).getAllByText("Read from a file…")[0].parentElement!.querySelector("input")!;
    await user.upload(picker, new File([certificate], "app.crt", { type: "text/plain" }));
    await waitFor(() =>
      expect(within(dialog).getByTestId("graph-certificate-pem")).toHaveValue(certificate),
    );
    await user.click(within(dialog).getByTestId("graph-app-save"));
    expect(await within(dialog).findByTestId("graph-app-error")).toHaveTextContent("private key");
    await user.click(within(dialog).getByTestId("graph-private-key-pem"));
    await user.paste("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----");
    await user.click(within(dialog).getByTestId("graph-app-save"));
    await waitFor(() => expect(screen.queryByTestId("graph-app-dialog")).not.toBeInTheDocument());
    // Opened again: the certificate is in use, and the dialog starts on it.
    await user.click(screen.getByTestId("graph-app"));
    dialog = await screen.findByTestId("graph-app-dialog");
    expect(within(dialog).getByTestId("graph-certificate")).toHaveTextContent("signs in with a certificate");
    expect(within(dialog).getByRole("radio", { name: "Certificate" })).toBeChecked();
    expect(fake.calls.saveGraphApp).toBe(2);
  });

  it("asks for the Graph app first and saves it with its secret", async () => {
    const fake = backend({ graph: {} });
    renderWithBackend(<Tenants />, fake);
    const banner = await screen.findByTestId("no-graph-app");
    await userEvent.click(within(banner).getByRole("button", { name: "Set up Graph app" }));
    const dialog = await screen.findByTestId("graph-app-dialog");
    await userEvent.type(within(dialog).getByTestId("graph-client-id"), "not a guid");
    await userEvent.click(within(dialog).getByTestId("graph-app-save"));
    expect(await within(dialog).findByTestId("graph-app-error")).toHaveTextContent("36 characters");
    await userEvent.clear(within(dialog).getByTestId("graph-client-id"));
    await userEvent.type(within(dialog).getByTestId("graph-client-id"), "11111111-2222-4333-8444-555555555555");
    await userEvent.type(within(dialog).getByTestId("graph-secret"), "s3cret~value");
    await userEvent.click(within(dialog).getByTestId("graph-app-save"));
    await waitFor(() => expect(screen.queryByTestId("graph-app-dialog")).not.toBeInTheDocument());
    expect(screen.queryByTestId("no-graph-app")).not.toBeInTheDocument();
    expect((await fake.graphApp())?.secretSetAt).not.toBeNull();
  });

  it("adds a tenant by its domain and refuses an unknown one", async () => {
    renderWithBackend(<Tenants />, backend());
    await userEvent.click(await screen.findByTestId("add-tenant"));
    const dialog = await screen.findByTestId("add-tenant-dialog");
    await userEvent.type(within(dialog).getByTestId("add-tenant-name"), "Woodgrove");
    await userEvent.type(within(dialog).getByTestId("add-tenant-domain"), "nobody.example");
    await userEvent.click(within(dialog).getByTestId("add-tenant-submit"));
    expect(await within(dialog).findByTestId("add-tenant-error")).toHaveTextContent(
      "no tenant uses the domain nobody.example",
    );
    await userEvent.clear(within(dialog).getByTestId("add-tenant-domain"));
    await userEvent.type(within(dialog).getByTestId("add-tenant-domain"), "woodgrove.onmicrosoft.com");
    await userEvent.click(within(dialog).getByTestId("add-tenant-submit"));
    expect(await screen.findByTestId("tenants-outcome")).toHaveTextContent("Woodgrove was added");
    expect(within(row("Woodgrove")).getByTestId("connected")).toBeInTheDocument();
  });

  it("shows a connection test's answer with the admin consent link", async () => {
    const fake = backend();
    renderWithBackend(<Tenants />, fake);
    await screen.findByTestId("tenants-table");
    const contoso = fake.tenantsSnapshot()[0];
    expect(contoso).toBeDefined();
    const url = `https://login.microsoftonline.com/${CONTOSO_ID}/adminconsent?client_id=x`;
    fake.graph.setTest(
      contoso?.id ?? "",
      makeConnectionTest({
        ok: false,
        signedIn: false,
        summary: "Cannot sign in: the app is not consented in this tenant (AADSTS700016)",
        kinds: [],
        adminConsentUrl: url,
      }),
    );
    await userEvent.click(within(row("Contoso")).getByTestId("test-connection"));
    const dialog = await screen.findByTestId("test-dialog");
    expect(await within(dialog).findByTestId("test-summary")).toHaveTextContent("AADSTS700016");
    expect(within(dialog).getByTestId("admin-consent-url")).toHaveTextContent(url);
  });

  it("captures a tenant now as a job and shows how the run went", async () => {
    const fake = backend();
    renderWithBackend(<Tenants />, fake);
    await userEvent.click(within(await screen.findByTestId("tenants-table")).getAllByTestId("capture-now")[0]);
    await waitFor(() => expect(within(row("Contoso")).getByTestId("last-run-status")).toHaveTextContent("OK"));
    expect(await screen.findByTestId("capture-job-done")).toHaveTextContent("1 of 1 tenants captured whole");
    await userEvent.click(within(row("Contoso")).getByTestId("history"));
    const history = await screen.findByTestId("history-dialog");
    expect(await within(history).findByTestId("history-runs")).toHaveTextContent("120 items, 42 requests");
  });

  it("lists the tenants a capture could not read, with why", async () => {
    const fake = backend();
    const contoso = fake.tenantsSnapshot()[0]?.id ?? "";
    const failing = new FakeBackend({
      jobPolls: 1,
      tenants: fake.tenantsSnapshot(),
      graph: {
        app: {
          clientId: "11111111-2222-4333-8444-555555555555",
          cloud: "global",
          secretSetAt: "2026-12-01T10:00:00Z",
          credential: "secret",
          certificateThumbprint: null,
        },
        outcomes: { [contoso]: "failed" },
      },
    });
    renderWithBackend(<Tenants />, failing);
    await userEvent.click(within(await screen.findByTestId("tenants-table")).getAllByTestId("capture-now")[0]);
    expect(await screen.findByTestId("capture-failures")).toHaveTextContent("Contoso: sign-in refused (AADSTS700016)");
    await waitFor(() => expect(within(row("Contoso")).getByTestId("last-run-status")).toHaveTextContent("Failed"));
  });

  it("changes the cadence and resumes a parked tenant", async () => {
    const fake = backend();
    const contoso = fake.tenantsSnapshot()[0]?.id ?? "";
    const parked = new FakeBackend({
      tenants: fake.tenantsSnapshot(),
      graph: {
        app: {
          clientId: "11111111-2222-4333-8444-555555555555",
          cloud: "global",
          secretSetAt: null,
          credential: "certificate",
          certificateThumbprint: "q1w2e3",
        },
        schedules: {
          [contoso]: {
            parkedAt: "2026-12-01T10:00:00Z",
            consecutiveFailures: 5,
            lastError: "sign-in refused (AADSTS700016)",
          },
        },
      },
    });
    renderWithBackend(<Tenants />, parked);
    await screen.findByTestId("tenants-table");
    expect(within(row("Contoso")).getByTestId("parked")).toBeInTheDocument();
    await userEvent.click(within(row("Contoso")).getByTestId("resume"));
    await waitFor(() => expect(within(row("Contoso")).queryByTestId("parked")).not.toBeInTheDocument());
    await userEvent.click(within(row("Contoso")).getByTestId("schedule"));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Every 6 hours" }));
    await waitFor(() => expect(within(row("Contoso")).getByText("Every 6 hours")).toBeInTheDocument());
    await userEvent.click(within(row("Contoso")).getByTestId("schedule"));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Only when asked" }));
    await waitFor(() => expect(within(row("Contoso")).getByText("Manual")).toBeInTheDocument());
    // The app signs in with a certificate (set up from the command line): the dialog says so.
    await userEvent.click(screen.getByTestId("graph-app"));
    expect(await screen.findByTestId("graph-certificate")).toHaveTextContent("x5t#S256 q1w2e3");
  });
});
