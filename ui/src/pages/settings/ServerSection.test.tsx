import { screen, waitFor, within } from "@testing-library/react";
import userEvent, { type UserEvent } from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FAKE_WRONG_PASSWORD, FakeBackend } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { renderWithBackend } from "../../test/render";
import { ServerSection } from "./ServerSection";
import type { ServerConnectionView } from "../../backend";

const URL = "https://plumbline.example.com";
const PASSWORD = "correct horse battery staple";
const HOUR = 60 * 60 * 1000;

/** Signed in as Alice, checked three hours ago. */
function connected(fields: Partial<ServerConnectionView> = {}): Partial<ServerConnectionView> {
  return {
    url: URL,
    status: "connected",
    user: { email: "alice@contoso.com", name: "Alice Example" },
    deviceName: "Alice's laptop",
    workspaces: [
      { id: "w-1", name: "Contoso MSP", role: "owner" },
      { id: "w-2", name: "Fabrikam IT", role: "reviewer" },
    ],
    serverVersion: "0.1.0",
    checkedAt: new Date(Date.now() - 3 * HOUR).toISOString(),
    problem: null,
    ...fields,
  };
}

async function fillForm(
  user: UserEvent,
  fields: { url?: string; email?: string; password?: string; device?: string },
) {
  if (fields.url !== undefined) {
    await user.clear(screen.getByLabelText(/Server address/));
    await user.type(screen.getByLabelText(/Server address/), fields.url);
  }
  if (fields.email !== undefined) await user.type(screen.getByLabelText(/E-mail address/), fields.email);
  if (fields.password !== undefined) await user.type(screen.getByLabelText(/Password/), fields.password);
  if (fields.device !== undefined) {
    await user.clear(screen.getByLabelText(/Device name/));
    await user.type(screen.getByLabelText(/Device name/), fields.device);
  }
}

