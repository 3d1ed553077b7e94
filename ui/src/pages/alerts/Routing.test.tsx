import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { DestinationRow, TenantRow } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { Delivery } from "./Delivery";

function destination(name: string, rules: string[] = []): DestinationRow {
  return {
    id: `d-${name}`,
    name,
    kind: "webhook",
    target: "hooks.msp.example",
    allowPrivate: false,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    secretSetAt: "2026-12-01T08:00:00.000Z",
    rules,
  };
}

const contoso: TenantRow = {
  id: "tenant-contoso",
  name: "Contoso",
  primaryDomain: "contoso.example",
  entraTenantId: null,
  tags: [],
  isDemo: false,
  captureCount: 1,
  lastCaptureAt: "2026-12-01T08:00:00.000Z",
  itemCount: 10,
  failedKinds: [],
};

const HIGH = "New critical or high findings";

describe("Alert rules, silences and escalation policies", () => {
  it("lists the rules with their conditions and routes, and routes one to a destination and back", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      delivery: { destinations: [destination("ops", [HIGH]), destination("on-call")] },
    });
    renderWithBackend(<Delivery />, backend);
    const high = await screen.findByTestId(`rule-${HIGH}`);
    expect(high).toHaveTextContent("New findings of high severity or worse");
    expect(high).toHaveTextContent("at most once per tenant every 1 h");
    expect(within(high).getByTestId(`unroute-${HIGH}-ops`)).toBeInTheDocument();
    const lapsed = screen.getByTestId("rule-Risk acceptance lapsed");
    expect(lapsed).toHaveTextContent("Inbox only");

    await user.click(within(high).getByTestId(`route-${HIGH}`));
    await user.click(screen.getByRole("option", { name: "on-call" }));
    await waitFor(() =>
      expect(
        within(screen.getByTestId(`rule-${HIGH}`)).getByTestId(`unroute-${HIGH}-on-call`),
      ).toBeInTheDocument(),
    );
    // The destination lists the rule too: one source of truth.
    expect(screen.getByTestId("destination-on-call")).toHaveTextContent(HIGH);

    await user.click(screen.getByRole("button", { name: `Stop sending ${HIGH} to ops` }));
    await waitFor(() =>
      expect(screen.queryByTestId(`unroute-${HIGH}-ops`)).not.toBeInTheDocument(),
    );
    expect(backend.calls.routeAlertRule).toBe(2);
  });

  it("adds a rule for tagged tenants but one, turns it off and removes it", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: [contoso] });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("rule-add"));
    await user.type(screen.getByTestId("rule-name"), "Big drops");
    await user.click(screen.getByTestId("rule-kind"));
    await user.click(screen.getByRole("option", { name: "The score dropped" }));
    await user.clear(screen.getByTestId("rule-number"));
    await user.type(screen.getByTestId("rule-number"), "15");
    await user.click(screen.getByTestId("rule-every"));
    await user.click(screen.getByRole("option", { name: "6 hours" }));
    await user.type(screen.getByTestId("rule-tags"), "vip, gold");
    await user.click(screen.getByTestId("rule-except"));
    // A multiselect list is a menu of checkboxes.
    await user.click(screen.getByRole("menuitemcheckbox", { name: "Contoso" }));
    await user.click(screen.getByTestId("rule-save"));
    const row = await screen.findByTestId("rule-Big drops");
    expect(row).toHaveTextContent("The score dropped by 15 points or more");
    expect(row).toHaveTextContent("every 6 h");
    expect(row).toHaveTextContent("tenants tagged vip or gold; never Contoso");
    expect(screen.getByTestId(`rule-${HIGH}`)).toHaveTextContent("every tenant");
    expect(screen.getByTestId("delivery-outcome")).toHaveTextContent("Rule Big drops added");

    await user.click(within(row).getByRole("switch"));
    await waitFor(() =>
      expect(
        within(screen.getByTestId("rule-Big drops")).getByRole("switch"),
      ).not.toBeChecked(),
    );
    await user.click(within(screen.getByTestId("rule-Big drops")).getByTestId("rule-remove-Big drops"));
    await waitFor(() => expect(screen.queryByTestId("rule-Big drops")).not.toBeInTheDocument());
  });

  it("changes which tenants an existing rule watches, starting from what it watches now", async () => {
    const user = userEvent.setup();
    const fabrikam: TenantRow = { ...contoso, id: "tenant-fabrikam", name: "Fabrikam" };
    const backend = new FakeBackend({ tenants: [contoso, fabrikam] });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId(`rule-tenants-${HIGH}`));
    const form = screen.getByRole("group", { name: `Tenants ${HIGH} watches` });
    await user.click(within(form).getByTestId("watch-tenants"));
    await user.click(screen.getByRole("menuitemcheckbox", { name: "Contoso" }));
    await user.click(screen.getByRole("menuitemcheckbox", { name: "Fabrikam" }));
    await user.type(within(form).getByTestId("watch-tags"), " vip ,");
    await user.click(within(form).getByTestId("watch-save"));
    await waitFor(() =>
      expect(screen.getByTestId(`rule-${HIGH}`)).toHaveTextContent(
        "only Contoso, Fabrikam; tenants tagged vip",
      ),
    );
    expect(screen.getByTestId("delivery-outcome")).toHaveTextContent(
      `${HIGH} now watches the tenants you chose.`,
    );

    // Opened again, the form holds the rule's tenants: taking one out keeps the other.
    await user.click(screen.getByTestId(`rule-tenants-${HIGH}`));
    expect(screen.getByTestId("watch-tags")).toHaveValue("vip");
    await user.click(screen.getByTestId("watch-tenants"));
    await user.click(screen.getByRole("menuitemcheckbox", { name: "Contoso" }));
    await user.clear(screen.getByTestId("watch-tags"));
    await user.click(screen.getByTestId("watch-save"));
    await waitFor(() =>
      expect(screen.getByTestId(`rule-${HIGH}`)).toHaveTextContent("only Fabrikam"),
    );
    expect(screen.getByTestId(`rule-${HIGH}`)).not.toHaveTextContent("vip");
    expect(backend.calls.setAlertRuleTenants).toBe(2);
  });

  it("adds a rule for deleted (ghost) policies", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend();
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("rule-add"));
    await user.type(screen.getByTestId("rule-name"), "Ghosts");
    await user.click(screen.getByTestId("rule-kind"));
    await user.click(screen.getByRole("option", { name: "A policy was deleted" }));
    expect(screen.queryByTestId("rule-number")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("rule-save"));
    expect(await screen.findByTestId("rule-Ghosts")).toHaveTextContent(
      "A policy was deleted since the last capture",
    );
  });

  it("adds an escalation policy, gives it to a rule, and says what is wrong with a bad step", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      delivery: { destinations: [destination("on-call"), destination("manager")] },
    });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("policy-add"));
    await user.type(screen.getByTestId("policy-name"), "night");
    await user.type(screen.getByTestId("policy-steps"), "15m:on-call{Enter}soon:manager");
    await user.click(screen.getByTestId("policy-save"));
    expect(await screen.findByTestId("delivery-error")).toHaveTextContent(
      /"soon:manager": write AFTER:DESTINATION/,
    );

    await user.clear(screen.getByTestId("policy-steps"));
    await user.type(screen.getByTestId("policy-steps"), "15m:on-call{Enter}45m:manager");
    await user.clear(screen.getByTestId("policy-repeats"));
    await user.type(screen.getByTestId("policy-repeats"), "2");
    await user.click(screen.getByTestId("policy-save"));
    const policy = await screen.findByTestId("policy-night");
    expect(policy).toHaveTextContent(
      "after 15 min: on-call; after 45 min: manager, again 2 times after 1 h",
    );

    // The rules reload after the policy is saved: wait for their list again.
    await user.click(await screen.findByTestId(`rule-policy-${HIGH}`));
    await user.click(screen.getByRole("option", { name: "night" }));
    await waitFor(() => expect(screen.getByTestId("policy-night")).toHaveTextContent(`Used by ${HIGH}`));

    await user.click(screen.getByTestId("policy-remove-night"));
    await waitFor(() => expect(screen.queryByTestId("policy-night")).not.toBeInTheDocument());
    expect(screen.getByTestId(`rule-policy-${HIGH}`)).toHaveTextContent("No escalation");
  });

  it("silences a tenant's alerts of one rule, with a reason", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ tenants: [contoso] });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId("silence-add"));
    await user.click(screen.getByTestId("silence-rule"));
    await user.click(screen.getByRole("option", { name: HIGH }));
    await user.click(screen.getByTestId("silence-tenant"));
    await user.click(screen.getByRole("option", { name: "Contoso" }));
    await user.click(screen.getByTestId("silence-save"));
    expect(await screen.findByTestId("delivery-error")).toHaveTextContent(/say why/);

    await user.type(screen.getByTestId("silence-comment"), "migration weekend");
    await user.click(screen.getByTestId("silence-save"));
    expect(await screen.findByTestId("delivery-outcome")).toHaveTextContent("Silenced");
    const silence = await screen.findByTestId("silence-silence-1");
    expect(silence).toHaveTextContent(`${HIGH} · Contoso — migration weekend`);
  });

  it("shows the refusal when this device may not change the rules", async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({ delivery: { admin: false } });
    renderWithBackend(<Delivery />, backend);
    await user.click(await screen.findByTestId(`rule-remove-${HIGH}`));
    expect(await screen.findByTestId("delivery-error")).toHaveTextContent(/only admins/);
    expect(screen.getByTestId(`rule-${HIGH}`)).toBeInTheDocument();
  });
});
