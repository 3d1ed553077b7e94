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
  type RuleRow,
  type SilenceRow,
  type TestOutcome,
} from "./types";

export interface FakeDeliveryData {
  destinations?: DestinationRow[];
  deliveries?: DeliveryRow[];
  silences?: SilenceRow[];
  policies?: PolicyRow[];
  /** Alert rules; the three a new workspace starts with when not given. */
  rules?: RuleRow[];
  /** Destination names whose receivers do not answer (their test alerts fail). */
  unreachable?: string[];
  /** False: this device may not change destinations (not an admin of the workspace). */
  admin?: boolean;
}

const KINDS = ["webhook", "teams", "slack", "pagerduty", "email"];

const rule = (id: string, name: string, when: string, cooldownSecs: number): RuleRow => ({
  id,
  name,
  when,
  enabled: true,
  cooldownSecs,
  groupWaitSecs: 30,
  policy: null,
  destinations: [],
  tenants: [],
  tags: [],
  except: [],
  tenantIds: [],
  exceptIds: [],
});

/** core::alerts::default_rules. */
const DEFAULT_RULES: RuleRow[] = [
  rule("rule-high", "New critical or high findings", "new-findings:high", 3600),
  rule("rule-lapsed", "Risk acceptance lapsed", "lapsed", 3600),
  rule("rule-score", "Score dropped by 10 points or more", "score-drop:10", 86_400),
];

/** core::alerts::Condition::parse_spec's forms. */
const CONDITION =
  /^(new-findings:(low|medium|high|critical)|lapsed|capture-failed|ghost-policy|(score-drop|expiring|not-captured):[1-9]\d*)$/;

/** core::escalation::parse_duration: 90s, 15m, 6h, 1d; a bare number is minutes. */
function duration(text: string): number | null {
  const match = /^(\d+)\s*(s|m|min|h|d)?$/.exec(text.trim().toLowerCase());
  if (!match) return null;
  const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86_400 }[match[2] ?? "m"] ?? 60;
  return Number(match[1]) * unit;
}

function invalid(message: string): BackendError {
  return new BackendError("invalid_input", message);
}

export class FakeDelivery {
  private destinations: DestinationRow[];
  private deliveries: DeliveryRow[];
  private silences: SilenceRow[];
  private policies: PolicyRow[];
  private rules: RuleRow[];
  private unreachable: Set<string>;
  private admin: boolean;
  private sequence = 0;
  private attemptLog = new Map<string, AttemptRow[]>();

  constructor(data: FakeDeliveryData = {}) {
    this.destinations = structuredClone(data.destinations ?? []);
    this.deliveries = structuredClone(data.deliveries ?? []);
    this.silences = structuredClone(data.silences ?? []);
    this.policies = structuredClone(data.policies ?? []);
    this.rules = structuredClone(data.rules ?? DEFAULT_RULES);
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
      rule: rule === null ? null : (this.rules.find((r) => r.id === rule)?.name ?? rule),
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
    return structuredClone(
      this.policies.map((p) => ({
        ...p,
        rules: this.rules.filter((r) => r.policy === p.name).map((r) => r.name),
      })),
    );
  }

  listRules(): RuleRow[] {
    return structuredClone(
      this.rules.map((r) => ({
        ...r,
        destinations: this.destinations
          .filter((d) => d.rules.includes(r.name))
          .map((d) => d.name)
          .sort(),
      })),
    );
  }

  private findRule(name: string): RuleRow {
    const row = this.rules.find((r) => r.name === name || r.id === name);
    if (!row) throw new BackendError("not_found", `alert rule not found: ${name}`);
    return row;
  }

  addRule(
    name: string,
    when: string,
    cooldown: string,
    tags: string[] = [],
    except: string[] = [],
    exceptIds: string[] = except,
  ) {
    this.checkAdmin();
    const trimmed = name.trim();
    if (!trimmed) throw invalid("name the rule");
    if (this.rules.some((r) => r.name === trimmed)) {
      throw new BackendError("conflict", `an alert rule named "${trimmed}" exists`);
    }
    if (!CONDITION.test(when.trim())) {
      throw invalid(
        `"${when}": use new-findings:SEVERITY, lapsed, score-drop:POINTS, expiring:DAYS, capture-failed, not-captured:DAYS or ghost-policy`,
      );
    }
    const seconds = duration(cooldown);
    if (seconds === null) throw invalid(`"${cooldown}": write the repeat interval as 30m, 6h or 1d`);
    this.sequence += 1;
    this.rules.push({
      ...rule(`rule-${this.sequence}`, trimmed, when.trim(), seconds),
      tags: tags.map((t) => t.trim()).filter(Boolean),
      except,
      exceptIds,
    });
  }

