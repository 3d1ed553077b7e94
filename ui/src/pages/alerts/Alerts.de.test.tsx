import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, type AlertRow } from "../../backend";
import { FakeBackend, makeAlert } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { renderWithBackend } from "../../test/render";
import { Alerts } from "./Alerts";

const HOUR = 3_600_000;

function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * HOUR).toISOString();
}

function alerts(): AlertRow[] {
  return [
    makeAlert({
      id: "a-1",
      tenantId: "tenant-contoso",
      tenant: "Contoso",
      severity: "critical",
      title: "Contoso: 2 new findings, the worst critical",
      body: "",
      raisedAt: hoursAgo(3),
    }),
    makeAlert({
      id: "a-2",
      rule: null,
      severity: "low",
      title: "Review of every tenant finished",
      body: "4 of 4 tenants reviewed.",
      raisedAt: hoursAgo(1),
      notify: false,
    }),
    makeAlert({
      id: "a-3",
      rule: "Risk acceptance lapsed",
      tenantId: "tenant-fabrikam",
      tenant: "Fabrikam",
      severity: "high",
      title: "Fabrikam: a risk acceptance lapsed",
      raisedAt: hoursAgo(30),
    }),
    makeAlert({
      id: "a-4",
      tenantId: "tenant-woodgrove",
      tenant: "Woodgrove",
      severity: "medium",
      title: "Woodgrove: score fell 12 points to 70",
      raisedAt: hoursAgo(50),
      snoozedUntil: new Date(Date.now() + 5 * HOUR).toISOString(),
    }),
  ];
}

function backend(rows: AlertRow[] = alerts()) {
  return new FakeBackend({ evidence: { alerts: rows } });
}

function row(title: string): HTMLElement {
  const found = screen
    .getAllByTestId("alert-row")
    .find((r) => within(r).getByTestId("alert-title").textContent === title);
  if (!found) throw new Error(`no row ${title}`);
  return found;
}

beforeEach(() => setLanguagePreference("de"));
afterEach(() => setLanguagePreference("system"));

