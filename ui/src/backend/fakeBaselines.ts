// The baselines part of the fake backend: baselines with versions, items, rules and
// assignments, behaving at the interface as the Rust side does (drafts only change,
// publishing retires the previous version, the same refusals and messages), from plain
// data. Folders are a map from path to what the folder holds, so an export can be
// imported back.

import {
  BackendError,
  type AssignmentRow,
  type AssignRequest,
  type BaselineDetail,
  type BaselineItemView,
  type BaselineRow,
  type CreateBaselineRequest,
  type CreatedBaselineView,
  type ExportedBaselineView,
  type ExportRequest,
  type ItemSettingsView,
  type RuleSpec,
  type SetRuleRequest,
  type Severity,
  type SettingView,
  type TenantRow,
  type VariableEntry,
  type VersionRow,
} from "./types";

/** One normalised setting of a fake item: what the Rust side computes from the policy. */
export interface FakeSetting {
  path: string;
  label: string;
  /** Canonical JSON. */
  value: string;
  /** The built-in high-risk severity of this setting, if it has one. */
  highRisk?: Severity;
}

export interface FakeBaselineItem {
  kind: string;
  name: string;
  severity: Severity;
  settings: FakeSetting[];
  rules?: Record<string, RuleSpec>;
  assignments?: string[];
}

export interface FakeVersion {
  version: number;
  status: "draft" | "published" | "retired";
  createdAt?: string;
  createdBy?: string;
  publishedAt?: string | null;
  retiredAt?: string | null;
  items: FakeBaselineItem[];
}

export interface FakeAssignment {
  tenantId: string;
  variables: VariableEntry[];
  pinnedVersion: number | null;
  assignedAt?: string;
}

export interface FakeBaseline {
  name: string;
  description?: string;
  /** Any order; listed newest first. */
  versions: FakeVersion[];
  assignments?: FakeAssignment[];
}

/** What a folder holds, as the Rust side would read it. */
export type FakeFolder =
  | { kind: "baseline"; name: string; description: string; items: FakeBaselineItem[] }
  | { kind: "policies"; items: FakeBaselineItem[] }
  /** A folder the core refuses: `message` is what it says (naming the file). */
  | { kind: "broken"; message: string };

export interface FakeBaselinesData {
  baselines?: FakeBaseline[];
  /** The items of each tenant's latest capture, by tenant id. */
  captures?: Record<string, FakeBaselineItem[]>;
  /** Folders by full path. */
  folders?: Record<string, FakeFolder>;
  actor?: string;
  now?: () => number;
}

interface StoredItem {
  id: string;
  kind: string;
  name: string;
  severity: Severity;
  settings: FakeSetting[];
  rules: Record<string, RuleSpec>;
  assignments: string[];
}

interface StoredVersion {
  id: string;
  version: number;
  status: "draft" | "published" | "retired";
  createdAt: string;
  createdBy: string;
  publishedAt: string | null;
  retiredAt: string | null;
  items: StoredItem[];
}

interface StoredBaseline {
  id: string;
  name: string;
  description: string;
  versions: StoredVersion[];
  assignments: Required<FakeAssignment>[];
}

const SEVERITY_ORDER: Severity[] = ["low", "medium", "high", "critical"];

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The messages of `RuleSpec::to_rule` and `Rule::problem` on the Rust side. */
function ruleProblem(rule: RuleSpec): string | null {
  switch (rule.kind) {
    case "at_least":
    case "at_most":
      if (rule.number === null) {
        const what = rule.kind === "at_least" ? "smallest" : "largest";
        return `${rule.kind} needs a number: enter the ${what} compliant value, for example 14`;
      }
      if (!Number.isFinite(rule.number)) return `${rule.kind} needs a finite number, for example 14.`;
      return null;
    case "one_of":
      return rule.values.some((v) => v.trim() !== "")
        ? null
        : "one_of needs at least one value that is compliant.";
    case "tenant_value": {
      const variable = (rule.variable ?? "").trim();
      if (variable === "") {
        return "tenant_value needs the name of a per-tenant variable, for example timezone.";
      }
      if (/\s/.test(variable)) {
        return `the variable name ${JSON.stringify(variable)} has spaces: use letters, digits, - or _.`;
      }
      return null;
    }
    default:
      return null;
  }
}

/** The rule as stored: only the fields its kind reads. */
function storedRule(rule: RuleSpec): RuleSpec {
  return {
    kind: rule.kind,
    values: rule.kind === "one_of" ? rule.values.map((v) => v.trim()).filter((v) => v !== "") : [],
    number: rule.kind === "at_least" || rule.kind === "at_most" ? rule.number : null,
    variable: rule.kind === "tenant_value" ? (rule.variable ?? "").trim() : null,
    severity: rule.severity,
  };
}

