import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createTauriBackend } from "./tauri";
import { BackendError } from "./types";

// The generated bindings call `invoke` from @tauri-apps/api/core; replacing it lets the
// test drive what the Rust side answers.
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
const invokeMock = vi.mocked(invoke);

beforeEach(() => {
  invokeMock.mockReset();
});

describe("tauri backend", () => {
  it("calls the snake_case commands and returns their data", async () => {
    const info = { version: "1.2.3", dbPath: "/db", isDemoData: true, demoCreatedNow: false };
    invokeMock.mockResolvedValueOnce(info);
    await expect(createTauriBackend().appInfo()).resolves.toEqual(info);
    expect(invokeMock).toHaveBeenCalledWith("app_info");

    invokeMock.mockResolvedValueOnce([]);
    await expect(createTauriBackend().listTenants()).resolves.toEqual([]);
    expect(invokeMock).toHaveBeenLastCalledWith("list_tenants");
  });

  it("passes report requests and paths as the commands' named arguments", async () => {
    const request = {
      kind: "portfolio" as const,
      tenantId: null,
      from: null,
      to: null,
      language: "de" as const,
      branding: { mspName: "Acme", accentColour: "#1F4E79", logoPath: null },
      outputPath: null,
    };
    invokeMock.mockResolvedValueOnce({ path: "/r.pdf" });
    await expect(createTauriBackend().generateReport(request)).resolves.toEqual({ path: "/r.pdf" });
    expect(invokeMock).toHaveBeenLastCalledWith("generate_report", { request });

    invokeMock.mockResolvedValueOnce([]);
    await expect(createTauriBackend().listReports()).resolves.toEqual([]);
    expect(invokeMock).toHaveBeenLastCalledWith("list_reports");

    invokeMock.mockResolvedValueOnce(null);
    await expect(createTauriBackend().openPath("/r.pdf")).resolves.toBeUndefined();
    expect(invokeMock).toHaveBeenLastCalledWith("open_path", { path: "/r.pdf" });
  });

  it("passes the Settings commands' named arguments", async () => {
    const backend = createTauriBackend();
    invokeMock.mockResolvedValue({});
    await backend.setTenantSecret("tenant-1", "s3cret");
    expect(invokeMock).toHaveBeenLastCalledWith("set_tenant_secret", {
      tenantId: "tenant-1",
      secret: "s3cret",
    });
    await backend.removeTenantSecret("tenant-1");
    expect(invokeMock).toHaveBeenLastCalledWith("remove_tenant_secret", { tenantId: "tenant-1" });
    const request = { tenantId: "tenant-1", entraTenantId: null, graphAppId: "a" };
    await backend.saveTenantConnection(request);
    expect(invokeMock).toHaveBeenLastCalledWith("save_tenant_connection", { request });
    const branding = { mspName: "Acme", accentColour: "#000000", logoPath: null, removeLogo: true };
    await backend.saveBranding(branding);
    expect(invokeMock).toHaveBeenLastCalledWith("save_branding", { request: branding });
    await backend.setReportLanguage("de");
    expect(invokeMock).toHaveBeenLastCalledWith("set_report_language", { language: "de" });
    await backend.exportPublicKey("signer.pub");
    expect(invokeMock).toHaveBeenLastCalledWith("export_public_key", { path: "signer.pub" });
    await backend.rotateSigningKey();
    expect(invokeMock).toHaveBeenLastCalledWith("rotate_signing_key");
    await backend.dataDirectory();
    expect(invokeMock).toHaveBeenLastCalledWith("data_directory");
  });

  it("passes baseline requests and ids as the commands' named arguments", async () => {
    invokeMock.mockResolvedValueOnce({ assignments: [] });
    await createTauriBackend().unassignBaseline("b1", "t1");
    expect(invokeMock).toHaveBeenLastCalledWith("unassign_baseline", { baselineId: "b1", tenantId: "t1" });

    const request = {
      itemId: "i1",
      path: "passwordMinimumLength",
      rule: { kind: "at_least" as const, values: [], number: 14, variable: null, severity: "high" as const },
    };
    invokeMock.mockResolvedValueOnce({ settings: [] });
    await createTauriBackend().setBaselineRule(request);
    expect(invokeMock).toHaveBeenLastCalledWith("set_baseline_rule", { request });

    invokeMock.mockResolvedValueOnce({ settings: [] });
    await createTauriBackend().setBaselineItemSeverity("i1", "critical");
    expect(invokeMock).toHaveBeenLastCalledWith("set_baseline_item_severity", {
      itemId: "i1",
      severity: "critical",
    });
  });

  it("turns a command's error into a BackendError with its code", async () => {
    invokeMock.mockRejectedValueOnce({ code: "database", message: "Database is locked." });

    const error = await createTauriBackend().listTenants().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "database", message: "Database is locked." });
  });

  it("reports Tauri's own string rejections as internal errors", async () => {
    invokeMock.mockRejectedValueOnce("Command list_tenants not found");

    const error = await createTauriBackend().listTenants().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "internal", message: "Command list_tenants not found" });
  });

  it("wraps thrown Errors, keeping them as the cause", async () => {
    const cause = new TypeError("IPC bridge missing");
    invokeMock.mockRejectedValueOnce(cause);

    const error = await createTauriBackend().appInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "internal", message: "IPC bridge missing", cause });
  });

  it("does not trust an error object with an unknown code", async () => {
    invokeMock.mockRejectedValueOnce({ code: "exploded", message: "?" });

    const error = await createTauriBackend().appInfo().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "internal" });
  });
});
