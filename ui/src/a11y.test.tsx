// Automated accessibility check of each screen (axe-core): no serious or critical
// violations. Colour contrast is left out: jsdom does no layout or painting, so axe
// cannot compute it here.

import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import type { ReactElement } from "react";
import { describe, expect, it } from "vitest";
import { BaselinePage } from "./pages/baselines/BaselinePage";
import { Baselines } from "./pages/baselines/Baselines";
import { FakeBackend, makeAlert, makePack } from "./backend/fake";
import { ActivityProvider } from "./jobs/activity";
import { Alerts } from "./pages/alerts/Alerts";
import { Evidence } from "./pages/evidence/Evidence";
import { Findings } from "./pages/findings/Findings";
import { PolicyDiffView } from "./pages/PolicyDiffView";
import { Portfolio } from "./pages/portfolio/Portfolio";
import { Reports } from "./pages/Reports";
import { Settings } from "./pages/Settings";
import { TenantPage } from "./pages/TenantPage";
import { TopBar } from "./shell/TopBar";
import {
  CONTOSO_COMPARISON,
  CONTOSO_OVERVIEW,
  FINDINGS,
  NOW,
  PASSWORD_DIFF,
  TENANTS,
} from "./test/fixtures";
import { BASELINES } from "./test/baselineFixtures";
import { renderWithBackend } from "./test/render";

function backend() {
  return new FakeBackend({
    tenants: TENANTS,
    console: {
      findings: FINDINGS,
      overviews: { "tenant-contoso": CONTOSO_OVERVIEW },
      comparisons: { "c-2>c-3": CONTOSO_COMPARISON },
      diffs: { "f-2": PASSWORD_DIFF },
      now: () => NOW.getTime(),
    },
    portfolio: { assignments: { "tenant-contoso": ["MSP Standard"] } },
    baselines: BASELINES,
    evidence: {
      packs: [makePack({ id: "p-1", tenant: "Contoso", tenantId: "tenant-contoso" })],
      alerts: [
        makeAlert({ id: "a-1", title: "Contoso: 1 new high finding", tenantId: "tenant-contoso", tenant: "Contoso" }),
        makeAlert({ id: "a-2", title: "Review of every tenant finished", rule: null, severity: "low" }),
      ],
    },
  });
}

async function seriousViolations(ui: ReactElement, ready: string) {
  const { container } = renderWithBackend(ui, backend());
  await screen.findAllByTestId(ready);
  const results = await axe.run(container, {
    rules: { "color-contrast": { enabled: false } },
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Serious or critical violations in what is on screen now (popovers included). */
async function seriousNow() {
  const results = await axe.run(document.body, {
    rules: { "color-contrast": { enabled: false } },
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("accessibility (axe-core)", () => {
  it("Portfolio", async () => {
    expect(await seriousViolations(<Portfolio />, "tenant-row")).toEqual([]);
  });
  it("Findings, with the detail pane open", async () => {
    expect(await seriousViolations(<Findings initialId="f-2" />, "history-step")).toEqual([]);
  });
  it("Tenant", async () => {
    expect(await seriousViolations(<TenantPage tenantId="tenant-contoso" />, "capture-changes")).toEqual(
      [],
    );
  });
  it("Policy diff", async () => {
    expect(await seriousViolations(<PolicyDiffView findingId="f-2" />, "diff-row")).toEqual([]);
  });
  it("Settings", async () => {
    // Every section loaded, down to the tenant connection's secret status.
    expect(await seriousViolations(<Settings />, "secret-status")).toEqual([]);
  });
  it("Baselines", async () => {
    expect(await seriousViolations(<Baselines />, "baseline-row")).toEqual([]);
  });
  it("Baseline, with the draft's items", async () => {
    expect(
      await seriousViolations(<BaselinePage baselineId="baseline-msp-standard" />, "item-row"),
    ).toEqual([]);
  });
  it("Reports", async () => {
    expect(await seriousViolations(<Reports />, "reports-empty")).toEqual([]);
  });
  it("Evidence", async () => {
    expect(await seriousViolations(<Evidence />, "pack-row")).toEqual([]);
  });
  it("Alerts", async () => {
    expect(await seriousViolations(<Alerts />, "alert-row")).toEqual([]);
  });
  it("Evidence with a verdict, Alerts with a body open", async () => {
    const user = userEvent.setup();
    renderWithBackend(
      <>
        <Evidence />
        <Alerts />
      </>,
      backend(),
    );
    await user.click(await screen.findByTestId("pack-verify"));
    await screen.findByTestId("verdict-ok");
    await user.click((await screen.findAllByTestId("alert-title"))[0]);
    await screen.findByTestId("alert-body");
    expect(await seriousNow()).toEqual([]);
  });
  it("Background jobs popover", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.jobs.runningPolls = 1000;
    await fake.startReview("tenant-contoso");
    renderWithBackend(
      <ActivityProvider>
        <TopBar navOpen onToggleNav={() => undefined} mainId="main" />
      </ActivityProvider>,
      fake,
    );
    await user.click(await screen.findByRole("button", { name: "Background jobs, 1 running" }));
    await screen.findByTestId("activity-job");
    expect(await seriousNow()).toEqual([]);
  });
});
