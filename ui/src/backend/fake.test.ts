import { describe, expect, it } from "vitest";
import { FakeBackend, makeTenant } from "./fake";
import { BackendError } from "./types";

describe("FakeBackend", () => {
  it("returns copies, so callers cannot change its state", async () => {
    const backend = new FakeBackend({ tenants: [makeTenant({ name: "Contoso", tags: ["gold"] })] });

    const first = await backend.listTenants();
    first[0]?.tags.push("changed");
    first.pop();

    const second = await backend.listTenants();
    expect(second).toHaveLength(1);
    expect(second[0]?.tags).toEqual(["gold"]);
  });

  it("fails a method until the failure is cleared, counting calls", async () => {
    const backend = new FakeBackend({ failures: { appInfo: new BackendError("io", "disk") } });

    await expect(backend.appInfo()).rejects.toMatchObject({ code: "io", message: "disk" });
    await expect(backend.listTenants()).resolves.toEqual([]);
    backend.fail("appInfo", null);
    await expect(backend.appInfo()).resolves.toMatchObject({ isDemoData: false });
    expect(backend.calls).toEqual({
      appInfo: 2,
      listTenants: 1,
      generateReport: 0,
      listReports: 0,
      openPath: 0,
    });
  });

  it("records generated reports and lists them newest first", async () => {
    const backend = new FakeBackend({ tenants: [makeTenant({ name: "Contoso" })] });
    const request = {
      kind: "executive" as const,
      tenantId: "tenant-contoso",
      from: null,
      to: null,
      language: "en" as const,
      branding: { mspName: "Acme", accentColour: "#1F4E79", logoPath: null },
      outputPath: null,
    };
    const first = await backend.generateReport(request);
    const second = await backend.generateReport({ ...request, kind: "portfolio", tenantId: null });
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.sha256).not.toEqual(first.sha256);
    const listed = await backend.listReports();
    expect(listed.map((r) => [r.kind, r.tenantName])).toEqual([
      ["portfolio", null],
      ["executive", "Contoso"],
    ]);
    await expect(
      backend.generateReport({ ...request, tenantId: null }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      backend.generateReport({ ...request, branding: { ...request.branding, accentColour: "red" } }),
    ).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("answers after its latency", async () => {
    const backend = new FakeBackend({ latencyMs: 40 });
    const started = performance.now();
    await backend.appInfo();
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});
