import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend, makeAlert } from "../backend/fake";
import { ActivityProvider } from "../jobs/activity";
import { TENANTS } from "../test/fixtures";
import { renderApp, renderWithBackend } from "../test/render";
import { Nav } from "./Nav";
import { TopBar } from "./TopBar";

/** The shell's top bar and navigation around one poller with the given intervals. */
function renderShell(
  fake: FakeBackend,
  intervals: { jobsRunningMs?: number; jobsIdleMs?: number; alertsMs?: number } = {},
) {
  return renderWithBackend(
    <ActivityProvider {...intervals}>
      <TopBar navOpen onToggleNav={() => undefined} mainId="main" />
      <Nav selected="portfolio" open />
    </ActivityProvider>,
    fake,
  );
}

function alertsLink(): HTMLElement {
  return within(screen.getByRole("navigation", { name: "Console" })).getByRole("link", {
    name: /^Alerts/,
  });
}

function openAlerts(count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeAlert({ id: `open-${i}`, title: `Alert ${i}`, raisedAt: new Date(Date.now() - i * 60_000).toISOString() }),
  );
}

describe("Alerts badge in the navigation", () => {
  it("shows the number of open alerts, and says it in the link's name", async () => {
    const acknowledged = makeAlert({
      id: "done",
      title: "Seen to",
      acknowledgedAt: new Date().toISOString(),
    });
    renderApp(new FakeBackend({ tenants: TENANTS, evidence: { alerts: [...openAlerts(3), acknowledged] } }));
    await waitFor(() => expect(alertsLink()).toHaveAccessibleName("Alerts, 3 open"));
    expect(screen.getByTestId("nav-alerts-badge")).toHaveTextContent("3");
  });

  it("shows no badge without open alerts", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    renderApp(fake);
    await waitFor(() => expect(fake.calls.openAlertCount).toBeGreaterThan(0));
    expect(alertsLink()).toHaveAccessibleName("Alerts");
    expect(screen.queryByTestId("nav-alerts-badge")).not.toBeInTheDocument();
  });

  it("counts again at once when alerts are acknowledged on the Alerts page", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS, evidence: { alerts: openAlerts(3) } }));
    await waitFor(() => expect(alertsLink()).toHaveAccessibleName("Alerts, 3 open"));
    await user.click(alertsLink());
    await user.click(await screen.findByRole("button", { name: "Acknowledge Alert 0" }));
    await waitFor(() => expect(alertsLink()).toHaveAccessibleName("Alerts, 2 open"));
  });

  it("counts again when a background job ends (a review raises alerts)", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    // The 30-second poll never comes in this test: only the job's end can update it.
    renderShell(fake, { jobsRunningMs: 20, jobsIdleMs: 20, alertsMs: 1_000_000 });
    await waitFor(() => expect(fake.calls.openAlertCount).toBe(1));
    fake.evidence.raise(makeAlert({ id: "raised", title: "Contoso: 1 new high finding" }));
    fake.jobs.runningPolls = 3;
    await fake.startReview(null);
    await waitFor(() => expect(alertsLink()).toHaveAccessibleName("Alerts, 1 open"));
    expect(fake.calls.openAlertCount).toBe(2);
  });

  it("counts again on its own interval", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    renderShell(fake, { alertsMs: 50 });
    await waitFor(() => expect(fake.calls.openAlertCount).toBeGreaterThan(0));
    fake.evidence.raise(makeAlert({ id: "raised", title: "Raised by the CLI" }));
    await waitFor(() => expect(alertsLink()).toHaveAccessibleName("Alerts, 1 open"));
  });
});

describe("Activity indicator", () => {
  it("says nothing runs, and what will show up here", async () => {
    const user = userEvent.setup();
    renderShell(new FakeBackend());
    const button = await screen.findByRole("button", { name: "Background jobs, none running" });
    await user.click(button);
    const popover = await screen.findByRole("dialog", { name: "Background jobs" });
    await waitFor(() => expect(popover).toHaveFocus());
    // The focus trap hides everything outside its dialog a quarter second after it opens;
    // the dialog itself must stay in the accessibility tree.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(screen.getByRole("dialog", { name: "Background jobs" })).toBe(popover);
    expect(await within(popover).findByTestId("activity-empty")).toHaveTextContent(
      "Reviews, imports and evidence packs run here",
    );
  });

  it("shows a running job with its stage and progress, and cancels it", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ tenants: TENANTS });
    fake.jobs.runningPolls = 100_000;
    await fake.startReview("tenant-contoso");
    renderShell(fake, { jobsRunningMs: 30, jobsIdleMs: 30 });

    const button = await screen.findByRole("button", { name: "Background jobs, 1 running" });
    expect(button).toHaveTextContent("1");
    await user.click(button);
    const popover = await screen.findByRole("dialog", { name: "Background jobs" });
    const job = within(popover).getByTestId("activity-job");
    expect(job).toHaveTextContent("Review of Contoso");
    expect(within(job).getByTestId("activity-job-state")).toHaveTextContent("Running");
    expect(job).toHaveTextContent("Working…");
    expect(within(job).getByRole("progressbar", { name: "Review of Contoso: progress" })).toBeInTheDocument();

    await user.click(within(job).getByRole("button", { name: "Cancel Review of Contoso" }));
    await waitFor(() =>
      expect(within(popover).getByTestId("activity-job-state")).toHaveTextContent("Cancelled"),
    );
    expect(within(popover).getByTestId("activity-job-message")).toHaveTextContent(
      "Cancelled. What was already saved stays",
    );
    expect(fake.calls.cancelJob).toBe(1);
    expect(screen.getByTestId("activity-button")).toHaveAccessibleName(
      "Background jobs, none running",
    );
  });

  it("shows how finished jobs ended, newest first", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ tenants: TENANTS, jobPolls: 0 });
    await fake.startReview("tenant-contoso");
    await fake.importCapture({ tenant: "tenant-contoso", folder: "/exports/x", skipBadFiles: false });
    renderShell(fake);
    await user.click(await screen.findByRole("button", { name: "Background jobs, none running" }));
    const popover = await screen.findByRole("dialog", { name: "Background jobs" });
    const jobs = await within(popover).findAllByTestId("activity-job");
    expect(jobs.map((j) => within(j).getByText(/^(Review of|Import into)/).textContent)).toEqual([
      "Import into Contoso",
      "Review of Contoso",
    ]);
    expect(jobs[0]).toHaveTextContent("12 items from 12 files imported into Contoso.");
    expect(jobs[1]).toHaveTextContent("Reviewed: 1 new finding, 0 re-opened, 0 resolved.");
    expect(within(popover).queryByRole("button", { name: /^Cancel/ })).not.toBeInTheDocument();
  });

  it("polls often while a job runs and seldom when none does", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    fake.jobs.runningPolls = 100_000;
    const job = await fake.startReview(null);
    renderShell(fake, { jobsRunningMs: 20, jobsIdleMs: 60_000 });
    await waitFor(() => expect(fake.calls.listJobs).toBeGreaterThan(5));
    fake.jobs.cancel(job.id);
    await waitFor(() =>
      expect(screen.getByTestId("activity-button")).toHaveAccessibleName(
        "Background jobs, none running",
      ),
    );
    const settled = fake.calls.listJobs;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls.listJobs).toBe(settled);
  });
});
