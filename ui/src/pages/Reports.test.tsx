import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../backend";
import { FakeBackend, makeReport } from "../backend/fake";
import { TENANTS } from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { Reports } from "./Reports";

function renderReports(backend: FakeBackend) {
  return renderWithBackend(<Reports />, backend);
}

async function fillBranding(user: ReturnType<typeof userEvent.setup>, name = "Acme IT") {
  const msp = await screen.findByLabelText(/MSP name/);
  await user.clear(msp);
  await user.type(msp, name);
}

beforeEach(() => {
  window.localStorage.clear();
});

describe("Reports", () => {
  it("says what to do when no report has been generated yet", async () => {
    renderReports(new FakeBackend({ tenants: TENANTS }));
    const empty = await screen.findByTestId("reports-empty");
    expect(empty).toHaveTextContent("No reports yet");
    expect(empty).toHaveTextContent("Generate report");
  });

  it("generates an executive report for the chosen tenant, period and language", async () => {
    const user = userEvent.setup();
    // Long enough that the progress bar is still up when the click returns on a busy machine.
    const backend = new FakeBackend({ tenants: TENANTS, latencyMs: 400 });
    renderReports(backend);

    // Tenants are offered by name; every control is reachable by its label.
    const tenant = await screen.findByLabelText(/Tenant/);
    expect(within(tenant).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Alpine Ski House",
      "Contoso",
      "Fabrikam",
      "Woodgrove Bank",
    ]);
    await user.selectOptions(tenant, "Fabrikam");
    // The period starts filled in with the last 90 days.
    expect(screen.getByLabelText(/^To/)).toHaveValue(new Date().toISOString().slice(0, 10));
    expect(screen.getByLabelText(/^From/)).toHaveValue(
      new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10),
    );
    await user.clear(screen.getByLabelText(/^From/));
    await user.type(screen.getByLabelText(/^From/), "2026-07-01");
    await user.clear(screen.getByLabelText(/^To/));
    await user.type(screen.getByLabelText(/^To/), "2026-09-30");
    await user.selectOptions(screen.getByLabelText(/Language/), "Deutsch");
    await fillBranding(user);
    const accent = screen.getByLabelText(/Accent colour/);
    await user.clear(accent);
    await user.type(accent, "#AA3300");
    backend.picks.push("/tmp/logo.png");
    await user.click(screen.getByRole("button", { name: "Choose image…" }));
    await waitFor(() => expect(screen.getByLabelText(/^Logo/)).toHaveValue("/tmp/logo.png"));

    await user.click(screen.getByRole("button", { name: "Generate report" }));
    // While it runs: an indeterminate progress bar and no second submission.
    expect(await screen.findByTestId("report-progress")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Generate report" })).toBeDisabled();

    const result = await screen.findByTestId("report-result");
    expect(screen.queryByTestId("report-progress")).not.toBeInTheDocument();
    expect(backend.generateRequests).toEqual([
      {
        kind: "executive",
        tenantId: "tenant-fabrikam",
        from: "2026-07-01",
        to: "2026-09-30",
        language: "de",
        branding: {
          mspName: "Acme IT",
          accentColour: "#AA3300",
          logoPath: "/tmp/logo.png",
          useSavedLogo: false,
        },
        outputPath: null,
      },
    ]);
    expect(result).toHaveTextContent("Report ready: Fabrikam");
    expect(within(result).getByTestId("result-sha256").textContent).toMatch(/^[0-9a-f]{64}$/);
    expect(within(result).getByTestId("result-path")).toHaveTextContent(
      "/fake/reports/executive-1-de.pdf",
    );
    expect(within(result).getByTestId("result-size")).toHaveTextContent("39.1 KB, 6 pages");

    await user.click(within(result).getByRole("button", { name: "Open" }));
    await waitFor(() => expect(backend.openedPaths).toEqual(["/fake/reports/executive-1-de.pdf"]));

    // The new report is listed with the past ones.
    const rows = await screen.findAllByTestId("report-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent("Executive");
    expect(rows[0]).toHaveTextContent("Fabrikam");
  });

  it("generates a portfolio report without a tenant or period", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: TENANTS });
    renderReports(backend);

    await user.click(await screen.findByRole("radio", { name: /Portfolio/ }));
    expect(screen.queryByLabelText(/Tenant/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^From/)).not.toBeInTheDocument();
    await fillBranding(user, "Northwind MSP");
    await user.click(screen.getByRole("button", { name: "Generate report" }));

    expect(await screen.findByTestId("report-result")).toHaveTextContent("Report ready");
    expect(backend.generateRequests[0]).toMatchObject({
      kind: "portfolio",
      tenantId: null,
      from: null,
      to: null,
      language: "en",
    });
  });

  it("starts from the branding, logo and language saved in Settings", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      tenants: TENANTS,
      settings: {
        report: {
          mspName: "Northwind MSP",
          accentColour: "#AA3300",
          language: "de",
          savedAt: "2026-11-01T10:00:00.000Z",
          logo: {
            dataUrl: "data:image/png;base64,AA==",
            sha256: "ab".repeat(32),
            size: 2048,
            width: 120,
            height: 40,
            source: "/logos/northwind.png",
          },
        },
      },
    });
    renderReports(backend);

    expect(await screen.findByLabelText(/MSP name/)).toHaveValue("Northwind MSP");
    expect(screen.getByLabelText(/Accent colour/)).toHaveValue("#AA3300");
    expect(screen.getByLabelText(/Language/)).toHaveValue("de");
    const useSaved = screen.getByRole("checkbox", { name: /Use the logo saved in Settings \(120 × 40 px\)/ });
    expect(useSaved).toBeChecked();
    expect(screen.getByLabelText(/Logo \(optional\)/)).toHaveValue("");

    await user.click(await screen.findByRole("radio", { name: /Portfolio/ }));
    await user.click(screen.getByRole("button", { name: "Generate report" }));
    await screen.findByTestId("report-result");
    expect(backend.generateRequests[0]).toMatchObject({
      language: "de",
      branding: {
        mspName: "Northwind MSP",
        accentColour: "#AA3300",
        logoPath: null,
        useSavedLogo: true,
      },
    });

    // Changes apply to one report: without the saved logo, in English.
    await user.click(useSaved);
    await user.selectOptions(screen.getByLabelText(/Language/), "English");
    await user.click(screen.getByRole("button", { name: "Generate report" }));
    await waitFor(() => expect(backend.generateRequests).toHaveLength(2));
    expect(backend.generateRequests[1]).toMatchObject({
      language: "en",
      branding: { mspName: "Northwind MSP", useSavedLogo: false },
    });
    expect(await backend.reportSettings()).toMatchObject({ language: "de", mspName: "Northwind MSP" });
  });

  it("still offers the form when the saved branding cannot be read", async () => {
    const backend = new FakeBackend({ tenants: TENANTS });
    backend.fail("reportSettings", new BackendError("database", "database is locked"));
    renderReports(backend);

    expect(await screen.findByTestId("settings-error")).toHaveTextContent("database is locked");
    expect(await screen.findByLabelText(/MSP name/)).toHaveValue("");
    expect(screen.queryByRole("checkbox", { name: /saved in Settings/ })).not.toBeInTheDocument();
  });

  it("shows what went wrong when generating fails, and succeeds on the next try", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: TENANTS });
    backend.fail(
      "generateReport",
      new BackendError("invalid_input", "the logo is not a readable PNG image"),
    );
    renderReports(backend);
    await fillBranding(user);

    await user.click(screen.getByRole("button", { name: "Generate report" }));
    const error = await screen.findByTestId("generate-error");
    expect(error).toHaveTextContent("Couldn't generate the report");
    expect(error).toHaveTextContent("the logo is not a readable PNG image");
    expect(error).toHaveTextContent("invalid_input");
    expect(screen.queryByTestId("report-result")).not.toBeInTheDocument();

    backend.fail("generateReport", null);
    await user.click(screen.getByRole("button", { name: "Generate report" }));
    expect(await screen.findByTestId("report-result")).toBeInTheDocument();
    expect(screen.queryByTestId("generate-error")).not.toBeInTheDocument();
  });

  it("lists past reports with a short SHA-256 and opens them", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      tenants: TENANTS,
      reports: [
        makeReport({
          id: "r2",
          kind: "portfolio",
          sha256: "ab".repeat(32),
          path: "/reports/portfolio.pdf",
          createdAt: "2026-11-19T10:00:00Z",
        }),
        makeReport({
          id: "r1",
          kind: "executive",
          tenantId: "tenant-contoso",
          tenantName: "Contoso",
          sha256: "cd".repeat(32),
          path: "/reports/contoso.pdf",
          language: "de",
        }),
      ],
    });
    renderReports(backend);

    const rows = await screen.findAllByTestId("report-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Portfolio");
    expect(rows[0]).toHaveTextContent("All tenants");
    expect(within(rows[0]).getByTestId("report-sha256")).toHaveTextContent("abababababab…");
    expect(within(rows[0]).getByTestId("report-sha256")).toHaveAttribute("title", "ab".repeat(32));
    expect(rows[1]).toHaveTextContent("Contoso");
    expect(rows[1]).toHaveTextContent("DE");

    await user.click(within(rows[1]).getByRole("button", { name: /Open Executive report of Contoso/ }));
    await waitFor(() => expect(backend.openedPaths).toEqual(["/reports/contoso.pdf"]));
  });

  it("says so when a report cannot be opened", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      tenants: TENANTS,
      reports: [makeReport({ id: "r1", path: "/gone.pdf" })],
    });
    backend.fail("openPath", new BackendError("not_found", "/gone.pdf does not exist any more"));
    renderReports(backend);

    await user.click(await screen.findByRole("button", { name: /^Open/ }));
    expect(await screen.findByTestId("open-error")).toHaveTextContent(
      "/gone.pdf does not exist any more",
    );
  });

  it("shows the error and a retry when the past reports cannot be loaded", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: TENANTS });
    backend.fail("listReports", new BackendError("database", "database is locked"));
    renderReports(backend);

    expect(await screen.findByTestId("reports-error")).toHaveTextContent("database is locked");
    backend.fail("listReports", null);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("reports-empty")).toBeInTheDocument();
  });

  it("cannot generate an executive report without tenants and says how to add one", async () => {
    renderReports(new FakeBackend({ tenants: [] }));
    expect(await screen.findByText(/import one with plumbline import/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Generate report" })).toBeDisabled();
  });
});
