import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError, type AlertRow } from "../../backend";
import { FakeBackend, makeAlert } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { Alerts } from "./Alerts";

const HOUR = 3_600_000;

function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * HOUR).toISOString();
}

function alerts(): AlertRow[] {
  return [
    makeAlert({
      id: "a-1",
      tenantId: "tenant-contoso",
      tenant: "Contoso",
      severity: "critical",
      title: "Contoso: 2 new findings, the worst critical",
      body: "[critical] BitLocker required is off\n[high] Password length below 14",
      raisedAt: hoursAgo(3),
    }),
    makeAlert({
      id: "a-2",
      rule: null,
      severity: "low",
      title: "Review of every tenant finished",
      body: "4 of 4 tenants reviewed.",
      raisedAt: hoursAgo(1),
      notify: false,
    }),
    makeAlert({
      id: "a-3",
      rule: "Risk acceptance lapsed",
      tenantId: "tenant-fabrikam",
      tenant: "Fabrikam",
      severity: "high",
      title: "Fabrikam: a risk acceptance lapsed",
      raisedAt: hoursAgo(30),
    }),
    makeAlert({
      id: "a-4",
      tenantId: "tenant-woodgrove",
      tenant: "Woodgrove",
      severity: "medium",
      title: "Woodgrove: score fell 12 points to 70",
      raisedAt: hoursAgo(50),
      snoozedUntil: new Date(Date.now() + 5 * HOUR).toISOString(),
    }),
    makeAlert({
      id: "a-5",
      tenantId: "tenant-contoso",
      tenant: "Contoso",
      severity: "high",
      title: "Contoso: 1 new high finding",
      raisedAt: hoursAgo(100),
      acknowledgedAt: hoursAgo(90),
    }),
    makeAlert({
      id: "a-6",
      tenantId: "tenant-woodgrove",
      tenant: "Woodgrove",
      severity: "high",
      title: "Woodgrove: a capture from Graph failed",
      raisedAt: hoursAgo(120),
      acknowledgedAt: hoursAgo(119),
      resolvedAt: hoursAgo(2),
    }),
  ];
}

function backend(rows: AlertRow[] = alerts()) {
  return new FakeBackend({ evidence: { alerts: rows } });
}

function titles(): string[] {
  return screen.getAllByTestId("alert-title").map((t) => t.textContent ?? "");
}

function row(title: string): HTMLElement {
  const found = screen
    .getAllByTestId("alert-row")
    .find((r) => within(r).getByTestId("alert-title").textContent === title);
  if (!found) throw new Error(`no row ${title}`);
  return found;
}

