import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type TenantRow } from "../../backend";
import { FakeBackend, makeFinding, makeTenant, type FakeBackendOptions } from "../../backend/fake";
import { setLanguagePreference } from "../../i18n";
import { NOW } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Portfolio } from "./Portfolio";

const TENANTS: TenantRow[] = [
  makeTenant({
    name: "Alpine Ski House",
    primaryDomain: "alpineskihouse.com",
    isDemo: true,
    captureCount: 12,
    lastCaptureAt: "2026-11-17T12:00:00Z",
    itemCount: 1204,
  }),
  makeTenant({ name: "Contoso", primaryDomain: "contoso.com" }), // never captured
  makeTenant({
    name: "Fabrikam",
    captureCount: 3,
    lastCaptureAt: "2026-11-20T09:00:00Z",
    itemCount: 87,
    failedKinds: ["settings_catalog", "conditional_access", "compliance_policy"],
  }),
  makeTenant({
    name: "Woodgrove Bank",
    captureCount: 2,
    lastCaptureAt: "2026-10-11T12:00:00Z",
    itemCount: 96,
  }),
];

const score = (day: number, value: number) => ({
  at: `2026-11-${String(day).padStart(2, "0")}T00:00:00.000Z`,
  score: value,
  captureId: `c-${day}`,
});

const OPTIONS: FakeBackendOptions = {
  tenants: TENANTS,
  console: {
    now: () => NOW.getTime(),
    findings: [
      makeFinding({ id: "c1", tenant: "Contoso", severity: "critical" }),
      makeFinding({ id: "c2", tenant: "Contoso", severity: "high", dueAt: "2026-11-10T00:00:00.000Z" }),
      makeFinding({ id: "f1", tenant: "Fabrikam", severity: "high", resourceKind: "conditional_access" }),
      makeFinding({ id: "f2", tenant: "Fabrikam", severity: "medium", resourceKind: "compliance_policy" }),
      makeFinding({ id: "f3", tenant: "Fabrikam", severity: "medium", resourceKind: "compliance_policy" }),
    ],
  },
  portfolio: {
    scores: {
      "tenant-alpine-ski-house": [score(1, 70), score(8, 80), score(15, 92.5)],
      "tenant-contoso": [score(1, 81.5), score(15, 74.25)],
      "tenant-fabrikam": [score(15, 55)],
    },
    assignments: { "tenant-contoso": ["Finance"] },
  },
};

function renderPortfolio(options: FakeBackendOptions = OPTIONS) {
  const backend = new FakeBackend(options);
  renderWithBackend(<Portfolio />, backend);
  return backend;
}

function rowOf(name: string): HTMLElement {
  const cell = screen.getByText(name, { selector: "[data-testid=tenant-name]" });
  const row = cell.closest<HTMLElement>("[data-testid=tenant-row]");
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  window.localStorage.clear();
  window.location.hash = "";
  setLanguagePreference("de");
});

afterEach(() => {
  setLanguagePreference("system");
  vi.useRealTimers();
});

