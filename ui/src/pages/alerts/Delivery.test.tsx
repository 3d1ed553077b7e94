import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { DeliveryRow, DestinationRow } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { Delivery } from "./Delivery";

function destination(fields: Partial<DestinationRow>): DestinationRow {
  return {
    id: "d-ops",
    name: "ops",
    kind: "webhook",
    target: "hooks.msp.example",
    allowPrivate: false,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    secretSetAt: "2026-12-01T08:00:00.000Z",
    rules: ["New critical or high findings"],
    ...fields,
  };
}

function dead(): DeliveryRow {
  return {
    id: "delivery-dead",
    destinationId: "d-ops",
    destination: "ops",
    tenantId: "tenant-contoso",
    title: "Contoso: 1 new critical finding",
    eventId: "event-1",
    state: "dead",
    attempts: 9,
    replays: 0,
    nextAttemptAt: "2026-12-02T08:00:00.000Z",
    lastStatus: 503,
    lastError: "hooks.msp.example answered 503",
    createdAt: "2026-12-01T08:00:00.000Z",
    doneAt: "2026-12-02T08:00:00.000Z",
  };
}

describe("Where alerts go", () => {
  it("lists destinations with their state and rules, never a URL", async () => {
    const backend = new FakeBackend({
      delivery: {
        destinations: [
          destination({}),
          destination({
            id: "d-teams",
            name: "teams",
            kind: "teams",
            target: "prod.westeurope.logic.azure.com",
            enabled: false,
            disabledReason: "the destination answered 410 Gone",
            rules: [],
          }),
        ],
      },
    });
    renderWithBackend(<Delivery />, backend);
    const ops = await screen.findByTestId("destination-ops");
    expect(within(ops).getByText("hooks.msp.example")).toBeInTheDocument();
    expect(within(ops).getByText("New critical or high findings")).toBeInTheDocument();
    expect(within(ops).getByText("Enabled")).toBeInTheDocument();
    const teams = screen.getByTestId("destination-teams");
    expect(within(teams).getByText(/Disabled: the destination answered 410 Gone/)).toBeInTheDocument();
    expect(within(teams).getByText("No rule routed")).toBeInTheDocument();
  });

  it("adds a webhook, shows its signing secret once, and sends it a test alert", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ delivery: { unreachable: ["down"] } });
    renderWithBackend(<Delivery />, backend);
    expect(await screen.findByTestId("delivery-none")).toBeInTheDocument();
    await user.click(screen.getByTestId("destination-add"));
    await user.type(screen.getByTestId("destination-name"), "ops");
    await user.type(screen.getByTestId("destination-url"), "https://hooks.msp.example/plumbline");
    await user.click(screen.getByTestId("destination-save"));
    const secret = await screen.findByTestId("delivery-secret");
    expect(secret.textContent).toMatch(/whsec_/);
    expect(await screen.findByTestId("destination-ops")).toBeInTheDocument();
    expect(backend.calls.addDestination).toBe(1);

    await user.click(screen.getByTestId("destination-test-ops"));
    const outcome = await screen.findByTestId("delivery-outcome");
    expect(outcome).toHaveTextContent("The test alert reached ops.");
    expect(screen.queryByTestId("delivery-secret")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("deliveries")).toBeInTheDocument());
    expect(within(screen.getByTestId("deliveries")).getByText("Sent")).toBeInTheDocument();
  });

  it("adds an e-mail destination through a relay, TLS required unless a private relay is allowed", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend();
    renderWithBackend(<Delivery />, backend);
    expect(await screen.findByTestId("delivery-none")).toBeInTheDocument();
    await user.click(screen.getByTestId("destination-add"));
    await user.type(screen.getByTestId("destination-name"), "oncall-mail");
    await user.click(screen.getByTestId("destination-kind"));
    await user.click(screen.getByRole("option", { name: "E-mail (SMTP)" }));
    expect(screen.getByText("Mail relay")).toBeInTheDocument();
    await user.type(screen.getByTestId("destination-url"), "smtp://10.0.0.25:25");
    await user.type(screen.getByTestId("destination-from"), "Plumbline <alerts@msp.example>");
    await user.type(screen.getByTestId("destination-to"), "oncall@msp.example, desk@msp.example");
    await user.click(screen.getByTestId("destination-smtp-security"));
    await user.click(screen.getByRole("option", { name: "None (private relay only)" }));
    await user.click(screen.getByTestId("destination-save"));
    expect(await screen.findByTestId("delivery-error")).toHaveTextContent(/clear text/);

    await user.click(screen.getByTestId("destination-private"));
    await user.click(screen.getByTestId("destination-save"));
    const row = await screen.findByTestId("destination-oncall-mail");
    expect(within(row).getByText("10.0.0.25")).toBeInTheDocument();
    expect(screen.queryByTestId("delivery-secret")).not.toBeInTheDocument();
    expect(backend.calls.addDestination).toBe(2);
  });

  it("says why a destination is refused and what a failed test answered", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      delivery: { destinations: [destination({ name: "down", id: "d-down" })], unreachable: ["down"] },
    });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("destination-test-down"));
    expect(await screen.findByTestId("delivery-outcome")).toHaveTextContent(
      "The test alert did not reach down: hooks.msp.example answered 503",
    );
    await user.click(screen.getByTestId("destination-add"));
    await user.type(screen.getByTestId("destination-name"), "plain");
    await user.type(screen.getByTestId("destination-url"), "http://hooks.msp.example/x");
    await user.click(screen.getByTestId("destination-save"));
    expect(await screen.findByTestId("delivery-error")).toHaveTextContent(/https/);
  });

  it("shows dead letters and sends one again", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      delivery: { destinations: [destination({})], deliveries: [dead()] },
    });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("deliveries-dead"));
    const row = await screen.findByTestId("delivery-delivery-dead");
    expect(within(row).getByText("Dead letter")).toBeInTheDocument();
    await user.click(within(row).getByTestId("delivery-replay-delivery-dead"));
    expect(await screen.findByTestId("delivery-outcome")).toHaveTextContent(/Back in the outbox/);
    expect(backend.calls.replayDelivery).toBe(1);
    await waitFor(() =>
      expect(screen.queryByTestId("delivery-replay-delivery-dead")).not.toBeInTheDocument(),
    );
  });

  it("ends a silence and lists escalation policies", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      delivery: {
        silences: [
          {
            id: "s-1",
            rule: null,
            tenant: "Contoso",
            startsAt: "2026-12-01T08:00:00.000Z",
            endsAt: "2099-12-01T08:00:00.000Z",
            comment: "migration weekend",
            active: true,
          },
        ],
        policies: [
          {
            id: "p-1",
            name: "night",
            policy: {
              steps: [
                { after_seconds: 900, destinations: ["on-call"] },
                { after_seconds: 2700, destinations: ["manager", "pager"] },
              ],
              repeats: 2,
              repeat_after_seconds: 3600,
            },
            rules: ["New critical or high findings"],
          },
        ],
      },
    });
    renderWithBackend(<Delivery />, backend);
    const silence = await screen.findByTestId("silence-s-1");
    expect(silence).toHaveTextContent("Every rule · Contoso — migration weekend");
    expect(screen.getByTestId("policy-night")).toHaveTextContent(
      "after 15 min: on-call; after 45 min: manager, pager, again 2 times after 1 h",
    );
    await user.click(within(silence).getByTestId("silence-expire-s-1"));
    // The list reloads: wait for the ended silence itself, not only for its button to go.
    await waitFor(() => expect(screen.getByTestId("silence-s-1")).toHaveTextContent(/ended/));
    expect(screen.queryByTestId("silence-expire-s-1")).not.toBeInTheDocument();
  });
});
