// The texts of the rules, silences and escalation policies under "Where alerts go".
// Names of rules, destinations, policies and tenants, and errors, come from the backend.

import { formatCount } from "../../format";
import { defineMessages } from "../../i18n";

const SEVERITY_EN: Record<string, string> = {
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

/** A condition (`new-findings:high`, `expiring:14`…) for people. */
function conditionEn(when: string): string {
  const [kind, value = ""] = when.split(":");
  const n = Number(value);
  switch (kind) {
    case "new-findings":
      return value === "critical"
        ? "New critical findings"
        : `New findings of ${SEVERITY_EN[value] ?? value} severity or worse`;
    case "lapsed":
      return "A risk acceptance lapsed";
    case "score-drop":
      return `The score dropped by ${formatCount(n, "point")} or more`;
    case "expiring":
      return `A risk acceptance ends within ${formatCount(n, "day")}`;
    case "capture-failed":
      return "A capture failed or was incomplete";
    case "not-captured":
      return `Not captured for ${formatCount(n, "day")}`;
    case "ghost-policy":
      return "A policy was deleted since the last capture";
    default:
      return when;
  }
}

const SEVERITY_DE: Record<string, string> = {
  low: "niedrig",
  medium: "mittel",
  high: "hoch",
  critical: "kritisch",
};

function conditionDe(when: string): string {
  const [kind, value = ""] = when.split(":");
  const days = (n: string) => (n === "1" ? "1 Tag" : `${n} Tagen`);
  switch (kind) {
    case "new-findings":
      return value === "critical"
        ? "Neue kritische Befunde"
        : `Neue Befunde ab Schweregrad ${SEVERITY_DE[value] ?? value}`;
    case "lapsed":
      return "Eine Risikoakzeptanz ist abgelaufen";
    case "score-drop":
      return `Der Wert fiel um ${value} Punkte oder mehr`;
    case "expiring":
      return `Eine Risikoakzeptanz endet in ${days(value)}`;
    case "capture-failed":
      return "Eine Erfassung schlug fehl oder war unvollständig";
    case "not-captured":
      return `Seit ${days(value)} nicht erfasst`;
    case "ghost-policy":
      return "Eine Richtlinie wurde seit der letzten Erfassung gelöscht";
    default:
      return when;
  }
}

const en = {
  rules: "Alert rules",
  rulesIntro:
    "Every rule raises alerts in this inbox; route it to destinations to notify people, and give it an escalation policy to notify more people while nobody acknowledges.",
  columns: {
    rule: "Rule",
    sendsTo: "Sends to",
    escalation: "Escalation",
    enabled: "On",
    actions: "Actions",
  },
  condition: conditionEn,
  every: (interval: string) => `at most once per tenant every ${interval}`,
  watches: (tenants: string[], tags: string[], except: string[]) => {
    const parts: string[] = [];
    if (tenants.length > 0) parts.push(`only ${tenants.join(", ")}`);
    if (tags.length > 0) parts.push(`tenants tagged ${tags.join(" or ")}`);
    if (except.length > 0) parts.push(`never ${except.join(", ")}`);
    return parts.length === 0 ? "every tenant" : parts.join("; ");
  },
  onlyTagged: "Only tenants tagged",
  onlyTaggedHint: "Separate several with commas; empty: every tenant.",
  exceptTenants: "Except",
  noException: "No exceptions",
  editTenants: "Tenants…",
  editTenantsOf: (rule: string) => `Tenants ${rule} watches`,
  onlyTenants: "Only these tenants",
  everyTenant: "Every tenant",
  saveTenants: "Save",
  tenantsChanged: (rule: string) => `${rule} now watches the tenants you chose.`,
  inboxOnly: "Inbox only",
  stopSending: (rule: string, destination: string) =>
    `Stop sending ${rule} to ${destination}`,
  sendTo: "Send to…",
  noEscalation: "No escalation",
  enabledLabel: (rule: string) => `${rule} is on`,
  remove: "Remove",
  addRule: "Add rule",
  newRule: "New rule",
  ruleName: "Name",
  when: "When",
  conditionKinds: {
    "new-findings": "New findings",
    lapsed: "A risk acceptance lapsed",
    "score-drop": "The score dropped",
    expiring: "A risk acceptance ends soon",
    "capture-failed": "A capture failed",
    "not-captured": "A tenant was not captured",
    "ghost-policy": "A policy was deleted",
  } as Record<string, string>,
  severity: "At least",
  severities: SEVERITY_EN,
  points: "Points",
  days: "Days",
  repeatEvery: "Repeat at most every",
  intervals: { "30m": "30 minutes", "1h": "hour", "6h": "6 hours", "1d": "day" } as Record<
    string,
    string
  >,
  save: "Add",
  cancel: "Cancel",
  ruleAdded: (name: string) => `Rule ${name} added: route it to a destination to notify people.`,
  silences: "Silences",
  noSilences: "No silences: every alert notifies its destinations.",
  silenceWhat: (rule: string | null, tenant: string | null) =>
    `${rule ?? "Every rule"} · ${tenant ?? "every tenant"}`,
  until: (time: string) => `until ${time}`,
  ended: (time: string) => `ended ${time}`,
  expire: "End now",
  addSilence: "Add silence",
  newSilence: "New silence",
  anyRule: "Every rule",
  anyTenant: "Every tenant",
  rule: "Rule",
  tenant: "Tenant",
  hours: "Hours",
  reason: "Reason",
  reasonHint: "Colleagues will ask why alerts went quiet.",
  silenced: "Silenced: alerts stay in the inbox and stay off the destinations until it ends.",
  policies: "Escalation policies",
  noPolicies: "No escalation policies: alerts notify only their routes.",
  step: (after: string, destinations: string) => `after ${after}: ${destinations}`,
  repeats: (n: number, after: string) => `, again ${formatCount(n, "time")} after ${after}`,
  usedBy: (rules: string) => `Used by ${rules}`,
  addPolicy: "Add policy",
  newPolicy: "New escalation policy",
  policyName: "Name",
  steps: "Steps",
  stepsHint: "One a line: after how long, then the destinations, e.g. 15m:on-call or 45m:manager,pager.",
  repeatTimes: "Repeat the steps",
  repeatAfter: "Between rounds",
  policyAdded: (name: string) => `Policy ${name} added: give it to a rule under Escalation.`,
};

export const routingMessages = defineMessages(en, {
  rules: "Warnungsregeln",
  rulesIntro:
    "Jede Regel löst Warnungen in diesem Posteingang aus; leiten Sie sie an Ziele weiter, um Personen zu benachrichtigen, und geben Sie ihr eine Eskalationsrichtlinie, um weitere zu benachrichtigen, solange niemand bestätigt.",
  columns: {
    rule: "Regel",
    sendsTo: "Sendet an",
    escalation: "Eskalation",
    enabled: "Aktiv",
    actions: "Aktionen",
  },
  condition: conditionDe,
  every: (interval) => `höchstens einmal je Mandant alle ${interval}`,
  watches: (tenants, tags, except) => {
    const parts: string[] = [];
    if (tenants.length > 0) parts.push(`nur ${tenants.join(", ")}`);
    if (tags.length > 0) parts.push(`Mandanten mit Tag ${tags.join(" oder ")}`);
    if (except.length > 0) parts.push(`nie ${except.join(", ")}`);
    return parts.length === 0 ? "jeder Mandant" : parts.join("; ");
  },
  onlyTagged: "Nur Mandanten mit Tag",
  onlyTaggedHint: "Mehrere durch Kommas trennen; leer: jeder Mandant.",
  exceptTenants: "Außer",
  noException: "Keine Ausnahmen",
  editTenants: "Mandanten…",
  editTenantsOf: (rule) => `Mandanten, die ${rule} überwacht`,
  onlyTenants: "Nur diese Mandanten",
  everyTenant: "Jeder Mandant",
  saveTenants: "Speichern",
  tenantsChanged: (rule) => `${rule} überwacht jetzt die gewählten Mandanten.`,
  inboxOnly: "Nur Posteingang",
  stopSending: (rule, destination) => `${rule} nicht mehr an ${destination} senden`,
  sendTo: "Senden an…",
  noEscalation: "Keine Eskalation",
  enabledLabel: (rule) => `${rule} ist aktiv`,
  remove: "Entfernen",
  addRule: "Regel hinzufügen",
  newRule: "Neue Regel",
  ruleName: "Name",
  when: "Wenn",
  conditionKinds: {
    "new-findings": "Neue Befunde",
    lapsed: "Eine Risikoakzeptanz ist abgelaufen",
    "score-drop": "Der Wert ist gefallen",
    expiring: "Eine Risikoakzeptanz endet bald",
    "capture-failed": "Eine Erfassung schlug fehl",
    "not-captured": "Ein Mandant wurde nicht erfasst",
    "ghost-policy": "Eine Richtlinie wurde gelöscht",
  },
  severity: "Mindestens",
  severities: SEVERITY_DE,
  points: "Punkte",
  days: "Tage",
  repeatEvery: "Höchstens wiederholen alle",
  intervals: { "30m": "30 Minuten", "1h": "Stunde", "6h": "6 Stunden", "1d": "Tag" },
  save: "Hinzufügen",
  cancel: "Abbrechen",
  ruleAdded: (name) =>
    `Regel ${name} hinzugefügt: Leiten Sie sie an ein Ziel weiter, um Personen zu benachrichtigen.`,
  silences: "Stummschaltungen",
  noSilences: "Keine Stummschaltungen: Jede Warnung benachrichtigt ihre Ziele.",
  silenceWhat: (rule, tenant) => `${rule ?? "Jede Regel"} · ${tenant ?? "jeder Mandant"}`,
  until: (time) => `bis ${time}`,
  ended: (time) => `beendet ${time}`,
  expire: "Jetzt beenden",
  addSilence: "Stummschaltung hinzufügen",
  newSilence: "Neue Stummschaltung",
  anyRule: "Jede Regel",
  anyTenant: "Jeder Mandant",
  rule: "Regel",
  tenant: "Mandant",
  hours: "Stunden",
  reason: "Grund",
  reasonHint: "Kollegen werden fragen, warum Warnungen verstummt sind.",
  silenced:
    "Stummgeschaltet: Warnungen bleiben im Posteingang und gehen bis zum Ende an kein Ziel.",
  policies: "Eskalationsrichtlinien",
  noPolicies: "Keine Eskalationsrichtlinien: Warnungen benachrichtigen nur ihre Weiterleitungen.",
  step: (after, destinations) => `nach ${after}: ${destinations}`,
  repeats: (n, after) => `, erneut ${n === 1 ? "1 Mal" : `${n} Mal`} nach ${after}`,
  usedBy: (rules) => `Verwendet von ${rules}`,
  addPolicy: "Richtlinie hinzufügen",
  newPolicy: "Neue Eskalationsrichtlinie",
  policyName: "Name",
  steps: "Schritte",
  stepsHint:
    "Einer je Zeile: nach welcher Zeit, dann die Ziele, z. B. 15m:on-call oder 45m:manager,pager.",
  repeatTimes: "Schritte wiederholen",
  repeatAfter: "Zwischen den Runden",
  policyAdded: (name) =>
    `Richtlinie ${name} hinzugefügt: Weisen Sie sie unter Eskalation einer Regel zu.`,
});
