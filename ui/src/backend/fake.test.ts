import { describe, expect, it } from "vitest";
import { FakeBackend, makeFinding, makeTenant } from "./fake";
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
      reportInteractive: 0,
      generateReport: 0,
      listReports: 0,
      openPath: 0,
      queryFindings: 0,
      findingDetail: 0,
      decideFindings: 0,
      tenantOverview: 0,
      compareCaptures: 0,
      policyDiff: 0,
      startReview: 0,
      listJobs: 0,
      jobStatus: 0,
      cancelJob: 0,
      importCapture: 0,
      previewImport: 0,
      choosePath: 0,
      onPathDropped: 0,
      listPolicyKinds: 0,
      createEvidencePack: 0,
      listEvidencePacks: 0,
      verifyEvidencePack: 0,
      listAlerts: 0,
      openAlertCount: 0,
      acknowledgeAlerts: 0,
      snoozeAlerts: 0,
      listDestinations: 0,
      addDestination: 0,
      testDestination: 0,
      setDestinationEnabled: 0,
      removeDestination: 0,
      listDeliveries: 0,
      deliveryAttempts: 0,
      replayDelivery: 0,
      listSilences: 0,
      addSilence: 0,
      expireSilence: 0,
      listEscalationPolicies: 0,
      listAlertRules: 0,
      addAlertRule: 0,
      setAlertRuleEnabled: 0,
      setAlertRuleTenants: 0,
      removeAlertRule: 0,
      routeAlertRule: 0,
      setRulePolicy: 0,
      addEscalationPolicy: 0,
      removeEscalationPolicy: 0,
      portfolioOverview: 0,
      reportSettings: 0,
      saveBranding: 0,
      setReportLanguage: 0,
      tenantConnections: 0,
      saveTenantConnection: 0,
      setTenantSecret: 0,
      removeTenantSecret: 0,
      signingKey: 0,
      exportPublicKey: 0,
      rotateSigningKey: 0,
      dataDirectory: 0,
      serverConnection: 0,
      signInToServer: 0,
      checkServerConnection: 0,
      signOutOfServer: 0,
      syncStatus: 0,
      syncNow: 0,
      cancelSync: 0,
      rejectedChanges: 0,
      listBaselines: 0,
      baselineDetail: 0,
      baselineItems: 0,
      baselineItem: 0,
      setBaselineRule: 0,
      removeBaselineRule: 0,
      setBaselineItemSeverity: 0,
      startBaselineDraft: 0,
      publishBaseline: 0,
      createBaseline: 0,
      assignBaseline: 0,
      unassignBaseline: 0,
      exportBaseline: 0,
      graphApp: 0,
      saveGraphApp: 0,
      managedTenants: 0,
      addTenant: 0,
      testTenantConnection: 0,
      captureTenants: 0,
      setCaptureCadence: 0,
      resumeCapture: 0,
      setTenantTags: 0,
      captureRuns: 0,
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

describe("fake console", () => {
  it("follows the findings lifecycle and refuses what the engine refuses", async () => {
    const backend = new FakeBackend({
      console: {
        findings: [
          makeFinding({ id: "a", tenant: "Contoso", status: "open" }),
          makeFinding({ id: "b", tenant: "Contoso", status: "resolved" }),
        ],
        fourEyes: true,
        actor: "alice",
        now: () => Date.parse("2026-11-20T00:00:00Z"),
      },
    });
    const outcome = await backend.decideFindings({
      ids: ["a", "b"],
      action: "acknowledge",
      reason: null,
      expiresOn: null,
      approver: null,
    });
    expect(outcome.updated.map((f) => f.status)).toEqual(["acknowledged"]);
    expect(outcome.failures).toEqual([
      { id: "b", message: "cannot acknowledge a finding that is resolved" },
    ]);
    const accept = (approver: string | null, expiresOn = "2027-01-31") =>
      backend.decideFindings({
        ids: ["a"],
        action: "accept_risk",
        reason: "why",
        expiresOn,
        approver,
      });
    await expect(accept("alice")).rejects.toMatchObject({ code: "conflict" });
    await expect(accept("bob", "2026-01-01")).rejects.toMatchObject({ code: "conflict" });
    const accepted = await accept("bob");
    expect(accepted.updated[0]).toMatchObject({
      status: "risk_accepted",
      acceptedUntil: "2027-01-31T23:59:59.000Z",
    });
    const detail = await backend.findingDetail("a");
    expect(detail.history.map((h) => h.toStatus)).toEqual(["open", "acknowledged", "risk_accepted"]);
    expect(detail.acceptances[0]).toMatchObject({ approvedBy: "bob", acceptedValue: "false" });
  });
});