export class FakeBaselines {
  private baselines: StoredBaseline[] = [];
  private captures: Record<string, FakeBaselineItem[]>;
  /** Folders by path; exports write here. */
  readonly folders: Record<string, FakeFolder>;
  private actor: string;
  private now: () => number;
  private nextId = 1;
  /** Rules asked to be set, in order. */
  readonly ruleRequests: SetRuleRequest[] = [];
  /** Assignments asked, in order. */
  readonly assignRequests: AssignRequest[] = [];
  /** What `createBaseline` was asked, in order. */
  readonly createRequests: CreateBaselineRequest[] = [];

  constructor(
    data: FakeBaselinesData,
    private tenants: () => TenantRow[],
  ) {
    this.captures = structuredClone(data.captures ?? {});
    this.folders = structuredClone(data.folders ?? {});
    this.actor = data.actor ?? "operator";
    this.now = data.now ?? (() => Date.now());
    for (const given of data.baselines ?? []) {
      const id = `baseline-${slug(given.name)}`;
      this.baselines.push({
        id,
        name: given.name,
        description: given.description ?? "",
        versions: given.versions
          .map((v) => ({
            id: `${id}-v${v.version}`,
            version: v.version,
            status: v.status,
            createdAt: v.createdAt ?? "2026-11-01T00:00:00.000Z",
            createdBy: v.createdBy ?? this.actor,
            publishedAt: v.publishedAt ?? (v.status === "draft" ? null : "2026-11-02T00:00:00.000Z"),
            retiredAt: v.retiredAt ?? (v.status === "retired" ? "2026-11-03T00:00:00.000Z" : null),
            items: this.storeItems(`${id}-v${v.version}`, v.items),
          }))
          .sort((a, b) => b.version - a.version),
        assignments: (given.assignments ?? []).map((a) => ({
          assignedAt: "2026-11-05T00:00:00.000Z",
          ...structuredClone(a),
        })),
      });
    }
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private storeItems(versionId: string, items: FakeBaselineItem[]): StoredItem[] {
    const seen = new Set<string>();
    const out: StoredItem[] = [];
    for (const item of items) {
      // The same kind and name twice: the first one is the baseline's, as in the store.
      const key = `${item.kind}\u0000${item.name.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        id: `${versionId}-i${this.nextId++}`,
        kind: item.kind,
        name: item.name,
        severity: item.severity,
        settings: structuredClone(item.settings),
        rules: structuredClone(item.rules ?? {}),
        assignments: [...(item.assignments ?? [])],
      });
    }
    return out;
  }

  private find(nameOrId: string): StoredBaseline {
    const found = this.baselines.find(
      (b) => b.id === nameOrId || b.name.toLowerCase() === nameOrId.toLowerCase(),
    );
    if (!found) {
      throw new BackendError(
        "not_found",
        `baseline not found: ${nameOrId} (list baselines with \`plumbline baseline list\`)`,
      );
    }
    return found;
  }

  private findItem(itemId: string): { baseline: StoredBaseline; version: StoredVersion; item: StoredItem } {
    for (const baseline of this.baselines) {
      for (const version of baseline.versions) {
        const item = version.items.find((i) => i.id === itemId);
        if (item) return { baseline, version, item };
      }
    }
    throw new BackendError("not_found", `baseline item not found: ${itemId}`);
  }

  private draftItem(itemId: string): { baseline: StoredBaseline; version: StoredVersion; item: StoredItem } {
    const found = this.findItem(itemId);
    if (found.version.status !== "draft") {
      throw new BackendError(
        "conflict",
        `${found.baseline.name} v${found.version.version} is ${found.version.status} and can no longer change: start a new draft from the latest published version and edit that`,
      );
    }
    return found;
  }

  private row(b: StoredBaseline): BaselineRow {
    const published = b.versions.find((v) => v.status === "published");
    const draft = b.versions.find((v) => v.status === "draft");
    return {
      id: b.id,
      name: b.name,
      description: b.description,
      latestPublished: published?.version ?? null,
      draftVersion: draft?.version ?? null,
      itemCount: (published ?? draft)?.items.length ?? 0,
      assignedTenants: b.assignments.length,
    };
  }

  private variablesOf(version: StoredVersion | undefined): Set<string> {
    const out = new Set<string>();
    for (const item of version?.items ?? []) {
      for (const rule of Object.values(item.rules)) {
        if (rule.kind === "tenant_value" && rule.variable) out.add(rule.variable);
      }
    }
    return out;
  }

  private detailOf(b: StoredBaseline): BaselineDetail {
    const published = b.versions.find((v) => v.status === "published");
    const draft = b.versions.find((v) => v.status === "draft");
    const required = new Set([...this.variablesOf(published), ...this.variablesOf(draft)]);
    const names = new Map(this.tenants().map((t) => [t.id, t.name]));
    const assignments: AssignmentRow[] = b.assignments
      .map((a) => {
        const used =
          a.pinnedVersion === null
            ? published
            : b.versions.find((v) => v.version === a.pinnedVersion);
        const defined = new Set(a.variables.map((v) => v.key));
        return {
          tenantId: a.tenantId,
          tenant: names.get(a.tenantId) ?? a.tenantId,
          variables: [...a.variables].sort((x, y) => compareText(x.key, y.key)),
          pinnedVersion: a.pinnedVersion,
          assignedAt: a.assignedAt,
          missingVariables: [...this.variablesOf(used)].filter((v) => !defined.has(v)).sort(),
        };
      })
      .sort((x, y) => compareText(x.tenant, y.tenant));
    return {
      baseline: this.row(b),
      versions: b.versions.map(
        (v): VersionRow => ({
          id: v.id,
          version: v.version,
          status: v.status,
          items: v.items.length,
          createdAt: v.createdAt,
          createdBy: v.createdBy,
          publishedAt: v.publishedAt,
          retiredAt: v.retiredAt,
        }),
      ),
      assignments,
      requiredVariables: [...required].sort(),
    };
  }

  private itemRow(item: StoredItem): BaselineItemView {
    return {
      id: item.id,
      kind: item.kind,
      name: item.name,
      severity: item.severity,
      rules: Object.keys(item.rules).length,
    };
  }

  private itemView(baseline: StoredBaseline, version: StoredVersion, item: StoredItem): ItemSettingsView {
    const paths = new Set([...item.settings.map((s) => s.path), ...Object.keys(item.rules)]);
    const settings = [...paths].sort().map((path): SettingView => {
      const setting = item.settings.find((s) => s.path === path);
      const rule = item.rules[path] ?? null;
      const builtIn = setting?.highRisk;
      const raised =
        builtIn !== undefined && SEVERITY_ORDER.indexOf(builtIn) > SEVERITY_ORDER.indexOf(item.severity);
      return {
        path,
        label: setting?.label ?? path,
        value: setting?.value ?? null,
        valueText: null,
        rule: rule === null ? null : structuredClone(rule),
        severity: rule?.severity ?? (raised && builtIn !== undefined ? builtIn : item.severity),
        severitySource: rule?.severity ? "rule" : raised ? "high_risk" : "item",
      };
    });
    return {
      item: this.itemRow(item),
      baselineId: baseline.id,
      baseline: baseline.name,
      versionId: version.id,
      version: version.version,
      status: version.status,
      settings,
      assignments: [...item.assignments],
      excluded: [],
      raw: JSON.stringify(
        Object.fromEntries([
          ["displayName", item.name],
          ...item.settings.map((s) => [s.path, JSON.parse(s.value) as unknown]),
        ]),
        null,
        2,
      ),
    };
  }

  list(): BaselineRow[] {
    return [...this.baselines].sort((a, b) => compareText(a.name, b.name)).map((b) => this.row(b));
  }

  detail(baselineId: string): BaselineDetail {
    return this.detailOf(this.find(baselineId));
  }

  items(versionId: string): BaselineItemView[] {
    for (const baseline of this.baselines) {
      const version = baseline.versions.find((v) => v.id === versionId);
      if (version) {
        return [...version.items]
          .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name))
          .map((i) => this.itemRow(i));
      }
    }
    throw new BackendError("not_found", `baseline version not found: ${versionId}`);
  }

  item(itemId: string): ItemSettingsView {
    const { baseline, version, item } = this.findItem(itemId);
    return this.itemView(baseline, version, item);
  }

  setRule(request: SetRuleRequest): ItemSettingsView {
    this.ruleRequests.push(structuredClone(request));
    const path = request.path.trim();
    if (path === "") {
      throw new BackendError(
        "invalid_input",
        "Enter the setting path the rule applies to, as the settings list shows it.",
      );
    }
    const problem = ruleProblem(request.rule);
    if (problem !== null) throw new BackendError("invalid_input", problem);
    const { baseline, version, item } = this.draftItem(request.itemId);
    item.rules[path] = storedRule(request.rule);
    return this.itemView(baseline, version, item);
  }

  removeRule(itemId: string, path: string): ItemSettingsView {
    const { baseline, version, item } = this.draftItem(itemId);
    if (!(path in item.rules)) {
      throw new BackendError("not_found", `rule not found: ${path} of ${item.name} has no rule to remove`);
    }
    delete item.rules[path];
    return this.itemView(baseline, version, item);
  }

  setItemSeverity(itemId: string, severity: Severity): ItemSettingsView {
    const { baseline, version, item } = this.draftItem(itemId);
    item.severity = severity;
    return this.itemView(baseline, version, item);
  }

  startDraft(baselineId: string): number {
    const baseline = this.find(baselineId);
    const draft = baseline.versions.find((v) => v.status === "draft");
    if (draft) {
      throw new BackendError(
        "conflict",
        `${baseline.name} already has a draft (v${draft.version}): edit it, or publish it before starting another`,
      );
    }
    const published = baseline.versions.find((v) => v.status === "published");
    if (!published) {
      throw new BackendError(
        "conflict",
        `${baseline.name} has no published version to start a draft from: create one from a tenant or a folder`,
      );
    }
    return this.addVersion(baseline, published.items).version;
  }

  private addVersion(baseline: StoredBaseline, items: (FakeBaselineItem | StoredItem)[]): StoredVersion {
    const number = Math.max(0, ...baseline.versions.map((v) => v.version)) + 1;
    const id = `${baseline.id}-v${number}`;
    const version: StoredVersion = {
      id,
      version: number,
      status: "draft",
      createdAt: this.stamp(),
      createdBy: this.actor,
      publishedAt: null,
      retiredAt: null,
      items: this.storeItems(id, items),
    };
    baseline.versions.unshift(version);
    return version;
  }

  publish(baselineId: string): number {
    const baseline = this.find(baselineId);
    const draft = baseline.versions.find((v) => v.status === "draft");
    if (!draft) {
      throw new BackendError("conflict", `baseline ${baseline.name} has no draft version to publish`);
    }
    const at = this.stamp();
    for (const version of baseline.versions) {
      if (version.status === "published") {
        version.status = "retired";
        version.retiredAt = at;
      }
    }
    draft.status = "published";
    draft.publishedAt = at;
    return draft.version;
  }

  create(request: CreateBaselineRequest): CreatedBaselineView {
    this.createRequests.push(structuredClone(request));
    const tenantId = request.tenantId?.trim() || null;
    const folderPath = request.folder?.trim() || null;
    let items: FakeBaselineItem[];
    let folderName: string | null = null;
    let folderDescription = "";
    if (tenantId !== null && folderPath !== null) {
      throw new BackendError("invalid_input", "Choose a tenant or a folder, not both.");
    }
    if (tenantId !== null) {
      const tenant = this.tenants().find((t) => t.id === tenantId || t.name === tenantId);
      if (!tenant) {
        throw new BackendError("not_found", `tenant not found: ${tenantId} (list tenants with \`plumbline tenants\`)`);
      }
      const captured = this.captures[tenant.id];
      if (!captured) {
        throw new BackendError("not_found", `capture not found: of ${tenant.name} (import or capture one first)`);
      }
      items = captured;
    } else if (folderPath !== null) {
      if (!folderPath.startsWith("/")) {
        throw new BackendError(
          "invalid_input",
          `${folderPath} is not a full path: enter the folder to create the baseline from from the root, for example /home/you/baselines/msp-standard`,
        );
      }
      const folder = this.folders[folderPath];
      if (!folder) {
        throw new BackendError(
          "invalid_input",
          `${folderPath} is not a folder: enter the full path of a baseline folder (with baseline.json) or of a folder of exported policies`,
        );
      }
      if (folder.kind === "broken") throw new BackendError("invalid_input", folder.message);
      items = folder.items;
      if (folder.kind === "baseline") {
        folderName = folder.name;
        folderDescription = folder.description;
      }
    } else {
      throw new BackendError("invalid_input", "Choose a tenant or enter a folder to create the baseline from.");
    }
    const name = request.name.trim() || folderName;
    if (!name) throw new BackendError("invalid_input", "Enter a name for the baseline.");
    let baseline = this.baselines.find((b) => b.name.toLowerCase() === name.toLowerCase());
    if (baseline) {
      const draft = baseline.versions.find((v) => v.status === "draft");
      if (draft) {
        throw new BackendError(
          "conflict",
          `baseline ${baseline.name} already has a draft version (v${draft.version}): publish it first (\`plumbline baseline publish "${baseline.name}"\` or Publish in the app)`,
        );
      }
    } else {
      baseline = {
        id: `baseline-${slug(name)}`,
        name,
        description: request.description.trim() || folderDescription,
        versions: [],
        assignments: [],
      };
      this.baselines.push(baseline);
    }
    const version = this.addVersion(baseline, items);
    if (request.publish) this.publish(baseline.id);
    return {
      baselineId: baseline.id,
      name: baseline.name,
      version: version.version,
      items: version.items.length,
      status: request.publish ? "published" : "draft",
    };
  }

  assign(request: AssignRequest): BaselineDetail {
    this.assignRequests.push(structuredClone(request));
    if (request.tenantIds.length === 0) {
      throw new BackendError("invalid_input", "Choose at least one tenant to assign the baseline to.");
    }
    const keys = new Set<string>();
    const variables: VariableEntry[] = [];
    for (const entry of request.variables) {
      const key = entry.key.trim();
      if (key === "") {
        throw new BackendError(
          "invalid_input",
          "A variable has no name: name it (the variable a tenant_value rule reads) or remove it.",
        );
      }
      if (/\s/.test(key)) {
        throw new BackendError(
          "invalid_input",
          `The variable name ${JSON.stringify(key)} has spaces: use letters, digits, - or _.`,
        );
      }
      if (keys.has(key)) {
        throw new BackendError("invalid_input", `The variable ${key} is listed twice: keep one.`);
      }
      keys.add(key);
      variables.push({ key, value: entry.value.trim() });
    }
    const baseline = this.find(request.baselineId);
    if (request.pinnedVersion !== null) {
      const pinned = baseline.versions.find((v) => v.version === request.pinnedVersion);
      if (!pinned) {
        throw new BackendError(
          "not_found",
          `baseline version not found: ${baseline.name} v${request.pinnedVersion}`,
        );
      }
      if (pinned.status === "draft") {
        throw new BackendError(
          "conflict",
          `${baseline.name} v${pinned.version} is a draft: publish it before pinning tenants to it`,
        );
      }
    }
    const known = new Set(this.tenants().map((t) => t.id));
    for (const tenantId of request.tenantIds) {
      if (!known.has(tenantId)) throw new BackendError("not_found", `no tenant ${tenantId}`);
    }
    for (const tenantId of request.tenantIds) {
      const existing = baseline.assignments.find((a) => a.tenantId === tenantId);
      if (existing) {
        existing.variables = structuredClone(variables);
        existing.pinnedVersion = request.pinnedVersion;
      } else {
        baseline.assignments.push({
          tenantId,
          variables: structuredClone(variables),
          pinnedVersion: request.pinnedVersion,
          assignedAt: this.stamp(),
        });
      }
    }
    return this.detailOf(baseline);
  }

  unassign(baselineId: string, tenantId: string): BaselineDetail {
    const baseline = this.find(baselineId);
    const before = baseline.assignments.length;
    baseline.assignments = baseline.assignments.filter((a) => a.tenantId !== tenantId);
    if (baseline.assignments.length === before) {
      throw new BackendError(
        "not_found",
        `assignment not found: ${baseline.name} is not assigned to tenant ${tenantId}`,
      );
    }
    return this.detailOf(baseline);
  }

  export(request: ExportRequest): ExportedBaselineView {
    const path = request.path.trim();
    if (path === "") throw new BackendError("invalid_input", "Enter the folder to export to.");
    if (!path.startsWith("/")) {
      throw new BackendError(
        "invalid_input",
        `${path} is not a full path: enter the folder to export to from the root, for example /home/you/baselines/msp-standard`,
      );
    }
    const existing = this.folders[path];
    if (existing && existing.kind !== "baseline") {
      throw new BackendError(
        "invalid_input",
        `${path} exists and is not a baseline folder (no baseline.json): choose an empty or new folder`,
      );
    }
    const baseline = this.find(request.baselineId);
    const version = baseline.versions.find((v) => v.version === request.version);
    if (!version) {
      throw new BackendError("not_found", `baseline version not found: ${baseline.name} v${request.version}`);
    }
    const items: FakeBaselineItem[] = version.items.map((i) => ({
      kind: i.kind,
      name: i.name,
      severity: i.severity,
      settings: structuredClone(i.settings),
      rules: structuredClone(i.rules),
      assignments: [...i.assignments],
    }));
    this.folders[path] = { kind: "baseline", name: baseline.name, description: baseline.description, items };
    const files = [
      "baseline.json",
      ...[...items]
        .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name))
        .map((i) => `items/${i.kind}/${i.name.replace(/[/\\:*?"<>|]/g, "_")}.json`),
    ];
    return { name: baseline.name, version: version.version, folder: path, files };
  }
}
