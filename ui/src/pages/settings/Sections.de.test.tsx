import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { BrandingSection } from "./BrandingSection";
import { ConnectionsSection } from "./ConnectionsSection";
import { DataSection } from "./DataSection";
import { SigningKeySection } from "./SigningKeySection";

const LOGO = "/home/msp/Pictures/acme.png";
const SECRET = "Qx8~fake-client-secret.VALUE-0123456789";

beforeEach(() => setLanguagePreference("de"));
afterEach(() => setLanguagePreference("system"));

describe("Einstellungen auf Deutsch: Berichtsbranding", () => {
  it("shows the form, its validation and the saved logo in German", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({
      settings: { logoFiles: { [LOGO]: { width: 240, height: 80, size: 5_120 } } },
    });
    renderWithBackend(<BrandingSection />, fake);

    const region = await screen.findByRole("region", { name: "Berichtsbranding" });
    const name = await screen.findByLabelText(/MSP-Name/);
    expect(screen.getByTestId("no-logo")).toHaveTextContent("Kein Logo: Berichte zeigen nur den MSP-Namen.");
    expect(screen.getByTestId("branding-preview")).toHaveTextContent("Ihr MSP-Name");
    expect(screen.getByText("Vorschau eines Deckblatts:")).toBeInTheDocument();

    const colour = screen.getByLabelText(/Akzentfarbe/);
    await user.clear(colour);
    await user.type(colour, "navy");
    expect(screen.getByText("Sechs Hexadezimalziffern nach dem #.")).toBeInTheDocument();
    await user.clear(colour);
    await user.type(colour, "#1F4E79");

    await user.type(name, "Acme IT");
    fake.picks.push(LOGO);
    await user.click(screen.getByRole("button", { name: "Bild wählen…" }));
    await waitFor(() => expect(screen.getByLabelText(/Logo \(optional\)/)).toHaveValue(LOGO));
    await user.click(screen.getByRole("button", { name: "Branding speichern" }));
    expect(await screen.findByTestId("branding-saved")).toHaveTextContent(
      "Branding gespeichert. Neue Berichte verwenden es, aus dieser App und mit plumbline report.",
    );
    expect(screen.getByRole("img", { name: "Gespeichertes Logo, 240 × 80 Pixel" })).toBeInTheDocument();
    // The size in German number format.
    expect(region).toHaveTextContent(`240 × 80 px, 5,0 KB, gelesen aus ${LOGO}.`);
    expect(screen.getByLabelText(/Logo ersetzen durch/)).toHaveValue("");
    expect(screen.getByRole("button", { name: "Logo entfernen" })).toBeInTheDocument();
    expect(screen.getByText(/Zuletzt gespeichert:/)).toBeInTheDocument();

    for (const english of ["Report branding", "Save branding", "Branding saved", "Remove logo", "Last saved"]) {
      expect(region).not.toHaveTextContent(english);
    }
    expect(screen.queryByLabelText(/Accent colour/)).not.toBeInTheDocument();
  });

  it("titles a load failure in German and keeps the backend's message", async () => {
    const fake = new FakeBackend();
    fake.fail("reportSettings", new BackendError("database", "database is locked"));
    renderWithBackend(<BrandingSection />, fake);

    const region = await screen.findByRole("region", { name: "Berichtsbranding" });
    expect(await within(region).findByText("Das Branding konnte nicht geladen werden")).toBeInTheDocument();
    expect(within(region).getByText(/database is locked/)).toBeInTheDocument();
    expect(region).not.toHaveTextContent("Couldn't load the branding");
  });
});

