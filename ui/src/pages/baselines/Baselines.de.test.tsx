import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { BASELINES } from "../../test/baselineFixtures";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { BaselinePage } from "./BaselinePage";
import { Baselines } from "./Baselines";

function backend(baselines = BASELINES) {
  return new FakeBackend({ tenants: TENANTS, baselines });
}

function settingRow(path: string): HTMLElement {
  const row = screen
    .getAllByTestId("setting-row")
    .find((r) => r.getAttribute("data-path") === path);
  if (!row) throw new Error(`no setting row ${path}`);
  return row;
}

beforeEach(() => setLanguagePreference("de"));
afterEach(() => setLanguagePreference("system"));

describe("Baselines in German", () => {
  it("lists the baselines with German headings, columns and states", async () => {
    renderWithBackend(<Baselines />, backend());
    const rows = await screen.findAllByTestId("baseline-row");
    expect(screen.getByRole("heading", { level: 1, name: "Baselines" })).toBeInTheDocument();
    expect(screen.getByText(/Golden Master: versionierte Sätze erwarteter Einstellungen/)).toBeInTheDocument();
    const table = screen.getByTestId("baselines-table");
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Name",
      "Veröffentlicht",
      "Entwurf",
      "Elemente",
      "Mandanten",
    ]);
    const [kiosk, standard] = rows;
    expect(within(kiosk).getByTestId("baseline-published")).toHaveTextContent("Noch nicht");
    expect(within(kiosk).getByTestId("baseline-tenants")).toHaveTextContent("Keine");
    expect(within(kiosk).getByTestId("version-status")).toHaveTextContent("Entwurf");
    expect(within(standard).getByTestId("baseline-published")).toHaveTextContent("v2 Veröffentlicht");
    expect(screen.getByTestId("new-baseline")).toHaveTextContent("Neue Baseline");

    expect(screen.queryByText("New baseline")).not.toBeInTheDocument();
    expect(screen.queryByText("Not yet")).not.toBeInTheDocument();
    expect(screen.queryByText("Published")).not.toBeInTheDocument();
    expect(screen.queryByText(/Golden masters/)).not.toBeInTheDocument();
  });

  it("says in German that there is no baseline yet", async () => {
    renderWithBackend(<Baselines />, backend({}));
    const empty = await screen.findByTestId("baselines-empty");
    expect(empty).toHaveTextContent("Noch keine Baselines");
    expect(empty).toHaveTextContent("letzten Erfassung eines gut konfigurierten Mandanten");
    expect(within(empty).getByRole("button", { name: "Neue Baseline" })).toBeInTheDocument();
    expect(empty).not.toHaveTextContent("No baselines yet");
  });

  it("shows a failed load in German", async () => {
    const fake = backend();
    fake.fail("listBaselines", new BackendError("database", "database is locked"));
    renderWithBackend(<Baselines />, fake);
    const error = await screen.findByTestId("baselines-error");
    expect(error).toHaveTextContent("Die Baselines konnten nicht geladen werden");
    // The backend's own message stays as it comes.
    expect(error).toHaveTextContent("database is locked");
    expect(error).not.toHaveTextContent("Couldn't load the baselines");
  });

  it("asks for a new baseline in German, with counted items and validation", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Baselines />, backend());
    await user.click(await screen.findByTestId("new-baseline"));
    const dialog = await screen.findByTestId("create-dialog");
    expect(within(dialog).getByRole("heading", { name: "Neue Baseline" })).toBeInTheDocument();
    expect(within(dialog).getByRole("radio", { name: "Ordner" })).toBeInTheDocument();
    const tenant = await within(dialog).findByTestId("create-tenant");
    expect(within(tenant).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Alpine Ski House (1.204 Elemente)",
      "Fabrikam (87 Elemente)",
      "Woodgrove Bank (96 Elemente)",
    ]);
    await user.click(within(dialog).getByTestId("create-submit"));
    expect(dialog).toHaveTextContent("Geben Sie einen Namen für die Baseline ein");
    expect(within(dialog).getByRole("button", { name: "Abbrechen" })).toBeInTheDocument();
    expect(dialog).not.toHaveTextContent("Enter a name");
  });
});

