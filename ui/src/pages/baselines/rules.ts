// Rules as people read and type them: the kinds offered, a one-line description of a
// rule, and the rule form's validation, in the texts of `messages` (the backend checks
// again; the form only says early what it would refuse, next to the field to fix).

import type { RuleKind, RuleSpec, Severity } from "../../backend";
import type { BaselineMessages } from "./messages";

/** The rule kinds in the order the rule form offers them (their texts are in `messages`). */
export const RULE_KINDS: readonly RuleKind[] = [
  "exact",
  "ignore",
  "one_of",
  "at_least",
  "at_most",
  "present",
  "absent",
  "tenant_value",
];

export function ruleKindLabel(kind: RuleKind, m: BaselineMessages): string {
  return (m.ruleKinds as Partial<Record<string, { label: string }>>)[kind]?.label ?? kind;
}

/** "At least 14", "One of: 1, 2", "Tenant value: timezone", "Exact (default)". */
export function describeRule(rule: RuleSpec | null, m: BaselineMessages): string {
  if (rule === null) return m.exactDefault;
  const label = ruleKindLabel(rule.kind, m);
  switch (rule.kind) {
    case "one_of":
      return `${label}: ${rule.values.join(", ")}`;
    case "at_least":
    case "at_most":
      return `${label} ${rule.number ?? "?"}`;
    case "tenant_value":
      return `${label}: ${rule.variable ?? "?"}`;
    default:
      return label;
  }
}

/** The rule form's fields as typed. */
export interface RuleForm {
  kind: RuleKind;
  /** `one_of`: one value per line. */
  values: string;
  number: string;
  variable: string;
  /** "" keeps the item's severity. */
  severity: Severity | "";
}

export function formFromRule(rule: RuleSpec | null): RuleForm {
  return {
    kind: rule?.kind ?? "exact",
    values: rule?.values.join("\n") ?? "",
    number: rule?.number === null || rule?.number === undefined ? "" : String(rule.number),
    variable: rule?.variable ?? "",
    severity: rule?.severity ?? "",
  };
}

export type RuleFormProblems = Partial<Record<"values" | "number" | "variable", string>>;

/** The rule the form describes, or what to fix in which field. */
export function ruleFromForm(
  form: RuleForm,
  m: BaselineMessages,
): { rule: RuleSpec } | { problems: RuleFormProblems } {
  const problems: RuleFormProblems = {};
  const rule: RuleSpec = {
    kind: form.kind,
    values: [],
    number: null,
    variable: null,
    severity: form.severity === "" ? null : form.severity,
  };
  if (form.kind === "one_of") {
    rule.values = form.values
      .split("\n")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    if (rule.values.length === 0) {
      problems.values = m.enterCompliantValues;
    }
  }
  if (form.kind === "at_least" || form.kind === "at_most") {
    const text = form.number.trim();
    const number = Number(text);
    if (text === "") {
      problems.number = m.enterNumber(form.kind);
    } else if (!Number.isFinite(number)) {
      problems.number = m.notANumber(text);
    } else {
      rule.number = number;
    }
  }
  if (form.kind === "tenant_value") {
    const variable = form.variable.trim();
    if (variable === "") {
      problems.variable = m.enterVariable;
    } else if (/\s/.test(variable)) {
      problems.variable = m.noSpacesInVariable;
    } else {
      rule.variable = variable;
    }
  }
  return Object.keys(problems).length > 0 ? { problems } : { rule };
}