describe("Settings: Plumbline server", () => {
  it("offers the sign-in form when this computer never signed in", async () => {
    renderWithBackend(<ServerSection />, new FakeBackend({ settings: { keychain: "Secret Service" } }));

    const region = await screen.findByRole("region", { name: "Plumbline server" });
    expect(await screen.findByTestId("server-status")).toHaveTextContent("Not signed in to a Plumbline server.");
    expect(region).toHaveTextContent("lets your team share one portfolio");
    expect(region).toHaveTextContent("device token is kept only in the Secret Service");
    expect(screen.getByTestId("server-not-yet")).toHaveTextContent(
      "Syncing the portfolio with the server comes in a later version",
    );
    const form = screen.getByRole("form", { name: "Sign in to a Plumbline server" });
    expect(within(form).getByLabelText(/Server address/)).toHaveAttribute(
      "placeholder",
      "https://plumbline.example.com",
    );
    expect(within(form).getByLabelText(/E-mail address/)).toHaveValue("");
    expect(within(form).getByLabelText(/Password/)).toHaveAttribute("type", "password");
    expect(within(form).getByLabelText(/Device name/)).toHaveValue("This computer");
    expect(within(form).getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(screen.queryByTestId("server-problem")).not.toBeInTheDocument();
    expect(screen.queryByTestId("server-check")).not.toBeInTheDocument();
    expect(screen.queryByTestId("server-sign-out")).not.toBeInTheDocument();
  });

  it("says what is missing before asking the server", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend();
    renderWithBackend(<ServerSection />, fake);

    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter the address with http:// or https:// at the start.")).toBeInTheDocument();
    expect(screen.getByText("Enter the e-mail address you sign in to the server with.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    expect(screen.getByLabelText(/Server address/)).toHaveFocus();

    await fillForm(user, { url: "plumbline.example.com", email: "alice@contoso.com", password: PASSWORD });
    expect(screen.getByText("Enter the address with http:// or https:// at the start.")).toBeInTheDocument();
    expect(screen.queryByText("Enter the e-mail address you sign in to the server with.")).not.toBeInTheDocument();
    expect(screen.queryByText("Enter your password.")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText(/Server address/)).toHaveFocus();
    expect(fake.calls.signInToServer).toBe(0);
    // Nothing was sent, so the password is still there to send.
    expect(screen.getByLabelText(/Password/)).toHaveValue(PASSWORD);
  });

  it("signs in, shows what the server says and forgets the password", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { keychain: "Secret Service" } });
    renderWithBackend(<ServerSection />, fake);

    await screen.findByRole("form", { name: "Sign in to a Plumbline server" });
    await fillForm(user, {
      url: `${URL}/`,
      email: "alice@contoso.com",
      password: PASSWORD,
      device: "Alice's laptop",
    });
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    await waitFor(() =>
      expect(screen.getByTestId("server-status")).toHaveTextContent(`Connected to ${URL}.`),
    );
    expect(screen.getByTestId("server-status")).toHaveFocus();
    expect(screen.getByTestId("server-address")).toHaveTextContent(URL);
    expect(screen.getByTestId("server-version")).toHaveTextContent("0.1.0");
    expect(screen.getByTestId("server-user")).toHaveTextContent("Alice <alice@contoso.com>");
    expect(screen.getByTestId("server-device-name")).toHaveTextContent("Alice's laptop");
    expect(screen.getByTestId("server-token")).toHaveTextContent("in the Secret Service");
    expect(screen.getAllByTestId("server-workspace").map((w) => w.textContent)).toEqual([
      "Contoso MSP (operator)",
    ]);
    const checkedAt = screen.getByTestId("server-checked-at");
    expect(checkedAt).toHaveTextContent("just now");
    expect(checkedAt).toHaveAttribute("title");
    expect(screen.getByTestId("server-not-yet")).toHaveTextContent("no tenants, findings or reports move");
    expect(screen.getByRole("button", { name: "Check connection" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Sign out…" })).toBeEnabled();

    // The password is nowhere on the page; the token is in the keychain only.
    expect(screen.queryByTestId("server-password")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(PASSWORD)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(PASSWORD);
    expect(fake.settings.serverToken()).toBeDefined();
    expect(fake.calls.signInToServer).toBe(1);
  });

  it("shows the server's refusal and keeps the form, without the password", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend();
    renderWithBackend(<ServerSection />, fake);

    await screen.findByRole("form", { name: "Sign in to a Plumbline server" });
    await fillForm(user, { url: URL, email: "alice@contoso.com", password: FAKE_WRONG_PASSWORD });
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const error = await screen.findByTestId("server-error");
    expect(error).toHaveTextContent("Couldn't sign in to the server");
    expect(error).toHaveTextContent("The server did not accept that e-mail address and password");
    expect(screen.getByTestId("server-status")).toHaveTextContent("Not signed in");
    expect(screen.getByLabelText(/Server address/)).toHaveValue(URL);
    expect(screen.getByLabelText(/E-mail address/)).toHaveValue("alice@contoso.com");
    expect(screen.getByLabelText(/Password/)).toHaveValue("");
    // Not a validation message: the password was entered, the server refused it.
    expect(screen.queryByText("Enter your password.")).not.toBeInTheDocument();
    expect(fake.settings.serverToken()).toBeUndefined();

    // Any other failure, e.g. a server that cannot be reached, reads the same way.
    fake.fail("signInToServer", new BackendError("io", `could not reach ${URL}: connection refused`));
    await user.type(screen.getByLabelText(/Password/), PASSWORD);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() =>
      expect(screen.getByTestId("server-error")).toHaveTextContent("connection refused"),
    );
    expect(screen.getByLabelText(/Password/)).toHaveValue("");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("checks the connection, and says when the server does not answer", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { server: connected() } });
    renderWithBackend(<ServerSection />, fake);

    expect(await screen.findByTestId("server-checked-at")).toHaveTextContent("3 hours ago");
    expect(screen.getAllByTestId("server-workspace").map((w) => w.textContent)).toEqual([
      "Contoso MSP (owner)",
      "Fabrikam IT (reviewer)",
    ]);
    expect(screen.getByTestId("server-user")).toHaveTextContent("Alice Example <alice@contoso.com>");

    await user.click(screen.getByRole("button", { name: "Check connection" }));
    expect(await screen.findByTestId("server-done")).toHaveTextContent("Connected: the server answered.");
    expect(screen.getByTestId("server-checked-at")).toHaveTextContent("just now");

    fake.settings.serverDown(`could not reach ${URL}: connection timed out after 10 s`);
    await user.click(screen.getByRole("button", { name: "Check connection" }));
    const problem = await screen.findByTestId("server-problem");
    expect(problem).toHaveTextContent("The last check failed");
    expect(problem).toHaveTextContent("connection timed out after 10 s");
    expect(screen.queryByTestId("server-done")).not.toBeInTheDocument();
    expect(screen.getByTestId("server-status")).toHaveTextContent(
      `Signed in to ${URL}, but the last check failed.`,
    );

    fake.settings.serverDown(null);
    await user.click(within(problem).getByRole("button", { name: "Check again" }));
    expect(await screen.findByTestId("server-done")).toHaveTextContent("Connected: the server answered.");
    expect(screen.queryByTestId("server-problem")).not.toBeInTheDocument();
    expect(fake.calls.checkServerConnection).toBe(3);

    fake.fail("checkServerConnection", new BackendError("io", "the Secret Service is locked"));
    await user.click(screen.getByRole("button", { name: "Check connection" }));
    const error = await screen.findByTestId("server-error");
    expect(error).toHaveTextContent("Couldn't check the connection");
    expect(error).toHaveTextContent("the Secret Service is locked");
  });

  it("signs out only after a confirmation, back to the form", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { server: connected(), keychain: "Secret Service" } });
    renderWithBackend(<ServerSection />, fake);
    expect(fake.settings.serverToken()).toBeDefined();

    await user.click(await screen.findByRole("button", { name: "Sign out…" }));
    let dialog = await screen.findByRole("dialog", { name: "Sign out of the server?" });
    expect(dialog).toHaveTextContent(
      "This computer's token is revoked and removed from the Secret Service; your local data stays.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(fake.calls.signOutOfServer).toBe(0);
    expect(screen.getByTestId("server-status")).toHaveTextContent("Connected");

    await user.click(screen.getByRole("button", { name: "Sign out…" }));
    dialog = await screen.findByRole("dialog", { name: "Sign out of the server?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));

    expect(await screen.findByTestId("server-done")).toHaveTextContent(
      "Signed out. This computer's token was removed from the Secret Service",
    );
    expect(screen.getByTestId("server-status")).toHaveTextContent(`Signed out of ${URL}.`);
    expect(screen.getByRole("form", { name: "Sign in to a Plumbline server" })).toBeInTheDocument();
    expect(screen.getByLabelText(/Server address/)).toHaveValue(URL);
    expect(screen.getByLabelText(/E-mail address/)).toHaveValue("alice@contoso.com");
    expect(screen.getByLabelText(/Device name/)).toHaveValue("Alice's laptop");
    expect(screen.getByLabelText(/Password/)).toHaveValue("");
    // A sign-out the user asked for is no problem to warn about.
    expect(screen.queryByTestId("server-problem")).not.toBeInTheDocument();
    expect(screen.queryByTestId("server-facts")).not.toBeInTheDocument();
    expect(fake.settings.serverToken()).toBeUndefined();
    expect(fake.calls.signOutOfServer).toBe(1);
  });

  it("signs out here even when the server cannot be told, and says so", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { server: connected() } });
    renderWithBackend(<ServerSection />, fake);

    fake.settings.serverDown(`cannot reach the Plumbline server at ${URL} (connection refused)`);
    await user.click(await screen.findByRole("button", { name: "Sign out…" }));
    const dialog = await screen.findByRole("dialog", { name: "Sign out of the server?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));

    expect(await screen.findByTestId("server-done")).toHaveTextContent("Signed out.");
    const problem = screen.getByTestId("server-problem");
    expect(problem).toHaveTextContent(
      /^Signed out on this computer, but the server could not be told: cannot reach/,
    );
    expect(problem).toHaveTextContent("until you revoke it there");
    expect(screen.getByRole("form", { name: "Sign in to a Plumbline server" })).toBeInTheDocument();
    expect(fake.settings.serverToken()).toBeUndefined();
  });

  it("shows the failed state's problem, with Check again and Sign out", async () => {
    const problem = `${URL} answered 503 Service Unavailable: the server is starting; try again in a minute`;
    renderWithBackend(
      <ServerSection />,
      new FakeBackend({ settings: { server: connected({ status: "failed", problem }) } }),
    );

    const bar = await screen.findByTestId("server-problem");
    expect(bar).toHaveTextContent("The last check failed");
    expect(bar).toHaveTextContent(problem);
    expect(within(bar).getByRole("button", { name: "Check again" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Sign out…" })).toBeEnabled();
    expect(screen.queryByRole("button", { name: "Check connection" })).not.toBeInTheDocument();
    expect(screen.getByTestId("server-address")).toHaveTextContent(URL);
    expect(screen.queryByRole("form")).not.toBeInTheDocument();
  });

  it("says why the server signed this computer out, with the form to sign in again", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { server: connected() } });
    renderWithBackend(<ServerSection />, fake);

    fake.settings.revokeDevice("this device's token was revoked on the server (revoked): sign in again");
    await user.click(await screen.findByRole("button", { name: "Check connection" }));

    expect(await screen.findByTestId("server-problem")).toHaveTextContent(
      "Signed out: this device's token was revoked on the server (revoked): sign in again",
    );
    expect(screen.getByTestId("server-status")).toHaveFocus();
    expect(screen.getByRole("form", { name: "Sign in to a Plumbline server" })).toBeInTheDocument();
    expect(screen.getByLabelText(/Server address/)).toHaveValue(URL);
    expect(screen.queryByTestId("server-done")).not.toBeInTheDocument();
    expect(fake.settings.serverToken()).toBeUndefined();
  });

  it("has no serious accessibility problems signed in, failed or signed out", async () => {
    const states: Partial<ServerConnectionView>[] = [
      connected(),
      connected({ status: "failed", problem: "Cannot reach the Plumbline server" }),
      connected({ status: "signedOut", workspaces: [], problem: "The server revoked this device's token" }),
    ];
    for (const server of states) {
      const { container, unmount } = renderWithBackend(
        <ServerSection />,
        new FakeBackend({ settings: { server } }),
      );
      await screen.findByTestId("server-status");
      const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
      expect(
        results.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${server.status}: ${v.id}`),
      ).toEqual([]);
      unmount();
    }
  });

  it("titles a load failure and retries", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend();
    fake.fail("serverConnection", new BackendError("database", "database is locked"));
    renderWithBackend(<ServerSection />, fake);

    expect(await screen.findByText("Couldn't load the server connection")).toBeInTheDocument();
    expect(screen.getByText("database is locked")).toBeInTheDocument();
    fake.fail("serverConnection", null);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("server-status")).toHaveTextContent("Not signed in");
  });
});

describe("Einstellungen auf Deutsch: Plumbline-Server", () => {
  afterEach(() => setLanguagePreference("system"));

  it("labels the card, the form and the signed-in facts in German", async () => {
    setLanguagePreference("de");
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { keychain: "Secret Service" } });
    renderWithBackend(<ServerSection />, fake);

    const region = await screen.findByRole("region", { name: "Plumbline-Server" });
    expect(await screen.findByTestId("server-status")).toHaveTextContent(
      "Nicht bei einem Plumbline-Server angemeldet.",
    );
    expect(region).toHaveTextContent("im Schlüsselspeicher „Secret Service“ aufbewahrt");
    expect(screen.getByTestId("server-not-yet")).toHaveTextContent(
      "Die Synchronisierung des Portfolios mit dem Server kommt in einer späteren Version",
    );
    const form = screen.getByRole("form", { name: "Bei einem Plumbline-Server anmelden" });
    expect(within(form).getByLabelText(/Gerätename/)).toHaveValue("Dieser Computer");

    await user.click(within(form).getByRole("button", { name: "Anmelden" }));
    expect(screen.getByText("Geben Sie die Adresse mit http:// oder https:// am Anfang ein.")).toBeInTheDocument();
    expect(screen.getByText("Geben Sie Ihr Kennwort ein.")).toBeInTheDocument();

    await user.type(within(form).getByLabelText(/Serveradresse/), URL);
    await user.type(within(form).getByLabelText(/E-Mail-Adresse/), "alice@contoso.com");
    await user.type(within(form).getByLabelText(/Kennwort/), FAKE_WRONG_PASSWORD);
    await user.click(within(form).getByRole("button", { name: "Anmelden" }));
    const error = await screen.findByTestId("server-error");
    expect(error).toHaveTextContent("Die Anmeldung am Server ist fehlgeschlagen");
    expect(error).toHaveTextContent("The server did not accept that e-mail address and password"); // the backend's words

    await user.type(screen.getByLabelText(/Kennwort/), PASSWORD);
    await user.click(screen.getByRole("button", { name: "Anmelden" }));
    await waitFor(() =>
      expect(screen.getByTestId("server-status")).toHaveTextContent(`Verbunden mit ${URL}.`),
    );
    for (const term of ["Serveradresse", "Serverversion", "Angemeldet als", "Dieses Gerät", "Arbeitsbereiche", "Zuletzt geprüft"]) {
      expect(within(region).getByText(term)).toBeInTheDocument();
    }
    expect(screen.getByTestId("server-workspace")).toHaveTextContent("Contoso MSP (Operator)");
    expect(screen.getByTestId("server-checked-at")).toHaveTextContent("gerade eben");

    await user.click(screen.getByRole("button", { name: "Verbindung prüfen" }));
    expect(await screen.findByTestId("server-done")).toHaveTextContent("Verbunden: Der Server hat geantwortet.");

    await user.click(screen.getByRole("button", { name: "Abmelden…" }));
    const dialog = await screen.findByRole("dialog", { name: "Vom Server abmelden?" });
    expect(dialog).toHaveTextContent(
      "Das Token dieses Computers wird widerrufen und aus dem Schlüsselspeicher „Secret Service“ entfernt; Ihre lokalen Daten bleiben erhalten.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Abmelden" }));
    expect(await screen.findByTestId("server-done")).toHaveTextContent("Abgemeldet.");
    expect(screen.getByRole("button", { name: "Anmelden" })).toBeInTheDocument();

    for (const english of ["Plumbline server", "Sign in", "Server address", "Password", "Check connection", "Last checked"]) {
      expect(region).not.toHaveTextContent(english);
    }
  });
});
