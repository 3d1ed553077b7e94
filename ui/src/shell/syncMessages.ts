// The sync indicator's texts.

import { defineMessages } from "../i18n";

const en = {
  label: (state: string) => `Team sync: ${state}`,
  title: "Team sync",
  states: {
    off: "not signed in",
    idle: "up to date",
    syncing: "syncing",
    offline: "offline",
    error: "stopped",
    paused: "paused",
  },
  short: {
    idle: "Synced",
    syncing: "Syncing",
    offline: "Offline",
    error: "Sync stopped",
    paused: "Sync paused",
  },
  pending: (n: number) => (n === 1 ? "1 change waiting" : `${n} changes waiting`),
  server: "Server",
  lastSync: "Last sync",
  never: "never",
  waiting: "Waiting to be sent",
  received: (n: number) =>
    n === 1 ? "1 change from the team in the last sync" : `${n} changes from the team in the last sync`,
  retry: (s: number) => `Trying again in ${s} s. Everything keeps working here meanwhile.`,
  firstSync: "First sync: fetching the team's portfolio",
  phases: {
    snapshot: "Fetching tenants",
    push: "Sending changes",
    pull: "Receiving changes",
    derive: "Reviewing what changed",
  } as Record<string, string>,
  progress: "Sync progress",
  syncNow: "Sync now",
  resume: "Resume sync",
  cancel: "Cancel",
  superseded: (n: number) =>
    n === 1
      ? "1 decision was superseded by a teammate's concurrent decision in the last 30 days: its finding's history says by whom and with what."
      : `${n} decisions were superseded by teammates' concurrent decisions in the last 30 days: each finding's history says by whom and with what.`,
  rejectedTitle: (n: number) => (n === 1 ? "1 change refused by the server" : `${n} changes refused by the server`),
  rejectedHint: "They are kept here and not sent again; the reason says what to do.",
  kinds: {
    decision: "Decision",
    capture: "Capture",
    tenant_set: "Tenant",
    tenant_delete: "Tenant removal",
    baseline_publish: "Baseline version",
    baseline_retire: "Baseline retirement",
    assignment_set: "Assignment",
    assignment_remove: "Assignment removal",
    setting_set: "Setting",
    audit: "Audit event",
  } as Record<string, string>,
  workspace: "workspace",
};

export const syncMessages = defineMessages(en, {
  label: (state) => `Team-Synchronisierung: ${state}`,
  title: "Team-Synchronisierung",
  states: {
    off: "nicht angemeldet",
    idle: "aktuell",
    syncing: "läuft",
    offline: "offline",
    error: "angehalten",
    paused: "pausiert",
  },
  short: {
    idle: "Synchronisiert",
    syncing: "Synchronisiert …",
    offline: "Offline",
    error: "Synchronisierung angehalten",
    paused: "Synchronisierung pausiert",
  },
  pending: (n) => (n === 1 ? "1 Änderung wartet" : `${n} Änderungen warten`),
  server: "Server",
  lastSync: "Letzte Synchronisierung",
  never: "nie",
  waiting: "Warten auf Versand",
  received: (n) =>
    n === 1
      ? "1 Änderung des Teams bei der letzten Synchronisierung"
      : `${n} Änderungen des Teams bei der letzten Synchronisierung`,
  retry: (s) => `Neuer Versuch in ${s} s. Hier funktioniert alles weiter.`,
  firstSync: "Erste Synchronisierung: das Portfolio des Teams wird geholt",
  phases: {
    snapshot: "Mandanten werden geholt",
    push: "Änderungen werden gesendet",
    pull: "Änderungen werden empfangen",
    derive: "Änderungen werden geprüft",
  },
  progress: "Fortschritt der Synchronisierung",
  syncNow: "Jetzt synchronisieren",
  resume: "Synchronisierung fortsetzen",
  cancel: "Abbrechen",
  superseded: (n) =>
    n === 1
      ? "1 Entscheidung wurde in den letzten 30 Tagen durch eine gleichzeitige Entscheidung im Team ersetzt: der Verlauf des Befunds zeigt, von wem und womit."
      : `${n} Entscheidungen wurden in den letzten 30 Tagen durch gleichzeitige Entscheidungen im Team ersetzt: der Verlauf jedes Befunds zeigt, von wem und womit.`,
  rejectedTitle: (n) =>
    n === 1 ? "1 Änderung vom Server abgelehnt" : `${n} Änderungen vom Server abgelehnt`,
  rejectedHint: "Sie bleiben hier gespeichert und werden nicht erneut gesendet; der Grund sagt, was zu tun ist.",
  kinds: {
    decision: "Entscheidung",
    capture: "Erfassung",
    tenant_set: "Mandant",
    tenant_delete: "Entfernen eines Mandanten",
    baseline_publish: "Baseline-Version",
    baseline_retire: "Zurückziehen einer Baseline",
    assignment_set: "Zuweisung",
    assignment_remove: "Entfernen einer Zuweisung",
    setting_set: "Einstellung",
    audit: "Audit-Ereignis",
  },
  workspace: "Arbeitsbereich",
});
