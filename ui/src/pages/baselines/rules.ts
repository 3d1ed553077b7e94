// Rules as people read and type them: their names, a one-line description of a rule,
// and the rule form's validation (the backend checks again; the form only says early
// what it would refuse, next to the field to fix).

import type { RuleKind, RuleSpec, Severity } from "../../backend";

export const RULE_KINDS: readonly { value: RuleKind; label: string; hint: string }[] = [
  { value: "exact", label: "Exact", hint: "The tenant's value must equal the baseline's." },
  { value: "ignore", label: "Ignore", hint: "Not judged at all." },
  { value: "one_of", label: "One of", hint: "Any of the listed values is compliant." },
  {
    value: "at_least",
    label: "At least",
    hint: "A number at least this large is compliant (a stricter tenant is fine).",
  },
  { value: "at_most", label: "At most", hint: "A number at most this large is compliant." },
  { value: "present", label: "Present", hint: "The setting must be configured, with any value." },
  { value: "absent", label: "Absent", hint: "The setting must not be configured." },
  {
    value: "tenant_value",
    label: "Tenant value",
    hint: "The value must equal a per-tenant variable of the assignment.",
  },
];

export const SEVERITIES: readonly { value: Severity; label: string }[] = [
  { value: "critical", label: "Critical" },
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
];

export function ruleKindLabel(kind: RuleKind): string {
  return RULE_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** "At least 14", "One of: 1, 2", "Tenant value: timezone", "Exact (default)". */
export function describeRule(rule: RuleSpec | null): string {
  if (rule === null) return "Exact (default)";
  const label = ruleKindLabel(rule.kind);
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

export const SEVERITY_SOURCE_LABEL: Record<string, string> = {
  rule: "set by the rule",
  high_risk: "built-in high-risk setting",
  item: "the item's default",
};

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
export function ruleFromForm(form: RuleForm): { rule: RuleSpec } | { problems: RuleFormProblems } {
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
      problems.values = "Enter at least one compliant value, one per line (for example 14 or \"text\").";
    }
  }
  if (form.kind === "at_least" || form.kind === "at_most") {
    const text = form.number.trim();
    const number = Number(text);
    if (text === "") {
      problems.number = `Enter the ${form.kind === "at_least" ? "smallest" : "largest"} compliant number, for example 14.`;
    } else if (!Number.isFinite(number)) {
      problems.number = `"${text}" is not a number: enter digits, for example 14 or 1.5.`;
    } else {
      rule.number = number;
    }
  }
  if (form.kind === "tenant_value") {
    const variable = form.variable.trim();
    if (variable === "") {
      problems.variable = "Enter the name of the per-tenant variable, for example timezone.";
    } else if (/\s/.test(variable)) {
      problems.variable = "Variable names have no spaces: use letters, digits, - or _.";
    } else {
      rule.variable = variable;
    }
  }
  return Object.keys(problems).length > 0 ? { problems } : { rule };
}
