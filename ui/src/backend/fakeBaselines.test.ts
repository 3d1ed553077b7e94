import { describe, expect, it } from "vitest";
import { BASELINES } from "../test/baselineFixtures";
import { TENANTS } from "../test/fixtures";
import { FakeBackend } from "./fake";

describe("fake baselines", () => {
  it("changes only drafts, and publishing retires the version before", async () => {
    const backend = new FakeBackend({ tenants: TENANTS, baselines: BASELINES });
    const detail = await backend.baselineDetail("MSP Standard");
    const [draft, published] = detail.versions;
    const draftItem = (await backend.baselineItems(draft.id))[0];
    const publishedItem = (await backend.baselineItems(published.id))[0];
    const rule = { kind: "present" as const, values: [], number: null, variable: null, severity: null };

    await expect(
      backend.setBaselineRule({ itemId: publishedItem.id, path: "x", rule }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("v2 is published") as unknown });
    await expect(
      backend.setBaselineRule({ itemId: draftItem.id, path: "x", rule: { ...rule, kind: "at_least" } }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    const view = await backend.setBaselineRule({ itemId: draftItem.id, path: "x", rule });
    expect(view.settings.find((s) => s.path === "x")).toMatchObject({ value: null, rule });

    await expect(backend.startBaselineDraft("MSP Standard")).rejects.toMatchObject({ code: "conflict" });
    expect(await backend.publishBaseline("MSP Standard")).toBe(3);
    const after = await backend.baselineDetail("MSP Standard");
    expect(after.versions.map((v) => v.status)).toEqual(["published", "retired", "retired"]);
    await expect(backend.publishBaseline("MSP Standard")).rejects.toMatchObject({ code: "conflict" });
    expect(await backend.startBaselineDraft("MSP Standard")).toBe(4);
    const copy = (await backend.baselineItems(after.versions[0].id)).find((i) => i.name === draftItem.name);
    expect(copy?.rules).toBe(3);
  });

  it("exports a version to a folder that imports back", async () => {
    const backend = new FakeBackend({ tenants: TENANTS, baselines: BASELINES });
    const exported = await backend.exportBaseline({
      baselineId: "baseline-msp-standard",
      version: 2,
      path: "/git/standard",
    });
    expect(exported.files).toHaveLength(3);
    await expect(
      backend.createBaseline({ name: "", description: "", tenantId: null, folder: "/git/standard", publish: false, exclusiveKinds: [] }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already has a draft version (v3)") as unknown });
    const copy = await backend.createBaseline({
      name: "Copy",
      description: "",
      tenantId: null,
      folder: "/git/standard",
      publish: true,
      exclusiveKinds: [],
    });
    expect(copy).toMatchObject({ name: "Copy", version: 1, items: 2, status: "published" });
    expect((await backend.baselineDetail("Copy")).baseline.description).toBe("Every managed Windows device");
  });
});
