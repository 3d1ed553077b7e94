// The findings area in German: the table, its filters and saved views, the shortcut
// help, the detail pane, the risk dialog and the policy diff.

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { FINDINGS, NOW, PASSWORD_DIFF, TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { PolicyDiffView } from "../PolicyDiffView";
import { Findings } from "./Findings";
import { nameProblem } from "./savedViews";

function backendWith(options: { findings?: typeof FINDINGS; fourEyes?: boolean } = {}) {
  return new FakeBackend({
    tenants: TENANTS,
    console: {
      findings: options.findings ?? FINDINGS,
      fourEyes: options.fourEyes ?? false,
      actor: "alice",
      now: () => NOW.getTime(),
      diffs: { "f-2": PASSWORD_DIFF },
    },
  });
}

function rowOf(title: string): HTMLElement {
  const cell = screen.getByText(title, { selector: "[data-testid=finding-title]" });
  const row = cell.closest<HTMLElement>("[data-testid=finding-row]");
  if (!row) throw new Error(`no row for ${title}`);
  return row;
}

beforeEach(() => {
  window.localStorage.clear();
  setLanguagePreference("de");
});

afterEach(() => setLanguagePreference("system"));

describe("Befunde (Deutsch)", () => {
  it("shows the table, its filters and counts in German", async () => {
    renderWithBackend(<Findings />, backendWith());
    await screen.findAllByTestId("finding-title");

    expect(screen.getByRole("heading", { name: "Befunde" })).toBeInTheDocument();
    expect(screen.getByTestId("findings-count")).toHaveTextContent("4 von 4 Befunden");
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual([
      "",
      "Schweregrad",
      "Status",
      "Befund",
      "Mandant",
      "Richtlinie · Einstellung",
      "Art",
      "Fällig",
    ]);
    expect(screen.getByRole("grid", { name: "Befunde" })).toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Befunde durchsuchen" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Filter zurücksetzen" })).toBeInTheDocument();
    expect(screen.getByTestId("filter-severity")).toHaveTextContent("Schweregrad: alle");
    expect(screen.getByTestId("filter-sort")).toHaveTextContent("Sortierung: Schweregrad");
    expect(screen.getByText(/1 kritisch · 1 hoch/)).toBeInTheDocument();

    const row = within(rowOf("Password length below 14"));
    expect(row.getByText("Hoch")).toBeInTheDocument();
    expect(row.getByText("Offen")).toBeInTheDocument();
    expect(row.getByText("Abweichung von der Baseline")).toBeInTheDocument();

    for (const english of ["Findings", "Reset filters", "Severity", "Open", "High"]) {
      expect(screen.queryByText(english)).not.toBeInTheDocument();
    }
    expect(screen.queryByText(/ of 4 findings/)).not.toBeInTheDocument();
  });

  it("filters with German options and says when nothing matches", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await screen.findAllByTestId("finding-title");

    await user.click(screen.getByTestId("filter-status"));
    await user.click(await screen.findByRole("menuitemcheckbox", { name: "Zur Kenntnis genommen" }));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent("1 von 4"));
    expect(screen.getByTestId("filter-status")).toHaveTextContent(
      "Status: Zur Kenntnis genommen",
    );

    await user.type(screen.getByRole("searchbox", { name: "Befunde durchsuchen" }), "zzz");
    expect(await screen.findByTestId("findings-no-match")).toHaveTextContent(
      "Kein Befund entspricht diesen Filtern.",
    );
  });

  it("shows the keyboard shortcuts in German with the same keys", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await screen.findAllByTestId("finding-title");

    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    expect(within(help).getByText("Tastenkombinationen")).toBeInTheDocument();
    for (const key of ["j / ↓", "k / ↑", "Enter", "x", "a", "r", "e", "/", "Esc", "?"]) {
      expect(within(help).getByText(key)).toBeInTheDocument();
    }
    expect(within(help).getByText("Nächster Befund")).toBeInTheDocument();
    expect(within(help).getByText("Details des Befunds öffnen")).toBeInTheDocument();
    expect(within(help).queryByText("Next finding")).not.toBeInTheDocument();
    await user.click(within(help).getByRole("button", { name: "Schließen" }));
    await waitFor(() => expect(screen.queryByTestId("shortcut-help")).not.toBeInTheDocument());
  });

  it("summarises a bulk decision with German plurals", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await screen.findAllByTestId("finding-title");

    await user.click(within(rowOf("BitLocker required is off")).getByRole("checkbox"));
    await user.click(within(rowOf("Password length below 14")).getByRole("checkbox"));
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("2 ausgewählt");
    expect(screen.getByTestId("bulk-resolve")).toHaveTextContent("Als behoben markieren");
    await user.click(screen.getByTestId("bulk-acknowledge"));
    expect(await screen.findByTestId("findings-notice")).toHaveTextContent(
      "2 Befunde bestätigt.",
    );
    await waitFor(() =>
      expect(within(rowOf("Password length below 14")).getByTestId("status")).toHaveTextContent(
        "Zur Kenntnis genommen",
      ),
    );
  });

  it("shows the details and the risk dialog in German", async () => {
    const user = userEvent.setup();
    const backend = backendWith({ fourEyes: true });
    renderWithBackend(<Findings initialId="f-2" />, backend);
    const detail = await screen.findByRole("complementary", { name: "Details des Befunds" });
    expect(await within(detail).findByText("Erwartet")).toBeInTheDocument();
    expect(within(detail).getByText("Verlauf")).toBeInTheDocument();
    expect(within(detail).getByTestId("open-diff")).toHaveTextContent(
      "Richtlinie mit der Baseline vergleichen",
    );
    expect(within(detail).queryByText("Expected")).not.toBeInTheDocument();

    await user.click(within(detail).getByTestId("detail-accept_risk"));
    const dialog = await screen.findByTestId("risk-dialog");
    expect(within(dialog).getByRole("heading", { name: "Risiko akzeptieren" })).toBeInTheDocument();
    expect(within(dialog).getByTestId("risk-submit")).toHaveTextContent("Risiko akzeptieren");
    expect(await within(dialog).findByText("Genehmigende Person")).toBeInTheDocument();
    expect(within(dialog).getByText("Begründung")).toBeInTheDocument();
    await user.click(within(dialog).getByTestId("risk-submit"));
    expect(within(dialog).getByTestId("risk-problem")).toHaveTextContent(
      "Geben Sie eine Begründung ein",
    );
    expect(within(dialog).getByRole("button", { name: "Abbrechen" })).toBeInTheDocument();
  });

  it("names the saved views and their problems in German", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Findings />, backendWith());
    await screen.findAllByTestId("finding-title");

    await user.click(screen.getByRole("button", { name: "Ansichten" }));
    const builtIn = await screen.findByTestId("views-built-in");
    expect(
      within(builtIn).getByRole("button", { name: "Überfällig, kritisch und hoch" }),
    ).toBeInTheDocument();
    expect(screen.getByTestId("views-none")).toHaveTextContent("Noch keine");
    await user.click(screen.getByTestId("view-save"));
    expect(screen.getByText("Geben Sie der Ansicht einen Namen.")).toBeInTheDocument();
    // A built-in view's name is taken in either language.
    expect(nameProblem("Accepted risks")).toBe(
      "Eine integrierte Ansicht hat diesen Namen: Wählen Sie einen anderen.",
    );
  });

  it("explains an empty portfolio and a failed load in German", async () => {
    const { unmount } = renderWithBackend(<Findings />, backendWith({ findings: [] }));
    expect(await screen.findByTestId("findings-empty")).toHaveTextContent(
      "Noch keine Befunde. Befunde erscheinen nach einer Prüfung",
    );
    unmount();

    const backend = backendWith();
    backend.fail("queryFindings", new BackendError("database", "disk full"));
    renderWithBackend(<Findings />, backend);
    expect(await screen.findByTestId("findings-error")).toHaveTextContent(
      "Die Befunde konnten nicht geladen werden: disk full (Code: database)",
    );
    expect(screen.getByRole("button", { name: "Erneut versuchen" })).toBeInTheDocument();
  });

  it("shows the policy diff in German", async () => {
    const user = userEvent.setup();
    renderWithBackend(<PolicyDiffView findingId="f-2" />, backendWith());
    const settings = await screen.findByTestId("diff-settings");
    expect(screen.getByRole("heading", { name: "Richtlinienvergleich" })).toBeInTheDocument();
    expect(screen.getByTestId("diff-count")).toHaveTextContent("3 Einstellungen weichen ab");
    expect(within(settings).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Einstellung",
      "Baseline",
      "Mandant",
      "Zustand",
    ]);
    expect(within(settings).getByText("Fehlt im Mandanten")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Zurück zum Befund" })).toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Roh-JSON anzeigen" }));
    expect(screen.getByText("Baseline-JSON")).toBeInTheDocument();
    expect(screen.queryByText("Policy diff")).not.toBeInTheDocument();
    expect(screen.queryByText(/settings differ/)).not.toBeInTheDocument();
  });
});
