// Where alerts go, in the fake backend: destinations (checked as the real one checks
// them; a webhook's signing secret made and shown once), test alerts, the delivery log
// with its dead letters and replays, silences and escalation policies.

import {
  BackendError,
  type AddedDestination,
  type AttemptRow,
  type DeliveryRow,
  type DestinationInput,
  type DestinationRow,
  type PolicyRow,
  type SilenceRow,
  type TestOutcome,
} from "./types";

export interface FakeDeliveryData {
  destinations?: DestinationRow[];
  deliveries?: DeliveryRow[];
  silences?: SilenceRow[];
  policies?: PolicyRow[];
  /** Destination names whose receivers do not answer (their test alerts fail). */
  unreachable?: string[];
  /** False: this device may not change destinations (not an admin of the workspace). */
  admin?: boolean;
}

const KINDS = ["webhook", "teams", "slack", "pagerduty", "email"];

function invalid(message: string): BackendError {
  return new BackendError("invalid_input", message);
}

export class FakeDelivery {
  private destinations: DestinationRow[];
  private deliveries: DeliveryRow[];
  private silences: SilenceRow[];
  private policies: PolicyRow[];
  private unreachable: Set<string>;
  private admin: boolean;
  private sequence = 0;
  private attemptLog = new Map<string, AttemptRow[]>();

  constructor(data: FakeDeliveryData = {}) {
    this.destinations = structuredClone(data.destinations ?? []);
    this.deliveries = structuredClone(data.deliveries ?? []);
    this.silences = structuredClone(data.silences ?? []);
    this.policies = structuredClone(data.policies ?? []);
    this.unreachable = new Set(data.unreachable ?? []);
    this.admin = data.admin ?? true;
  }

  listDestinations(): DestinationRow[] {
    return structuredClone(
      [...this.destinations].sort((a, b) => a.name.localeCompare(b.name)),
    );
  }

  private find(name: string): DestinationRow {
    const row = this.destinations.find((d) => d.name === name || d.id === name);
    if (!row) throw new BackendError("not_found", `alert destination not found: ${name}`);
    return row;
  }

  private checkAdmin() {
    if (!this.admin) {
      throw invalid("only admins of the workspace change alert destinations: ask one of them");
    }
  }