describe("Einstellungen auf Deutsch: Mandantenverbindungen", () => {
  it("counts tenants with German plurals", async () => {
    const { unmount } = renderWithBackend(<ConnectionsSection />, new FakeBackend({ tenants: TENANTS }));
    const region = await screen.findByRole("region", { name: "Mandantenverbindungen" });
    expect(await screen.findByTestId("connections-summary")).toHaveTextContent(
      "Für 0 von 4 Mandanten ist ein geheimer Clientschlüssel gespeichert.",
    );
    expect(region).toHaveTextContent("kommt mit dem Graph-Connector");
    expect(region).not.toHaveTextContent("arrives with the Graph connector");
    expect(region).not.toHaveTextContent("have a client secret stored");
    unmount();

    renderWithBackend(<ConnectionsSection />, new FakeBackend({ tenants: TENANTS.slice(0, 1) }));
    expect(await screen.findByTestId("connections-summary")).toHaveTextContent(
      "Für 0 von 1 Mandant ist ein geheimer Clientschlüssel gespeichert.",
    );
  });

  it("saves ids, stores and removes the secret in German", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ tenants: TENANTS, settings: { keychain: "Secret Service" } });
    renderWithBackend(<ConnectionsSection />, fake);

    await user.selectOptions(await screen.findByLabelText("Mandant"), "Fabrikam");
    expect(screen.getByLabelText("Geheimer Clientschlüssel")).toBeDisabled();
    expect(screen.getByText(/Speichern Sie zuerst die Anwendungs-ID \(Client\)/)).toBeInTheDocument();
    expect(screen.getByTestId("secret-status")).toHaveTextContent(
      "Kein geheimer Clientschlüssel gespeichert. Er kommt in den Schlüsselspeicher „Secret Service“, nie in die Datenbank.",
    );

    await user.type(screen.getByLabelText(/Anwendungs-ID \(Client\)/), "11111111-2222-3333-4444-555555555555");
    await user.click(screen.getByRole("button", { name: "IDs speichern" }));
    expect(await screen.findByTestId("connection-saved")).toHaveTextContent("IDs für Fabrikam gespeichert.");

    await user.type(screen.getByLabelText("Geheimer Clientschlüssel"), SECRET);
    await user.click(screen.getByRole("button", { name: "Im Schlüsselspeicher speichern" }));
    await waitFor(() =>
      expect(screen.getByTestId("secret-status")).toHaveTextContent(
        /^Geheimer Clientschlüssel am .+ im Schlüsselspeicher „Secret Service“ gespeichert\. Er wird nie wieder angezeigt\.$/,
      ),
    );
    expect(screen.getByTestId("connections-summary")).toHaveTextContent("Für 1 von 4 Mandanten");

    await user.click(screen.getByRole("button", { name: "Entfernen" }));
    const dialog = await screen.findByRole("dialog", { name: "Geheimen Clientschlüssel von Fabrikam entfernen?" });
    expect(dialog).toHaveTextContent("Er wird aus dem Schlüsselspeicher „Secret Service“ gelöscht.");
    expect(within(dialog).getByRole("button", { name: "Abbrechen" })).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Clientschlüssel entfernen" }));
    expect(await screen.findByTestId("connection-saved")).toHaveTextContent(
      "Geheimer Clientschlüssel aus dem Schlüsselspeicher „Secret Service“ entfernt.",
    );
    expect(screen.queryByRole("button", { name: "Save ids" })).not.toBeInTheDocument();
    expect(screen.queryByText(/Client secret/)).not.toBeInTheDocument();
  });

  it("says what to do without tenants, in German", async () => {
    renderWithBackend(<ConnectionsSection />, new FakeBackend());
    expect(await screen.findByTestId("connections-empty")).toHaveTextContent(
      "Noch keine Mandanten. Importieren Sie einen mit plumbline import, und geben Sie dann hier seine IDs ein.",
    );
  });
});

describe("Einstellungen auf Deutsch: Daten", () => {
  it("labels the folders in German and formats the size the German way", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ appInfo: { dbPath: "/data/plumbline.db" } });
    fake.fail("openPath", new BackendError("io", "cannot open /data with the default app"));
    renderWithBackend(<DataSection />, fake);

    const region = await screen.findByRole("region", { name: "Daten" });
    expect(await screen.findByTestId("db-size")).toHaveTextContent("18,0 MB");
    for (const term of ["Datenbank", "Größe auf dem Datenträger", "Datenordner", "Berichte", "Nachweispakete"]) {
      expect(within(region).getByText(term)).toBeInTheDocument();
    }
    expect(await screen.findByText(/Version 0\.0\.0-fake\./)).toBeInTheDocument();
    expect(region).toHaveTextContent("Die Befehlszeile verwendet dieselbe Datenbank.");

    await user.click(screen.getByRole("button", { name: "Datenordner öffnen" }));
    const error = await screen.findByTestId("open-folder-error");
    expect(error).toHaveTextContent("Der Datenordner konnte nicht geöffnet werden");
    expect(error).toHaveTextContent("cannot open /data with the default app");
    for (const english of ["Size on disk", "Open data folder", "Evidence packs", "The command line"]) {
      expect(region).not.toHaveTextContent(english);
    }
  });

  it("switches to English at once when the language changes", async () => {
    renderWithBackend(<DataSection />, new FakeBackend());
    expect(await screen.findByRole("button", { name: "Datenordner öffnen" })).toBeInTheDocument();
    act(() => setLanguagePreference("en"));
    expect(screen.getByRole("button", { name: "Open data folder" })).toBeInTheDocument();
    expect(screen.getByText("Size on disk")).toBeInTheDocument();
  });
});