describe("Alerts inbox in German", () => {
  it("shows the heading, tabs, columns and rows in German; alert texts stay as they come", async () => {
    renderWithBackend(<Alerts />, backend());
    await screen.findAllByTestId("alert-row");

    expect(screen.getByRole("heading", { level: 1, name: "Warnungen" })).toBeInTheDocument();
    expect(screen.getByText(/Derselbe Posteingang steht auch über/)).toHaveTextContent(
      "plumbline alerts zur Verfügung.",
    );
    expect(screen.getByRole("tablist", { name: "Welche Warnungen" })).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Offen" })).toHaveAttribute("aria-selected", "true");
    for (const tab of ["Zurückgestellt", "Zur Kenntnis genommen", "Alle"]) {
      expect(screen.getByRole("tab", { name: tab })).toBeInTheDocument();
    }
    const table = within(screen.getByRole("table", { name: "Warnungen" }));
    for (const header of ["Schweregrad", "Warnung", "Mandant", "Ausgelöst", "Regel", "Status", "Aktionen"]) {
      expect(table.getByRole("columnheader", { name: header })).toBeInTheDocument();
    }

    const notice = row("Review of every tenant finished");
    expect(notice).toHaveTextContent("Hinweis");
    expect(notice).toHaveTextContent("Alle Mandanten");
    expect(notice).toHaveTextContent("vor 1 Stunde");
    expect(within(notice).getByTestId("alert-state")).toHaveTextContent("Offen");
    const fabrikam = row("Fabrikam: a risk acceptance lapsed");
    expect(fabrikam).toHaveTextContent("Risk acceptance lapsed");
    expect(within(fabrikam).getByRole("checkbox", { name: "Fabrikam: a risk acceptance lapsed auswählen" })).toBeInTheDocument();
    expect(within(fabrikam).getByRole("button", { name: "Fabrikam: a risk acceptance lapsed zurückstellen" })).toBeInTheDocument();

    expect(screen.getByTestId("alerts-selected")).toHaveTextContent("Keine ausgewählt");
    expect(screen.getByTestId("alerts-acknowledge")).toHaveTextContent("Bestätigen");
    expect(screen.getByTestId("alerts-snooze")).toHaveTextContent("Zurückstellen");

    // An alert without a body says so in German.
    await userEvent.setup().click(
      within(row("Contoso: 2 new findings, the worst critical")).getByTestId("alert-title"),
    );
    expect(screen.getByTestId("alert-body")).toHaveTextContent("Keine weiteren Details als der Titel.");

    for (const english of ["Alerts", "Snoozed", "Acknowledge", "None selected", "Notice", "All tenants"]) {
      expect(screen.queryByText(english)).not.toBeInTheDocument();
    }
  });

  it("acknowledges and snoozes with German outcomes and plurals", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");

    await user.click(
      screen.getByRole("button", { name: "Review of every tenant finished zurückstellen" }),
    );
    const menu = await screen.findByRole("menu");
    expect(within(menu).getAllByRole("menuitem").map((item) => item.textContent)).toEqual([
      "Für 1 Stunde",
      "Für 4 Stunden",
      "Für 1 Tag",
      "Für 1 Woche",
    ]);
    await user.click(within(menu).getByRole("menuitem", { name: "Für 4 Stunden" }));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent(
      "1 Warnung für 4 Stunden zurückgestellt: danach von selbst wieder unter „Offen“.",
    );
    await waitFor(() => expect(screen.getAllByTestId("alert-row")).toHaveLength(2));

    await user.click(screen.getByRole("checkbox", { name: "Alle Warnungen auswählen" }));
    expect(screen.getByTestId("alerts-selected")).toHaveTextContent("2 Warnungen ausgewählt");
    fake.evidence.acknowledge(["a-3"]);
    await user.click(screen.getByTestId("alerts-acknowledge"));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent(
      "1 Warnung bestätigt. 1 Warnung war bereits bestätigt.",
    );

    const empty = await screen.findByTestId("alerts-empty");
    expect(within(empty).getByRole("heading", { name: "Keine offenen Warnungen" })).toBeInTheDocument();
    expect(empty).toHaveTextContent("Prüfen Sie einen Mandanten auf seiner Seite (Jetzt prüfen)");
    expect(empty).toHaveTextContent("oder führen Sie plumbline review aus.");
    expect(empty).not.toHaveTextContent("Review now");
  });

  it("explains each empty tab in German", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Alerts />, backend([]));
    expect(await screen.findByTestId("alerts-empty")).toHaveTextContent("Keine offenen Warnungen");
    await user.click(screen.getByRole("tab", { name: "Zurückgestellt" }));
    await waitFor(() =>
      expect(screen.getByTestId("alerts-empty")).toHaveTextContent("Keine zurückgestellten Warnungen"),
    );
    expect(screen.getByTestId("alerts-empty")).toHaveTextContent("kehrt sie von selbst zu „Offen“ zurück");
    await user.click(screen.getByRole("tab", { name: "Zur Kenntnis genommen" }));
    await waitFor(() =>
      expect(screen.getByTestId("alerts-empty")).toHaveTextContent(
        "Keine zur Kenntnis genommenen Warnungen",
      ),
    );
    await user.click(screen.getByRole("tab", { name: "Alle" }));
    await waitFor(() =>
      expect(screen.getByTestId("alerts-empty")).toHaveTextContent("Noch keine Warnungen"),
    );
    expect(screen.queryByText("No alerts yet")).not.toBeInTheDocument();
  });

  it("titles errors in German and keeps the backend's message", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    fake.fail("listAlerts", new BackendError("io", "cannot open the database file"));
    await user.click(screen.getByRole("tab", { name: "Alle" }));
    const error = await screen.findByTestId("alerts-error");
    expect(error).toHaveTextContent("Die Warnungen konnten nicht geladen werden");
    expect(error).toHaveTextContent("cannot open the database file");
    expect(error).not.toHaveTextContent("Couldn't load");
  });
});
