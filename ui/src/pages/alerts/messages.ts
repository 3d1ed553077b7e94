// The Alerts inbox's texts: tabs, toolbar, table, snooze choices, outcomes and empty
// states. Alert titles, bodies, rules and tenant names come from the backend and stay as
// they come.

import { createElement, Fragment, type ReactNode } from "react";
import type { AlertView } from "../../backend";
import { formatCount } from "../../format";
import { defineMessages } from "../../i18n";

/** Text with elements in it (a command, a bold word), in the order a language needs. */
const rich = (...parts: ReactNode[]): ReactNode => createElement(Fragment, null, ...parts);

const en = {
  title: "Alerts",
  description: (command: ReactNode) =>
    rich(
      "What reviews raised, newest first. Acknowledge an alert once you have seen to it, or snooze it for later. The same inbox is in ",
      command,
      ".",
    ),
  tabs: {
    open: "Open",
    snoozed: "Snoozed",
    acknowledged: "Acknowledged",
    resolved: "Resolved",
    all: "All",
  } satisfies Record<AlertView, string>,
  whichAlerts: "Which alerts",

  // Toolbar and outcomes
  noneSelected: "None selected",
  selected: (n: number) => `${formatCount(n, "alert")} selected`,
  acknowledge: "Acknowledge",
  snooze: "Snooze",
  saving: "Saving…",
  acknowledgedOutcome: (n: number) => `${formatCount(n, "alert")} acknowledged.`,
  snoozedOutcome: (n: number, duration: string) =>
    `${formatCount(n, "alert")} snoozed for ${duration}: back in Open by itself after that.`,
  alreadyAcknowledged: (n: number) =>
    ` ${formatCount(n, "alert was", "alerts were")} already acknowledged.`,
  couldNotChange: "Couldn't change the alerts",
  couldNotLoad: "Couldn't load the alerts",
  loading: "Loading alerts…",

  // Snooze durations and the menu
  hours: (n: number) => formatCount(n, "hour"),
  days: (n: number) => formatCount(n, "day"),
  weeks: (n: number) => formatCount(n, "week"),
  snoozeFor: (duration: string) => `For ${duration}`,

  // The table
  tableLabel: "Alerts",
  selectAll: "Select all alerts",
  selectOne: (title: string) => `Select ${title}`,
  acknowledgeOne: (title: string) => `Acknowledge ${title}`,
  snoozeOne: (title: string) => `Snooze ${title}`,
  columns: {
    severity: "Severity",
    alert: "Alert",
    tenant: "Tenant",
    raised: "Raised",
    rule: "Rule",
    state: "State",
    actions: "Actions",
  },
  allTenants: "All tenants",
  notice: "Notice",
  states: {
    open: "Open",
    snoozed: "Snoozed",
    acknowledged: "Acknowledged",
    resolved: "Resolved",
  },
  /** Before when a snoozed alert comes back: "back in 4 hours". */
  back: "back",
  noDetail: "No more detail than the title.",

  // Empty tabs
  empty: {
    open: "No open alerts",
    snoozed: "No snoozed alerts",
    acknowledged: "No acknowledged alerts",
    resolved: "No resolved alerts",
    all: "No alerts yet",
  } satisfies Record<AlertView, string>,
  /** The Review now button of a tenant's page, as named there. */
  reviewNow: "Review now",
  raisedHow: (button: ReactNode, command: ReactNode) =>
    rich(
      "Reviews raise them when a tenant gets new critical or high findings, a risk acceptance lapses or a score drops; background jobs that no desktop notification could announce leave a notice here. Review a tenant from its page (",
      button,
      ") or run ",
      command,
      ".",
    ),
  snoozedHow:
    "Snooze an open alert to hide it for an hour, a day or a week: it comes back to Open by itself when the time is up.",
  acknowledgedHow:
    "Acknowledge an open alert once you have seen to it: it moves here, and the audit log records who acknowledged it and when.",
  resolvedHow:
    "An alert resolves by itself when what raised it no longer holds: its findings were fixed, accepted or dismissed, a capture read the whole tenant again, the score came back. Its escalation stops, and PagerDuty and webhooks that were told of it hear that it resolved.",
};