describe("Portfolio in German", () => {
  it("shows the page, filters, summary, charts and table in German", async () => {
    renderPortfolio();
    await screen.findAllByTestId("tenant-row");

    expect(screen.getByRole("heading", { level: 1, name: "Portfolio" })).toBeInTheDocument();
    expect(screen.getByText(/^Alle Mandanten, die Sie verwalten/)).toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Mandanten durchsuchen" })).toHaveAttribute(
      "placeholder",
      "Name, Domäne oder Tag suchen",
    );
    expect(screen.getByRole("checkbox", { name: "Keine Erfassung seit 7 Tagen" })).toBeInTheDocument();
    expect(screen.getByTestId("tenant-count")).toHaveTextContent(/^4 Mandanten$/);

    // Summary: a decimal comma and German plurals.
    expect(screen.getByTestId("summary-score")).toHaveTextContent("Durchschnittlicher Score");
    expect(screen.getByTestId("summary-score-value")).toHaveTextContent("73,9");
    expect(screen.getByTestId("summary-score")).toHaveTextContent("von 3 geprüften Mandanten");
    expect(screen.getByTestId("summary-critical-high")).toHaveTextContent("1 offener Befund überfällig");
    expect(screen.getByTestId("summary-stale")).toHaveTextContent("Veraltete Erfassungen");

    // Charts.
    expect(screen.getByRole("heading", { name: "Score-Verteilung" })).toBeInTheDocument();
    expect(
      screen.getByRole("img", { name: "Score-Verteilung über 3 Mandanten: 50–59: 1, 70–79: 1, 90–100: 1" }),
    ).toBeInTheDocument();
    expect(screen.getByTestId("histogram-unscored")).toHaveTextContent("1 Mandant noch nicht geprüft");
    expect(
      screen.getByRole("table", { name: "Offene Befunde nach Mandant und Kategorie, schlechteste Mandanten zuerst" }),
    ).toBeInTheDocument();
    const firstHeatmapRow = screen.getAllByTestId("heatmap-row")[0];
    expect(within(firstHeatmapRow).getAllByTestId("heatmap-cell")[0]).toHaveAttribute(
      "title",
      "Contoso, Settings catalog: 2 offene Befunde (1 kritisch, 1 hoch)",
    );
    expect(screen.getByText("Farbe: der schwerwiegendste offene Befund")).toBeInTheDocument();

    // The table.
    const table = screen.getByRole("table", { name: "Mandanten" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Mandant",
      "Score",
      "Verlauf",
      "Offene Befunde",
      "Letzte Erfassung",
      "Baselines",
    ]);
    const contoso = within(rowOf("Contoso"));
    expect(contoso.getByTestId("score")).toHaveTextContent("74,3, Mäßig (70 bis 89)");
    expect(
      contoso.getByRole("img", { name: "Score-Verlauf über 2 Prüfungen: von 81,5 auf 74,3, um 7,3 gesunken" }),
    ).toBeInTheDocument();
    expect(contoso.getByTestId("open-critical")).toHaveTextContent("1 kritisch");
    expect(contoso.getByTestId("overdue")).toHaveTextContent("1 überfällig");
    expect(contoso.getByTestId("stale")).toHaveTextContent("Nie erfasst");
    expect(within(rowOf("Alpine Ski House")).getByText("vor 3 Tagen")).toBeInTheDocument();
    expect(within(rowOf("Fabrikam")).getByTestId("failed-kinds")).toHaveTextContent(
      "Fehlgeschlagen: compliance_policy, conditional_access +1 weitere",
    );
    const woodgrove = within(rowOf("Woodgrove Bank"));
    expect(woodgrove.getByText("Nicht geprüft")).toBeInTheDocument();
    expect(woodgrove.getByText("Keine Prüfungen")).toBeInTheDocument();
    expect(woodgrove.getAllByText("Keine")).toHaveLength(2);

    for (const english of [
      "Every tenant you manage",
      "Average score",
      "Score distribution",
      "Open findings",
      "Last capture",
      "Never captured",
      "Not reviewed",
    ]) {
      expect(screen.queryByText(english, { exact: false })).not.toBeInTheDocument();
    }
  });

  it("filters in German and says when nothing matches", async () => {
    const user = userEvent.setup();
    renderPortfolio();
    await screen.findAllByTestId("tenant-row");

    await user.click(screen.getByRole("combobox", { name: /^Mandanten/ }));
    await user.click(screen.getByRole("option", { name: "Nur echte" }));
    expect(screen.getAllByTestId("tenant-row")).toHaveLength(3);
    expect(screen.getByTestId("tenant-count")).toHaveTextContent("3 von 4 Mandanten");
    expect(screen.getByTestId("summary-tenants")).toHaveTextContent("von 4 Mandanten (gefiltert)");

    await user.type(screen.getByRole("searchbox", { name: "Mandanten durchsuchen" }), "nichts");
    expect(screen.getByTestId("no-matches")).toHaveTextContent(
      "Kein Mandant entspricht der Suche und den Filtern.",
    );
    await user.click(within(screen.getByTestId("no-matches")).getByRole("button", { name: "Filter löschen" }));
    expect(screen.getAllByTestId("tenant-row")).toHaveLength(4);
  });

  it("explains the empty portfolio in German", async () => {
    renderPortfolio({ tenants: [] });
    const empty = await screen.findByTestId("portfolio-empty");
    expect(empty).toHaveTextContent("Noch keine Mandanten");
    expect(empty).toHaveTextContent(
      "Importieren Sie den Konfigurationsexport eines Mandanten mit plumbline import --tenant NAME DIR. Er erscheint hier mit seiner ersten Erfassung.",
    );
    expect(screen.queryByText("No tenants yet")).not.toBeInTheDocument();
  });

  it("shows the spinner and the load error in German", async () => {
    renderPortfolio({
      ...OPTIONS,
      latencyMs: 20,
      failures: { portfolioOverview: new BackendError("database", "The database is locked.") },
    });
    expect(screen.getByText("Mandanten werden geladen…")).toBeInTheDocument();
    const error = await screen.findByTestId("portfolio-error");
    expect(error).toHaveTextContent("Das Portfolio konnte nicht geladen werden");
    // The backend's message stays as it comes.
    expect(error).toHaveTextContent("The database is locked. (Code: database)");
    expect(within(error).getByRole("button", { name: "Erneut versuchen" })).toBeInTheDocument();
    expect(screen.queryByText("Retry")).not.toBeInTheDocument();
  });

  it("shows the demo banner in German", async () => {
    renderPortfolio({ ...OPTIONS, appInfo: { isDemoData: true } });
    const banner = await screen.findByTestId("demo-banner");
    expect(banner).toHaveTextContent("Demodaten");
    expect(banner).toHaveTextContent("damit Sie Plumbline erkunden können");
    expect(banner).toHaveTextContent("plumbline import --tenant NAME DIR");
  });
});
