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
    expect(backend.calls).toEqual({ appInfo: 2, listTenants: 1 });
  });

  it("answers after its latency", async () => {
    const backend = new FakeBackend({ latencyMs: 40 });
    const started = performance.now();
    await backend.appInfo();
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});