describe("Einstellungen auf Deutsch: Signaturschlüssel", () => {
  it("says the key was made, exports and rotates it in German", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({
      appInfo: { dbPath: "/data/plumbline.db" },
      settings: { keychain: "Linux kernel keyring" },
    });
    renderWithBackend(<SigningKeySection />, fake);

    const region = await screen.findByRole("region", { name: "Signaturschlüssel für Nachweise" });
    const created = await screen.findByTestId("key-created-now");
    expect(created).toHaveTextContent("Schlüssel erstellt");
    expect(created).toHaveTextContent("Sein privater Teil liegt im Schlüsselspeicher „Linux kernel keyring“.");
    expect(screen.getByTestId("key-keychain")).toHaveTextContent("im Schlüsselspeicher „Linux kernel keyring“");
    expect(within(region).getByText("Fingerabdruck")).toBeInTheDocument();
    expect(within(region).getByText("Privater Schlüssel")).toBeInTheDocument();
    const fingerprint = screen.getByTestId("key-fingerprint").textContent ?? "";

    expect(screen.getByLabelText(/Öffentlichen Schlüssel exportieren nach/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Öffentlichen Schlüssel exportieren" }));
    expect(await screen.findByTestId("key-done")).toHaveTextContent(
      `Öffentlicher Schlüssel (Fingerabdruck ${fingerprint}) nach /data/evidence/plumbline-signer-${fingerprint.slice(0, 16)}.pub geschrieben.`,
    );

    await user.click(screen.getByRole("button", { name: "Schlüssel rotieren…" }));
    const dialog = await screen.findByRole("dialog", { name: "Neuen Signaturschlüssel erstellen?" });
    expect(dialog).toHaveTextContent("Mit dem aktuellen Schlüssel signierte Pakete lassen sich weiterhin prüfen");
    expect(within(dialog).getByRole("button", { name: "Abbrechen" })).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Schlüssel rotieren" }));
    expect(await screen.findByTestId("key-done")).toHaveTextContent(
      `Der alte Schlüssel ${fingerprint} ist ausgemustert; seine Pakete lassen sich weiterhin prüfen.`,
    );
    const table = await screen.findByRole("table", { name: "Ausgemusterte Signaturschlüssel" });
    expect(within(table).getByRole("columnheader", { name: "Ausgemusterter Schlüssel" })).toBeInTheDocument();
    expect(within(table).getByRole("columnheader", { name: "Erstellt" })).toBeInTheDocument();

    for (const english of ["Evidence signing key", "Key created", "Fingerprint", "Export public key", "Rotate key"]) {
      expect(region).not.toHaveTextContent(english);
    }
  });

  it("titles the lost private key in German around the backend's message", async () => {
    const fake = new FakeBackend({
      settings: {
        signingKey: { fingerprint: "b".repeat(64), createdAt: "2026-01-01T00:00:00.000Z" },
        keyMissing: true,
        keychain: "Secret Service",
      },
    });
    renderWithBackend(<SigningKeySection />, fake);

    const missing = await screen.findByTestId("key-missing");
    expect(missing).toHaveTextContent("Der private Schlüssel fehlt");
    expect(missing).toHaveTextContent("Packs it signed still verify");
    expect(missing).toHaveTextContent("Hier erstellt Schlüssel rotieren unten den neuen Schlüssel.");
    expect(screen.getByTestId("key-keychain")).toHaveTextContent("fehlt im Schlüsselspeicher „Secret Service“");
    expect(screen.getByRole("button", { name: "Öffentlichen Schlüssel exportieren" })).toBeDisabled();
  });
});
