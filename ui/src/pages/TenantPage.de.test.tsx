import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../backend/fake";
import { setLanguagePreference } from "../i18n";
import {
  CONTOSO_COMPARISON,
  CONTOSO_OVERVIEW,
  FINDINGS,
  NOW,
  TENANTS,
} from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { TenantPage } from "./TenantPage";
import type { TenantOverview } from "../backend";

function backend(overview: TenantOverview = CONTOSO_OVERVIEW) {
  return new FakeBackend({
    tenants: TENANTS,
    console: {
      findings: FINDINGS,
      overviews: { "tenant-contoso": overview },
      comparisons: { "c-2>c-3": CONTOSO_COMPARISON },
      now: () => NOW.getTime(),
    },
  });
}

beforeEach(() => setLanguagePreference("de"));
afterEach(() => setLanguagePreference("system"));

describe("Tenant page in German", () => {
  it("shows headings, score, captures, changes and findings in German", async () => {
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, backend());

    expect(await screen.findByRole("heading", { level: 1, name: "Contoso" })).toBeInTheDocument();
    for (const heading of [
      "Score-Verlauf",
      "Abweichung nach Baseline",
      "Offene Abweichungsbefunde",
      "Zeitachse der Erfassungen",
      "Änderungen zwischen Erfassungen",
      "Nicht aufgelöste Verzeichnis-IDs",
    ]) {
      expect(screen.getByRole("heading", { level: 2, name: heading })).toBeInTheDocument();
    }
    // A decimal comma and a German plural.
    expect(screen.getByTestId("latest-score")).toHaveTextContent("Score 74,3 von 100 nach 2 Prüfungen");
    expect(screen.getByRole("img", { name: "Score-Verlauf: 81,5; 74,3" })).toBeInTheDocument();

    const drift = within(screen.getByRole("table", { name: "Abweichung nach Baseline" }));
    for (const header of ["Baseline", "Offen", "Zur Kenntnis gen.", "Akzeptiert", "Behoben"]) {
      expect(drift.getByRole("columnheader", { name: header })).toBeInTheDocument();
    }

    const timeline = screen.getByTestId("capture-timeline");
    expect(timeline).toHaveTextContent("2026-11-19 00:00 · 210 Elemente (Import)");
    expect(timeline).toHaveTextContent("fehlgeschlagen: conditional_access_policy");

    const changes = await screen.findByTestId("capture-changes");
    expect(within(changes).getByTestId("changes-added")).toHaveTextContent("Hinzugefügt (1)");
    expect(within(changes).getByTestId("changes-removed")).toHaveTextContent(
      "Entfernt (verwaiste Richtlinien) (1)Win - Old Policy",
    );
    expect(within(changes).getByTestId("changes-changed")).toHaveTextContent(
      "Win - Password (settings_catalog) · Einstellungen",
    );
    expect(screen.getByRole("combobox", { name: "Frühere Erfassung" })).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Spätere Erfassung" })).toBeInTheDocument();

    await screen.findAllByTestId("tenant-finding-link");
    expect(screen.getByText(/2 offene Abweichungsbefunde/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "alle Befunde" })).toBeInTheDocument();
    const findings = within(screen.getByRole("table", { name: "Offene Abweichungsbefunde" }));
    for (const header of ["Schweregrad", "Befund", "Baseline", "Status"]) {
      expect(findings.getByRole("columnheader", { name: header })).toBeInTheDocument();
    }

    const unresolved = within(screen.getByTestId("unresolved-ids"));
    for (const header of ["ID", "Richtlinie", "Typ"]) {
      expect(unresolved.getByRole("columnheader", { name: header })).toBeInTheDocument();
    }
    expect(screen.getByText(/Erfassen Sie auch die Gruppen und Filter des Mandanten/)).toBeInTheDocument();

    expect(screen.getByTestId("start-review")).toHaveTextContent("Jetzt prüfen");
    expect(screen.getByTestId("start-import")).toHaveTextContent("Erfassung importieren…");

    for (const english of [
      "Score trend",
      "Drift by baseline",
      "Capture timeline",
      "Review now",
      "Unresolved directory ids",
    ]) {
      expect(screen.queryByText(english)).not.toBeInTheDocument();
    }
    expect(document.body).not.toHaveTextContent(/\d items|reviews|Removed \(ghost/);
  });

  it("says so in German when there is one review, one item and no capture to compare", async () => {
    const first = CONTOSO_OVERVIEW.captures[0];
    const score = CONTOSO_OVERVIEW.scores[0];
    if (!first || !score) throw new Error("fixture changed");
    renderWithBackend(
      <TenantPage tenantId="tenant-contoso" />,
      backend({
        ...CONTOSO_OVERVIEW,
        scores: [score],
        captures: [{ ...first, itemCount: 1 }],
        driftByBaseline: [],
        unresolvedIds: [],
      }),
    );
    expect(await screen.findByTestId("latest-score")).toHaveTextContent(
      "Score 81,5 von 100 nach 1 Prüfung",
    );
    expect(screen.getByTestId("capture-timeline")).toHaveTextContent("· 1 Element (Import)");
    expect(screen.getByText("Noch keine Befunde.")).toBeInTheDocument();
    expect(screen.getByText(/^Nur eine Erfassung:/)).toBeInTheDocument();
    expect(screen.getByTestId("unresolved-none")).toHaveTextContent(
      "Jede Gruppen-, Filter- und Standort-ID in der neuesten Erfassung lässt sich einem Namen zuordnen.",
    );
  });

  it("runs a review and validates the import dialog in German", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<TenantPage tenantId="tenant-contoso" />, fake);
    await user.click(await screen.findByTestId("start-review"));
    expect(await screen.findByTestId("review-running")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Prüfung: Fortschritt" })).toBeInTheDocument();
    expect(screen.getByTestId("review-cancel")).toHaveTextContent("Abbrechen");
    expect(await screen.findByTestId("review-done", {}, { timeout: 5000 })).toHaveTextContent(
      "Prüfung abgeschlossen",
    );
    expect(screen.queryByText("Review finished")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("start-import"));
    const dialog = await screen.findByRole("dialog", { name: "Erfassung importieren" });
    expect(within(dialog).getByRole("button", { name: "Abbrechen" })).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Importieren" }));
    expect(
      within(dialog).getByText("Wählen Sie den Ordner, in dem der Export gespeichert wurde."),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("checkbox")).toHaveAccessibleName(
      /^Fehlerhafte Dateien überspringen/,
    );
    expect(screen.getByText("Oder ziehen Sie einen Exportordner auf das Fenster.")).toBeInTheDocument();
    fake.picks.push("relative/folder");
    await user.click(within(dialog).getByRole("button", { name: "Ordner wählen…" }));
    // The backend's own message stays as it comes.
    expect(await within(dialog).findByTestId("import-preview-error")).toHaveTextContent(
      "relative/folder is not a folder",
    );
    await waitFor(() => expect(fake.calls.tenantOverview).toBeGreaterThanOrEqual(2));
  });

  it("says in German when the tenant could not be loaded", async () => {
    renderWithBackend(<TenantPage tenantId="nope" />, backend());
    const error = await screen.findByTestId("tenant-error");
    expect(error).toHaveTextContent("Der Mandant konnte nicht geladen werden");
    expect(within(error).getByRole("button", { name: "Erneut versuchen" })).toBeInTheDocument();
    expect(error).not.toHaveTextContent("Couldn't load");
  });
});
