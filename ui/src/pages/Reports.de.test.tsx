import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../backend";
import { FakeBackend, makeReport } from "../backend/fake";
import { setLanguagePreference } from "../i18n";
import { TENANTS } from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { Reports } from "./Reports";

beforeEach(() => {
  window.localStorage.clear();
  setLanguagePreference("de");
});

afterEach(() => setLanguagePreference("system"));

describe("Reports in German", () => {
  it("shows the page, the form and the empty list in German", async () => {
    renderWithBackend(<Reports />, new FakeBackend({ tenants: TENANTS }));

    expect(await screen.findByRole("heading", { level: 1, name: "Berichte" })).toBeInTheDocument();
    expect(screen.getByText(/Dieselben Berichte erstellt/)).toBeInTheDocument();
    expect(await screen.findByRole("form", { name: "Neuer Bericht" })).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "Management (ein Mandant)" })).toBeChecked();
    expect(screen.getByRole("radio", { name: "Portfolio (alle Mandanten)" })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Mandant\b/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Von/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Bis/)).toBeInTheDocument();
    expect(screen.getByText("Letzter Tag, vollständig eingeschlossen (UTC).")).toBeInTheDocument();
    expect(screen.getByLabelText(/MSP-Name/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Akzentfarbe/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Bericht erstellen" })).toBeInTheDocument();

    // The report language's labels are German; its values stay the PDF's language codes.
    const language = screen.getByLabelText(/Berichtssprache/);
    const options = within(language).getAllByRole<HTMLOptionElement>("option");
    expect(options.map((o) => [o.textContent, o.value])).toEqual([
      ["English (Englisch)", "en"],
      ["Deutsch", "de"],
    ]);

    const empty = await screen.findByTestId("reports-empty");
    expect(empty).toHaveTextContent("Noch keine Berichte");
    expect(empty).toHaveTextContent("Bericht erstellen");
    expect(screen.getByRole("heading", { name: "Bisherige Berichte" })).toBeInTheDocument();

    expect(screen.queryByText("Reports")).not.toBeInTheDocument();
    expect(screen.queryByText("No reports yet")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Generate report" })).not.toBeInTheDocument();
    expect(screen.queryByText("MSP name")).not.toBeInTheDocument();
  });

  it("generates a report in the report language chosen, whatever the interface's", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: TENANTS });
    renderWithBackend(<Reports />, backend);

    await user.selectOptions(await screen.findByLabelText(/^Mandant\b/), "Fabrikam");
    await user.selectOptions(screen.getByLabelText(/Berichtssprache/), "English (Englisch)");
    await user.type(screen.getByLabelText(/MSP-Name/), "Acme IT");
    await user.click(screen.getByRole("button", { name: "Bericht erstellen" }));

    const result = await screen.findByTestId("report-result");
    expect(result).toHaveTextContent("Bericht bereit: Fabrikam");
    expect(within(result).getByTestId("result-size")).toHaveTextContent("39,1 KB, 6 Seiten");
    expect(within(result).getByRole("button", { name: "Öffnen" })).toBeInTheDocument();
    expect(result).toHaveTextContent("Datei");
    expect(result).toHaveTextContent("Berichts-ID");
    expect(result).not.toHaveTextContent("Report ready");
    expect(backend.generateRequests[0]).toMatchObject({ tenantId: "tenant-fabrikam", language: "en" });

    await user.selectOptions(screen.getByLabelText(/Berichtssprache/), "Deutsch");
    await user.click(screen.getByRole("button", { name: "Bericht erstellen" }));
    await waitFor(() => expect(backend.generateRequests).toHaveLength(2));
    expect(backend.generateRequests[1]).toMatchObject({ language: "de" });
  });

  it("lists past reports with German columns, kinds and names", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      tenants: TENANTS,
      reports: [
        makeReport({ id: "r2", kind: "portfolio", path: "/reports/portfolio.pdf" }),
        makeReport({
          id: "r1",
          kind: "executive",
          tenantId: "tenant-contoso",
          tenantName: "Contoso",
          path: "/reports/contoso.pdf",
          createdAt: "2026-11-19T10:00:00Z",
          language: "de",
        }),
      ],
    });
    renderWithBackend(<Reports />, backend);

    const table = await screen.findByRole("table", { name: "Bisherige Berichte" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Art",
      "Mandant",
      "Erstellt",
      "SHA-256",
      "Größe",
      "Aktionen",
    ]);
    const rows = screen.getAllByTestId("report-row");
    expect(rows[0]).toHaveTextContent("Portfolio");
    expect(rows[0]).toHaveTextContent("Alle Mandanten");
    expect(rows[1]).toHaveTextContent("Management");
    expect(rows[1]).not.toHaveTextContent("Executive");

    await user.click(
      within(rows[1]).getByRole("button", {
        name: "Bericht „Management“ von Contoso, erstellt 2026-11-19T10:00:00Z, öffnen",
      }),
    );
    await waitFor(() => expect(backend.openedPaths).toEqual(["/reports/contoso.pdf"]));
  });

  it("names failures in German and keeps the backend's message", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: [] });
    backend.fail("listReports", new BackendError("database", "database is locked"));
    renderWithBackend(<Reports />, backend);

    const error = await screen.findByTestId("reports-error");
    expect(error).toHaveTextContent("Die bisherigen Berichte konnten nicht geladen werden");
    expect(error).toHaveTextContent("database is locked (Code: database)");
    expect(error).not.toHaveTextContent("Couldn't load");
    expect(
      await screen.findByText("Noch keine Mandanten: Importieren Sie einen mit plumbline import."),
    ).toBeInTheDocument();

    backend.fail("listReports", null);
    await user.click(screen.getByRole("button", { name: "Erneut versuchen" }));
    expect(await screen.findByTestId("reports-empty")).toBeInTheDocument();
  });
});