  add(input: DestinationInput): AddedDestination {
    this.checkAdmin();
    const name = input.name.trim();
    if (!name) throw invalid("name the destination (it is how rules and the log refer to it)");
    if (!KINDS.includes(input.kind)) {
      throw invalid("choose the kind: webhook, Teams, Slack, PagerDuty or e-mail");
    }
    if (this.destinations.some((d) => d.name === name)) {
      throw new BackendError(
        "conflict",
        `a destination named "${name}" exists: remove it first or choose another name`,
      );
    }
    let url = input.url.trim();
    if (input.kind === "email") return this.addEmail(name, url, input);
    if (!url && input.kind === "pagerduty") url = "https://events.pagerduty.com/v2/enqueue";
    if (!url) throw invalid("enter the destination's URL");
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw invalid(`"${url}" is not a URL`);
    }
    if (!url.startsWith("https://") && !(input.allowPrivate && url.startsWith("http://"))) {
      throw invalid(
        "use an https:// URL (plain http is only for private destinations an admin allows)",
      );
    }
    if (input.kind === "teams" && host.endsWith("webhook.office.com")) {
      throw invalid(
        "Office 365 connector URLs are retired: in Teams, create a Workflows webhook for the channel and paste its URL",
      );
    }
    if (input.kind === "pagerduty" && !input.routingKey?.trim()) {
      throw invalid("PagerDuty needs the routing key of an Events API v2 integration");
    }
    return this.store(name, host, input);
  }

  /** The e-mail checks of core::delivery::email::check. */
  private addEmail(name: string, url: string, input: DestinationInput): AddedDestination {
    const match = /^(smtps?):\/\/([^/:@]+)(:\d+)?\/?$/.exec(url);
    if (!match) {
      throw invalid(
        "enter the mail relay: smtp://relay.example:587 (STARTTLS) or smtps://relay.example:465 (TLS)",
      );
    }
    const security = match[1] === "smtps" ? "tls" : (input.smtpSecurity ?? "starttls");
    if (security === "none" && !input.allowPrivate) {
      throw invalid(
        "plain SMTP sends alerts and passwords in clear text: use smtp:// with STARTTLS or smtps://, or allow it only for a relay on your own network (--allow-private)",
      );
    }
    const address = (text: string) => /^[^@\s<>]+@[^@\s<>]+$/.test(text.replace(/^.*<(.*)>$/, "$1").trim());
    if (!address(input.from ?? "")) throw invalid("the sender: enter an e-mail address");
    const to = (input.to ?? "").split(/[,;\n]/).map((t) => t.trim()).filter(Boolean);
    if (to.length === 0) throw invalid("name at least one recipient");
    if (!to.every(address)) throw invalid("a recipient: enter e-mail addresses");
    if (Boolean(input.smtpUser?.trim()) !== Boolean(input.smtpPassword)) {
      throw invalid("give both the SMTP user name and its password, or neither");
    }
    return this.store(name, match[2], input);
  }

  private store(name: string, host: string, input: DestinationInput): AddedDestination {
    this.sequence += 1;
    const row: DestinationRow = {
      id: `destination-${this.sequence}`,
      name,
      kind: input.kind,
      target: host,
      allowPrivate: input.allowPrivate,
      enabled: true,
      disabledReason: null,
      failingSince: null,
      secretSetAt: new Date().toISOString(),
      rules: [],
    };
    this.destinations.push(row);
    return {
      destination: structuredClone(row),
      signingSecret:
        input.kind === "webhook" ? `whsec_${btoa(`fake secret ${this.sequence} 0123456789`)}` : null,
    };
  }

  test(name: string): TestOutcome {
    const destination = this.find(name);
    const now = new Date().toISOString();
    const reached = destination.enabled && !this.unreachable.has(destination.name);
    this.sequence += 1;
    const delivery: DeliveryRow = {
      id: `delivery-${this.sequence}`,
      destinationId: destination.id,
      destination: destination.name,
      tenantId: null,
      title: `Plumbline test alert for ${destination.name}`,
      eventId: `event-${this.sequence}`,
      state: reached ? "sent" : "pending",
      attempts: destination.enabled ? 1 : 0,
      replays: 0,
      nextAttemptAt: now,
      lastStatus: reached ? 200 : destination.enabled ? 503 : null,
      lastError: reached
        ? null
        : destination.enabled
          ? `${destination.target} answered 503`
          : "the destination is disabled",
      createdAt: now,
      doneAt: reached ? now : null,
    };
    this.deliveries.unshift(delivery);
    const attempts: AttemptRow[] = destination.enabled
      ? [
          {
            deliveryId: delivery.id,
            at: now,
            outcome: reached ? "sent" : "retry",
            status: delivery.lastStatus,
            latencyMs: 42,
            error: delivery.lastError,
          },
        ]
      : [];
    this.attemptLog.set(delivery.id, attempts);
    return { delivery: structuredClone(delivery), attempts: structuredClone(attempts) };
  }

  attempts(id: string): AttemptRow[] {
    return structuredClone(this.attemptLog.get(id) ?? []);
  }

  setEnabled(name: string, enabled: boolean): DestinationRow {
    this.checkAdmin();
    const row = this.find(name);
    row.enabled = enabled;
    row.disabledReason = enabled ? null : "disabled by an admin";
    row.failingSince = null;
    return structuredClone(row);
  }

  remove(name: string) {
    this.checkAdmin();
    const row = this.find(name);
    this.destinations = this.destinations.filter((d) => d.id !== row.id);
    this.deliveries = this.deliveries.filter((d) => d.destinationId !== row.id);
  }

  listDeliveries(state: string | null): DeliveryRow[] {
    return structuredClone(this.deliveries.filter((d) => state === null || d.state === state));
  }

  replay(id: string): DeliveryRow {
    const row = this.deliveries.find((d) => d.id === id && d.state === "dead");
    if (!row) throw new BackendError("not_found", `dead-lettered delivery not found: ${id}`);
    row.state = "pending";
    row.attempts = 0;
    row.replays += 1;
    row.doneAt = null;
    row.nextAttemptAt = new Date().toISOString();
    return structuredClone(row);
  }

  listSilences(): SilenceRow[] {
    return structuredClone(this.silences);
  }

  addSilence(rule: string | null, tenant: string | null, hours: number, comment: string) {
    if (!rule && !tenant) {
      throw invalid("Choose a rule, a tenant or both: silencing everything would hide what matters.");
    }
    if (!comment.trim()) {
      throw invalid("say why alerts are silenced: colleagues will ask");
    }
    this.sequence += 1;
    const now = new Date();
    this.silences.unshift({
      id: `silence-${this.sequence}`,
      rule,
      tenant,
      startsAt: now.toISOString(),
      endsAt: new Date(now.getTime() + hours * 3_600_000).toISOString(),
      comment: comment.trim(),
      active: true,
    });
  }

  expireSilence(id: string) {
    const row = this.silences.find((s) => s.id === id && s.active);
    if (!row) throw new BackendError("not_found", `active silence not found: ${id}`);
    row.active = false;
    row.endsAt = new Date().toISOString();
  }

  listPolicies(): PolicyRow[] {
    return structuredClone(this.policies);
  }
}