describe("Alerts inbox", () => {
  it("lists the open alerts newest first with severity, tenant link, age, rule and state", async () => {
    renderWithBackend(<Alerts />, backend());
    await screen.findAllByTestId("alert-row");
    expect(screen.getByRole("tab", { name: "Open" })).toHaveAttribute("aria-selected", "true");
    expect(titles()).toEqual([
      "Review of every tenant finished",
      "Contoso: 2 new findings, the worst critical",
      "Fabrikam: a risk acceptance lapsed",
    ]);
    const contoso = row("Contoso: 2 new findings, the worst critical");
    expect(within(contoso).getByTestId("severity")).toHaveTextContent("Critical");
    expect(within(contoso).getByRole("link", { name: "Contoso" })).toHaveAttribute(
      "href",
      "#/tenants/tenant-contoso",
    );
    expect(contoso).toHaveTextContent("3 hours ago");
    expect(contoso).toHaveTextContent("New critical or high findings");
    expect(within(contoso).getByTestId("alert-state")).toHaveTextContent("Open");
    const notice = row("Review of every tenant finished");
    expect(notice).toHaveTextContent("Notice");
    expect(notice).toHaveTextContent("All tenants");
    expect(row("Fabrikam: a risk acceptance lapsed")).toHaveTextContent("yesterday");
  });

  it("switches between Open, Snoozed, Acknowledged, Resolved and All", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Alerts />, backend());
    await screen.findAllByTestId("alert-row");

    await user.click(screen.getByRole("tab", { name: "Snoozed" }));
    await waitFor(() => expect(titles()).toEqual(["Woodgrove: score fell 12 points to 70"]));
    const snoozed = row("Woodgrove: score fell 12 points to 70");
    expect(within(snoozed).getByTestId("alert-state")).toHaveTextContent("Snoozed");
    expect(snoozed).toHaveTextContent("back in 4 hours");

    await user.click(screen.getByRole("tab", { name: "Acknowledged" }));
    await waitFor(() => expect(titles()).toEqual(["Contoso: 1 new high finding"]));
    // Acknowledged alerts cannot be acknowledged or snoozed again.
    const done = row("Contoso: 1 new high finding");
    expect(within(done).getByTestId("alert-select")).toBeDisabled();
    expect(within(done).queryByTestId("alert-acknowledge")).not.toBeInTheDocument();

    // An alert whose condition cleared is resolved, not acknowledged, whoever saw it.
    await user.click(screen.getByRole("tab", { name: "Resolved" }));
    await waitFor(() => expect(titles()).toEqual(["Woodgrove: a capture from Graph failed"]));
    const resolved = row("Woodgrove: a capture from Graph failed");
    expect(within(resolved).getByTestId("alert-state")).toHaveTextContent("Resolved");
    expect(resolved).toHaveTextContent("2 hours ago");
    expect(within(resolved).getByTestId("alert-select")).toBeDisabled();

    await user.click(screen.getByRole("tab", { name: "All" }));
    await waitFor(() => expect(titles()).toHaveLength(6));
  });

  it("expands an alert's body from its title", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Alerts />, backend());
    await screen.findAllByTestId("alert-row");
    const title = within(row("Contoso: 2 new findings, the worst critical")).getByTestId(
      "alert-title",
    );
    expect(title).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("alert-body")).not.toBeInTheDocument();
    await user.click(title);
    expect(title).toHaveAttribute("aria-expanded", "true");
    const body = screen.getByTestId("alert-body");
    expect(body).toHaveTextContent("[critical] BitLocker required is off");
    expect(title).toHaveAttribute("aria-controls", body.id);
    await user.click(title);
    expect(screen.queryByTestId("alert-body")).not.toBeInTheDocument();
  });

  it("acknowledges one alert from its row", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    await user.click(
      screen.getByRole("button", { name: "Acknowledge Fabrikam: a risk acceptance lapsed" }),
    );
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent("1 alert acknowledged.");
    await waitFor(() => expect(titles()).not.toContain("Fabrikam: a risk acceptance lapsed"));
    expect(fake.evidence.listAlerts("acknowledged").map((a) => a.id)).toEqual(["a-3", "a-5"]);
    // Focus stays in the table, on the row that took the acknowledged one's place.
    await waitFor(() =>
      expect(document.activeElement).toHaveAttribute("data-testid", "alert-title"),
    );
  });

  it("snoozes one alert from its row's menu", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    const before = Date.now();
    await user.click(screen.getByRole("button", { name: "Snooze Review of every tenant finished" }));
    await user.click(await screen.findByRole("menuitem", { name: "For 4 hours" }));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent(
      "1 alert snoozed for 4 hours",
    );
    await waitFor(() => expect(titles()).not.toContain("Review of every tenant finished"));
    const snoozed = fake.evidence.listAlerts("snoozed").find((a) => a.id === "a-2");
    const until = Date.parse(snoozed?.snoozedUntil ?? "");
    expect(until).toBeGreaterThanOrEqual(before + 4 * HOUR);
    expect(until).toBeLessThan(before + 4 * HOUR + 60_000);
  });

  it("selects all open alerts and acknowledges them together, then says the inbox is empty", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    expect(screen.getByTestId("alerts-acknowledge")).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "Select all alerts" }));
    expect(screen.getByTestId("alerts-selected")).toHaveTextContent("3 alerts selected");
    await user.click(screen.getByTestId("alerts-acknowledge"));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent("3 alerts acknowledged.");
    const empty = await screen.findByTestId("alerts-empty");
    expect(empty).toHaveTextContent("No open alerts");
    expect(empty).toHaveTextContent("Reviews raise them when");
    expect(fake.evidence.listAlerts("open")).toEqual([]);
    // The snoozed alert was not part of the open view, so it was left alone.
    expect(fake.evidence.listAlerts("snoozed").map((a) => a.id)).toEqual(["a-4"]);
  });

  it("snoozes a selection for a week", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    await user.click(within(row("Review of every tenant finished")).getByTestId("alert-select"));
    await user.click(within(row("Fabrikam: a risk acceptance lapsed")).getByTestId("alert-select"));
    // Select all shows that some, not all, are selected.
    expect(screen.getByRole("checkbox", { name: "Select all alerts" })).toBePartiallyChecked();
    await user.click(screen.getByTestId("alerts-snooze"));
    await user.click(await screen.findByRole("menuitem", { name: "For 1 week" }));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent(
      "2 alerts snoozed for 1 week",
    );
    await waitFor(() => expect(titles()).toEqual(["Contoso: 2 new findings, the worst critical"]));
    expect(fake.evidence.listAlerts("snoozed").map((a) => a.id).sort()).toEqual(["a-2", "a-3", "a-4"]);
  });

  it("says when some alerts had been acknowledged elsewhere meanwhile", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    await user.click(within(row("Fabrikam: a risk acceptance lapsed")).getByTestId("alert-select"));
    // The alert is acknowledged elsewhere (the CLI) before this page acts.
    fake.evidence.acknowledge(["a-3"]);
    await user.click(screen.getByTestId("alerts-acknowledge"));
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent(
      "0 alerts acknowledged. 1 alert was already acknowledged.",
    );
  });

  it("is usable from the keyboard: select with Space, act with Enter", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    within(row("Review of every tenant finished")).getByTestId("alert-select").focus();
    await user.keyboard(" ");
    expect(screen.getByTestId("alerts-selected")).toHaveTextContent("1 alert selected");
    // Tab moves on to the title (the severity badge is no stop); Enter expands it.
    await user.tab();
    expect(document.activeElement).toHaveTextContent("Review of every tenant finished");
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("alert-body")).toHaveTextContent("4 of 4 tenants reviewed.");
    screen.getByTestId("alerts-acknowledge").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("alerts-outcome")).toHaveTextContent("1 alert acknowledged.");
    expect(fake.evidence.listAlerts("open").map((a) => a.id)).toEqual(["a-1", "a-3"]);
  });

  it("says what each empty tab is for", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Alerts />, backend([]));
    expect(await screen.findByTestId("alerts-empty")).toHaveTextContent("No open alerts");
    expect(screen.getByTestId("alerts-empty")).toHaveTextContent("plumbline review");
    await user.click(screen.getByRole("tab", { name: "Snoozed" }));
    await waitFor(() =>
      expect(screen.getByTestId("alerts-empty")).toHaveTextContent("No snoozed alerts"),
    );
    expect(screen.getByTestId("alerts-empty")).toHaveTextContent("comes back to Open by itself");
    await user.click(screen.getByRole("tab", { name: "Acknowledged" }));
    await waitFor(() =>
      expect(screen.getByTestId("alerts-empty")).toHaveTextContent("No acknowledged alerts"),
    );
    await user.click(screen.getByRole("tab", { name: "All" }));
    await waitFor(() => expect(screen.getByTestId("alerts-empty")).toHaveTextContent("No alerts yet"));
  });

  it("shows the backend's message when an action or the list fails", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.fail("acknowledgeAlerts", new BackendError("database", "the database is locked: try again"));
    renderWithBackend(<Alerts />, fake);
    await screen.findAllByTestId("alert-row");
    await user.click(
      screen.getByRole("button", { name: "Acknowledge Fabrikam: a risk acceptance lapsed" }),
    );
    expect(await screen.findByTestId("alerts-action-error")).toHaveTextContent(
      "the database is locked: try again",
    );
    expect(titles()).toContain("Fabrikam: a risk acceptance lapsed");

    fake.fail("listAlerts", new BackendError("io", "cannot open the database file"));
    await user.click(screen.getByRole("tab", { name: "All" }));
    expect(await screen.findByTestId("alerts-error")).toHaveTextContent(
      "cannot open the database file",
    );
  });
});