  /** As `Store::set_rule_tenants` (tags trimmed, empty ones dropped). */
  setRuleTenants(
    name: string,
    tenants: { id: string; name: string }[],
    tags: string[],
    except: { id: string; name: string }[],
  ) {
    this.checkAdmin();
    const row = this.findRule(name);
    row.tenants = tenants.map((t) => t.name);
    row.tenantIds = tenants.map((t) => t.id);
    row.tags = tags.map((t) => t.trim()).filter(Boolean);
    row.except = except.map((t) => t.name);
    row.exceptIds = except.map((t) => t.id);
  }

  setRuleEnabled(name: string, enabled: boolean) {
    this.checkAdmin();
    this.findRule(name).enabled = enabled;
  }

  removeRule(name: string) {
    this.checkAdmin();
    const row = this.findRule(name);
    this.rules = this.rules.filter((r) => r !== row);
    for (const d of this.destinations) d.rules = d.rules.filter((r) => r !== row.name);
  }

  route(ruleName: string, destinationName: string, on: boolean) {
    this.checkAdmin();
    const row = this.findRule(ruleName);
    const destination = this.find(destinationName);
    const rules = new Set(destination.rules);
    if (on) rules.add(row.name);
    else rules.delete(row.name);
    destination.rules = [...rules].sort();
  }

  setRulePolicy(ruleName: string, policy: string | null) {
    this.checkAdmin();
    const row = this.findRule(ruleName);
    if (policy !== null && !this.policies.some((p) => p.name === policy)) {
      throw new BackendError("not_found", `escalation policy not found: ${policy}`);
    }
    row.policy = policy;
  }

  addPolicy(name: string, steps: string[], repeats: number, repeatAfter: string): PolicyRow {
    this.checkAdmin();
    const trimmed = name.trim();
    if (!trimmed) throw invalid("name the policy");
    if (this.policies.some((p) => p.name === trimmed)) {
      throw new BackendError("conflict", `an escalation policy named "${trimmed}" exists`);
    }
    const parsed = steps
      .filter((s) => s.trim())
      .map((text) => {
        const [after, names] = text.split(/:(.*)/s);
        const seconds = duration(after ?? "");
        const destinations = (names ?? "")
          .split(",")
          .map((d) => d.trim())
          .filter(Boolean);
        if (seconds === null || destinations.length === 0) {
          throw invalid(`"${text}": write AFTER:DESTINATION[,DESTINATION…], e.g. 15m:on-call`);
        }
        return { after_seconds: seconds, destinations };
      });
    if (parsed.length === 0) throw invalid("a policy needs at least one step (15m:DESTINATION)");
    if (parsed.some((s, i) => i > 0 && s.after_seconds <= parsed[i - 1].after_seconds)) {
      throw invalid("steps come in time order, each later than the one before");
    }
    const repeatAfterSeconds = repeats > 0 ? duration(repeatAfter) : 0;
    if (repeatAfterSeconds === null) {
      throw invalid(`"${repeatAfter}": write the time between rounds as 30m or 1h`);
    }
    this.sequence += 1;
    const row: PolicyRow = {
      id: `policy-${this.sequence}`,
      name: trimmed,
      policy: { steps: parsed, repeats, repeat_after_seconds: repeatAfterSeconds },
      rules: [],
    };
    this.policies.push(row);
    return structuredClone(row);
  }

  removePolicy(name: string) {
    this.checkAdmin();
    const row = this.policies.find((p) => p.name === name || p.id === name);
    if (!row) throw new BackendError("not_found", `escalation policy not found: ${name}`);
    this.policies = this.policies.filter((p) => p !== row);
    for (const r of this.rules) if (r.policy === row.name) r.policy = null;
  }
}