export const messages = defineMessages(en, {
  title: "Warnungen",
  description: (command) =>
    rich(
      "Was Prüfungen ausgelöst haben, neueste zuerst. Bestätigen Sie eine Warnung, sobald Sie sich darum gekümmert haben, oder stellen Sie sie für später zurück. Derselbe Posteingang steht auch über ",
      command,
      " zur Verfügung.",
    ),
  tabs: {
    open: "Offen",
    snoozed: "Zurückgestellt",
    acknowledged: "Zur Kenntnis genommen",
    resolved: "Erledigt",
    all: "Alle",
  },
  whichAlerts: "Welche Warnungen",

  noneSelected: "Keine ausgewählt",
  selected: (n) => `${formatCount(n, "Warnung", "Warnungen")} ausgewählt`,
  acknowledge: "Bestätigen",
  snooze: "Zurückstellen",
  saving: "Wird gespeichert…",
  acknowledgedOutcome: (n) => `${formatCount(n, "Warnung", "Warnungen")} bestätigt.`,
  snoozedOutcome: (n, duration) =>
    `${formatCount(n, "Warnung", "Warnungen")} für ${duration} zurückgestellt: danach von selbst wieder unter „Offen“.`,
  alreadyAcknowledged: (n) =>
    ` ${formatCount(n, "Warnung war", "Warnungen waren")} bereits bestätigt.`,
  couldNotChange: "Die Warnungen konnten nicht geändert werden",
  couldNotLoad: "Die Warnungen konnten nicht geladen werden",
  loading: "Warnungen werden geladen…",

  hours: (n) => formatCount(n, "Stunde", "Stunden"),
  days: (n) => formatCount(n, "Tag", "Tage"),
  weeks: (n) => formatCount(n, "Woche", "Wochen"),
  snoozeFor: (duration) => `Für ${duration}`,

  tableLabel: "Warnungen",
  selectAll: "Alle Warnungen auswählen",
  selectOne: (title) => `${title} auswählen`,
  acknowledgeOne: (title) => `${title} bestätigen`,
  snoozeOne: (title) => `${title} zurückstellen`,
  columns: {
    severity: "Schweregrad",
    alert: "Warnung",
    tenant: "Mandant",
    raised: "Ausgelöst",
    rule: "Regel",
    state: "Status",
    actions: "Aktionen",
  },
  allTenants: "Alle Mandanten",
  notice: "Hinweis",
  states: {
    open: "Offen",
    snoozed: "Zurückgestellt",
    acknowledged: "Zur Kenntnis genommen",
    resolved: "Erledigt",
  },
  back: "zurück",
  noDetail: "Keine weiteren Details als der Titel.",

  empty: {
    open: "Keine offenen Warnungen",
    snoozed: "Keine zurückgestellten Warnungen",
    acknowledged: "Keine zur Kenntnis genommenen Warnungen",
    resolved: "Keine erledigten Warnungen",
    all: "Noch keine Warnungen",
  },
  reviewNow: "Jetzt prüfen",
  raisedHow: (button, command) =>
    rich(
      "Prüfungen lösen sie aus, wenn ein Mandant neue kritische oder hohe Befunde erhält, eine Risikoakzeptanz abläuft oder ein Score sinkt; Hintergrundaufgaben, die keine Desktopbenachrichtigung melden konnte, hinterlassen hier einen Hinweis. Prüfen Sie einen Mandanten auf seiner Seite (",
      button,
      ") oder führen Sie ",
      command,
      " aus.",
    ),
  snoozedHow:
    "Stellen Sie eine offene Warnung zurück, um sie für eine Stunde, einen Tag oder eine Woche auszublenden: Nach Ablauf der Zeit kehrt sie von selbst zu „Offen“ zurück.",
  acknowledgedHow:
    "Bestätigen Sie eine offene Warnung, sobald Sie sich darum gekümmert haben: Sie wird hierher verschoben, und das Überwachungsprotokoll hält fest, wer sie wann bestätigt hat.",
  resolvedHow:
    "Eine Warnung erledigt sich von selbst, wenn ihr Auslöser nicht mehr besteht: Ihre Befunde wurden behoben, akzeptiert oder verworfen, eine Erfassung hat den Mandanten wieder vollständig gelesen, der Score hat sich erholt. Ihre Eskalation endet, und PagerDuty und Webhooks, die von ihr erfahren hatten, erfahren, dass sie erledigt ist.",
});
