// The policy diff's texts (PolicyDiffView.tsx).

import { defineMessages } from "../i18n";
import { formatCount } from "../format";

const en = {
  states: {
    same: "Same",
    changed: "Changed",
    missing: "Missing in tenant",
    added: "Only in tenant",
  },
  nothingToCompare: "Nothing to compare.",
  noDifferences: "No differences.",
  columns: { setting: "Setting", baseline: "Baseline", tenant: "Tenant", state: "State" },
  /** The toolbar line: "Baseline <name> v3: <item> · Tenant <name>: <item>". */
  baseline: "Baseline",
  tenant: "Tenant",
  baselineItemNotFound: "not found",
  tenantItemMissing: "missing",
  differences: (n: number) => (n === 1 ? "1 setting differs" : `${n} settings differ`),
  showEqual: "Show equal settings",
  showRaw: "Show raw JSON",
  settings: "Settings",
  assignments: "Assignments",
  baselineJson: "Baseline JSON",
  tenantJson: "Tenant JSON",
  noBaselineItem: "No baseline item.",
  noTenantItem: "No tenant item.",
  back: "Back to the finding",
  title: "Policy diff",
  description: (resourceKind: string) =>
    `${resourceKind}: the baseline's item next to the tenant's, normalised as the review compares them.`,
  comparing: "Comparing…",
};

export const messages = defineMessages(en, {
  states: {
    same: "Gleich",
    changed: "Geändert",
    missing: "Fehlt im Mandanten",
    added: "Nur im Mandanten",
  },
  nothingToCompare: "Nichts zu vergleichen.",
  noDifferences: "Keine Unterschiede.",
  columns: { setting: "Einstellung", baseline: "Baseline", tenant: "Mandant", state: "Zustand" },
  baseline: "Baseline",
  tenant: "Mandant",
  baselineItemNotFound: "nicht gefunden",
  tenantItemMissing: "fehlt",
  differences: (n) => formatCount(n, "Einstellung weicht ab", "Einstellungen weichen ab"),
  showEqual: "Gleiche Einstellungen anzeigen",
  showRaw: "Roh-JSON anzeigen",
  settings: "Einstellungen",
  assignments: "Zuweisungen",
  baselineJson: "Baseline-JSON",
  tenantJson: "Mandanten-JSON",
  noBaselineItem: "Kein Baseline-Element.",
  noTenantItem: "Kein Mandantenelement.",
  back: "Zurück zum Befund",
  title: "Richtlinienvergleich",
  description: (resourceKind) =>
    `${resourceKind}: das Element der Baseline neben dem des Mandanten, normalisiert, wie die Prüfung sie vergleicht.`,
  comparing: "Wird verglichen…",
});
