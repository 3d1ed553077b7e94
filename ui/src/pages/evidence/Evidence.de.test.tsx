import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, type PackVerdict } from "../../backend";
import { FakeBackend, makePack } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Evidence } from "./Evidence";

const SLOW = 20_000;

function backend(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  return new FakeBackend({
    tenants: TENANTS,
    appInfo: { dbPath: "/home/me/.local/share/plumbline/plumbline.db" },
    ...options,
  });
}

const CONTOSO_PACK = makePack({
  id: "p-1",
  tenant: "Contoso",
  tenantId: "tenant-contoso",
  path: "/home/me/.local/share/plumbline/evidence/contoso-q1.zip",
  sha256: "ab".repeat(32),
  redacted: true,
});

const MOVED_PACK = makePack({
  id: "p-2",
  tenant: "Fabrikam",
  tenantId: "tenant-fabrikam",
  path: "/home/me/old/fabrikam.zip",
  fileExists: false,
});

beforeEach(() => setLanguagePreference("de"));
afterEach(() => setLanguagePreference("system"));

describe("Evidence page in German", () => {
  it("shows the page, the forms and the empty list in German", async () => {
    renderWithBackend(<Evidence />, backend());

    expect(screen.getByRole("heading", { level: 1, name: "Nachweise" })).toBeInTheDocument();
    expect(screen.getByText(/dieselben Pakete erstellt/)).toBeInTheDocument();
    const empty = await screen.findByTestId("packs-empty");
    expect(empty).toHaveTextContent("Noch keine Nachweispakete");
    expect(empty).toHaveTextContent("Paket erstellen");
    expect(screen.getByRole("heading", { name: "Hier erstellte Pakete" })).toBeInTheDocument();

    expect(screen.getByRole("form", { name: "Nachweispaket erstellen" })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Mandant\b/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Von/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Bis/)).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Personenbezogene Daten schwärzen" })).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Berichte aufnehmen" })).toBeInTheDocument();
    expect(
      await screen.findByText(
        /in \/home\/me\/\.local\/share\/plumbline\/evidence zu speichern, benannt nach Mandant und Zeitraum/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Paket erstellen" })).toBeInTheDocument();

    expect(screen.getByRole("form", { name: "Paket prüfen" })).toBeInTheDocument();
    expect(screen.getByLabelText(/Paketdatei/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Fingerabdruck des vertrauenswürdigen Schlüssels/)).toBeInTheDocument();

    expect(screen.queryByText("Evidence")).not.toBeInTheDocument();
    expect(screen.queryByText("No evidence packs yet")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create pack" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Verify" })).not.toBeInTheDocument();
  });

  it(
    "makes a pack and tells its contents with German plurals",
    async () => {
      const user = userEvent.setup();
      renderWithBackend(<Evidence />, backend({ latencyMs: 20 }));
      await screen.findByTestId("packs-empty");
      await user.click(screen.getByRole("switch", { name: "Personenbezogene Daten schwärzen" }));
      expect(screen.getByText(/Nicht mit Schwärzung möglich/)).toBeInTheDocument();

      await user.click(screen.getByRole("button", { name: "Paket erstellen" }));
      expect(
        await screen.findByRole("progressbar", { name: "Nachweispaket: Fortschritt" }),
      ).toBeInTheDocument();
      const result = await screen.findByTestId("pack-result", {}, { timeout: 8000 });
      expect(result).toHaveTextContent("Paket bereit:");
      expect(within(result).getByTestId("pack-result-counts")).toHaveTextContent(
        "42 Dateien, 17 Überwachungsereignisse",
      );
      expect(within(result).getByRole("button", { name: "Dieses Paket prüfen" })).toBeInTheDocument();
      expect(within(result).getByRole("button", { name: "SHA-256 kopieren" })).toBeInTheDocument();
      expect(within(result).getByRole("button", { name: "Dateipfad kopieren" })).toBeInTheDocument();
      expect(screen.getByTestId("pack-done")).toHaveTextContent("Nachweispaket abgeschlossen");

      const row = await screen.findByTestId("pack-row");
      expect(row).toHaveTextContent("Geschwärzt");
      expect(row).not.toHaveTextContent("Redacted");
    },
    SLOW,
  );

  it("lists packs with German columns, badges and names, and verifies one", async () => {
    const user = userEvent.setup();
    const fake = backend({ evidence: { packs: [CONTOSO_PACK, MOVED_PACK] } });
    renderWithBackend(<Evidence />, fake);

    const table = await screen.findByRole("table", { name: "Hier erstellte Pakete" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Mandant",
      "Zeitraum",
      "Erstellt",
      "Optionen",
      "Größe",
      "SHA-256",
      "Datei",
      "Aktionen",
    ]);
    const [contoso, moved] = screen.getAllByTestId("pack-row") as [HTMLElement, HTMLElement];
    expect(contoso).toHaveTextContent("2026-01-01 bis 2026-03-31");
    expect(contoso).toHaveTextContent("Geschwärzt");
    expect(within(contoso).getByTestId("pack-file-state")).toHaveTextContent("Vorhanden");
    expect(moved).toHaveTextContent("Keine");
    expect(within(moved).getByTestId("pack-file-state")).toHaveTextContent("Fehlt");
    expect(
      within(contoso).getByRole("button", {
        name: "SHA-256 des Pakets von Contoso, 2026-01-01 bis 2026-03-31 kopieren",
      }),
    ).toBeInTheDocument();

    await user.click(
      within(contoso).getByRole("button", {
        name: "Paket von Contoso, 2026-01-01 bis 2026-03-31 prüfen",
      }),
    );
    const ok = await screen.findByTestId("verdict-ok");
    expect(ok).toHaveTextContent("Das Paket ist unversehrt und seine Signatur ist gültig");
    expect(ok).toHaveTextContent("Alle Prüfungen bestanden:");
    // The checks come from the backend and stay in English.
    expect(ok).toHaveTextContent("manifest.sig: Ed25519 signature of manifest.json is valid");
    const details = screen.getByTestId("verdict-details");
    expect(details).toHaveTextContent("Zeitraum2026-01-01 bis 2026-03-31");
    expect(details).toHaveTextContent("Überwachungsereignisse");
    expect(screen.getByTestId("verdict-signer")).toHaveTextContent("Schlüssel dieses Arbeitsbereichs");
    expect(screen.getByRole("region", { name: "Prüfergebnis" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("verdict")).toHaveFocus());
  });

  it("names a failed verification and a missing path in German", async () => {
    const user = userEvent.setup();
    const fake = backend();
    const sent = "/home/me/Downloads/from-msp.zip";
    const verdict: PackVerdict = {
      ok: false,
      path: sent,
      sha256: "cd".repeat(32),
      fingerprint: null,
      tenant: null,
      periodFrom: null,
      periodTo: null,
      filesChecked: 1,
      auditEventsChecked: 1,
      passed: ["manifest.sig: Ed25519 signature of manifest.json is valid"],
      failures: [
        "findings.csv: SHA-256 is 00, the manifest says 11: the file was changed",
        "signer.pub: missing",
      ],
      signedByThisWorkspace: false,
    };
    fake.evidence.verdicts[sent] = verdict;
    renderWithBackend(<Evidence />, fake);
    await screen.findByTestId("packs-empty");

    await user.click(screen.getByRole("button", { name: "Prüfen" }));
    expect(screen.getByText("Geben Sie den Pfad der ZIP-Datei des Pakets ein.")).toBeInTheDocument();

    await user.type(screen.getByTestId("verify-path"), sent);
    await user.click(screen.getByRole("button", { name: "Prüfen" }));
    const failed = await screen.findByTestId("verdict-failed");
    expect(failed).toHaveTextContent("Das Paket hat die Prüfung nicht bestanden");
    expect(failed).toHaveTextContent("Diese 2 Prüfungen sind fehlgeschlagen:");
    expect(failed).toHaveTextContent("Diese Prüfungen wurden bestanden:");
    expect(screen.getAllByTestId("verdict-failure").map((li) => li.textContent)).toEqual(
      verdict.failures,
    );
    const details = screen.getByTestId("verdict-details");
    expect(details).toHaveTextContent("MandantUnbekannt");
    expect(details).toHaveTextContent("Kein lesbarer Signaturschlüssel im Paket");
    expect(details).toHaveTextContent("1 Datei, 1 Überwachungsereignis");
    expect(screen.getByTestId("verdict-signer")).toHaveTextContent(
      "Keiner der Schlüssel dieses Arbeitsbereichs",
    );
    expect(failed).not.toHaveTextContent("checks failed");
  });

  it("says in German when the packs cannot be loaded", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.fail("listEvidencePacks", new BackendError("database", "the database is locked: try again"));
    renderWithBackend(<Evidence />, fake);
    const error = await screen.findByTestId("packs-error");
    expect(error).toHaveTextContent("Die Pakete konnten nicht geladen werden");
    expect(error).toHaveTextContent("the database is locked: try again");
    fake.fail("listEvidencePacks", null);
    await user.click(screen.getByRole("button", { name: "Erneut versuchen" }));
    expect(await screen.findByTestId("packs-empty")).toBeInTheDocument();
  });
});