describe("A baseline's page in German", () => {
  it("shows versions, items, settings, rules and assignments in German", async () => {
    const user = userEvent.setup();
    renderWithBackend(<BaselinePage baselineId="baseline-msp-standard" />, backend());
    expect(await screen.findByRole("heading", { level: 1, name: "MSP Standard" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Alle Baselines" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Versionen" })).toBeInTheDocument();
    expect(screen.getByTestId("publish")).toHaveTextContent("v3 veröffentlichen");
    expect(screen.getByTestId("export")).toHaveTextContent("In Ordner exportieren…");

    const versions = await screen.findAllByTestId("version-row");
    expect(versions.map((v) => within(v).getByTestId("version-status").textContent)).toEqual([
      "Entwurf",
      "Veröffentlicht",
      "Zurückgezogen",
    ]);
    expect(versions[1]).toHaveTextContent("von bob");
    expect(
      within(screen.getByTestId("versions-table"))
        .getAllByRole("columnheader")
        .map((h) => h.textContent),
    ).toEqual(["Version", "Status", "Elemente", "Erstellt", "Veröffentlicht", "Zurückgezogen"]);

    // Items: the heading, a plural, and the hint to choose one.
    expect(await screen.findByRole("heading", { name: "Elemente von v3" })).toBeInTheDocument();
    expect(screen.getByText("2 Elemente")).toBeInTheDocument();
    expect(screen.getByTestId("no-item")).toHaveTextContent(
      "Wählen Sie ein Element aus, um seine Einstellungen zu sehen und deren Regeln zu bearbeiten.",
    );

    // Assignments.
    const assignments = screen.getByTestId("assignments");
    expect(within(assignments).getByRole("heading", { name: "Zugewiesene Mandanten" })).toBeInTheDocument();
    const rows = within(assignments).getAllByTestId("assignment-row");
    expect(rows[0]).toHaveTextContent("Neueste veröffentlichte (v2)");
    expect(rows[1]).toHaveTextContent("Festgelegt auf v1");
    expect(within(rows[1]).getByTestId("missing-variables")).toHaveTextContent(
      "Fehlend: timezone – nicht bewertet",
    );
    expect(within(rows[1]).getByRole("button", { name: "Zuweisung von Fabrikam aufheben" })).toBeInTheDocument();

    // An item's settings: the plural, the rules and where a severity comes from.
    const table = await screen.findByTestId("items-table");
    await user.click(within(table).getByRole("button", { name: "Win - Password" }));
    const settings = await screen.findByTestId("item-settings");
    expect(settings).toHaveTextContent("compliance_policy · v3 (Entwurf) · 3 Einstellungen");
    expect(within(settingRow("passwordMinimumLength")).getByTestId("setting-rule")).toHaveTextContent(
      "Mindestens 14",
    );
    expect(settingRow("passwordMinimumLength")).toHaveTextContent("durch die Regel festgelegt");
    expect(within(settingRow("timeZone")).getByTestId("setting-rule")).toHaveTextContent(
      "Mandantenwert: timezone",
    );
    expect(within(settingRow("passwordRequired")).getByTestId("setting-rule")).toHaveTextContent(
      "Exakt (Standard)",
    );

    // The rule dialog's validation.
    await user.click(screen.getByRole("button", { name: "Regel von Password required bearbeiten" }));
    const dialog = await screen.findByTestId("rule-dialog");
    expect(dialog).toHaveTextContent("Regel für Password required");
    expect(dialog).toHaveTextContent("Baseline-Wert true");
    await user.selectOptions(within(dialog).getByTestId("rule-kind"), "Mindestens");
    await user.click(within(dialog).getByTestId("rule-save"));
    expect(dialog).toHaveTextContent("Geben Sie die kleinste konforme Zahl ein, zum Beispiel 14.");
    expect(dialog).not.toHaveTextContent("Enter the smallest");

    for (const english of ["Versions", "Assigned tenants", "All baselines", "Items of v3", "3 settings"]) {
      expect(screen.queryByText(english)).not.toBeInTheDocument();
    }
    expect(versions[1]).not.toHaveTextContent("by bob");
  });

  it("says in German that a published version is read-only", async () => {
    const user = userEvent.setup();
    renderWithBackend(<BaselinePage baselineId="baseline-msp-standard" />, backend());
    const versions = await screen.findAllByTestId("version-row");
    await user.click(within(versions[1]).getByRole("button", { name: "v2" }));
    const notice = await screen.findByTestId("read-only-notice");
    expect(notice).toHaveTextContent("v2 ist veröffentlicht und schreibgeschützt");
    expect(notice).toHaveTextContent("Bearbeiten Sie stattdessen den Entwurf v3.");
    await user.click(within(notice).getByRole("button", { name: "Entwurf öffnen" }));
    await waitFor(() => expect(screen.queryByTestId("read-only-notice")).not.toBeInTheDocument());
  });

  it("shows a failed load of a baseline in German", async () => {
    renderWithBackend(<BaselinePage baselineId="baseline-gone" />, backend());
    const error = await screen.findByTestId("baseline-error");
    expect(error).toHaveTextContent("Die Baseline konnte nicht geladen werden");
    expect(error).not.toHaveTextContent("Couldn't load the baseline");
  });
});
