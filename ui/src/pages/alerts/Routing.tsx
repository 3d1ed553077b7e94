// The rules under "Where alerts go" and what shapes their notifications: each rule's
// routes to destinations, its escalation policy, on/off; adding and removing rules; the
// silences (add one, end one) and the escalation policies (add, remove). Changes are the
// backend's to refuse (admins only when the workspace syncs), with a message that says so.

import {
  Button,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DismissRegular } from "@fluentui/react-icons";
import { useState } from "react";
import {
  useBackend,
  type DestinationRow,
  type PolicyRow,
  type RuleRow,
  type SilenceRow,
  type TenantRow,
} from "../../backend";
import { formatExact, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { routingMessages } from "./routingMessages";

const useStyles = makeStyles({
  row: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(200px, 1fr))",
    gap: tokens.spacingHorizontalM,
    alignItems: "end",
  },
  muted: {
    color: tokens.colorNeutralForeground2,
  },
  ruleColumn: {
    width: "34%",
  },
  narrowColumn: {
    width: "72px",
  },
  // Dropdowns in table cells: as wide as their column, not Fluent's 250 px minimum.
  cellDropdown: {
    minWidth: "0",
    width: "100%",
    maxWidth: "220px",
  },
});

export interface RoutingData {
  rules: RuleRow[];
  destinations: DestinationRow[];
  silences: SilenceRow[];
  policies: PolicyRow[];
  tenants: TenantRow[];
}

interface Props {
  data: RoutingData | null;
  busy: boolean;
  /** Runs a change; its text (if any) is shown as the outcome, then everything reloads. */
  act: (work: () => Promise<string | null>) => void;
}

const KINDS = [
  "new-findings",
  "lapsed",
  "score-drop",
  "expiring",
  "capture-failed",
  "not-captured",
  "ghost-policy",
] as const;
const SEVERITIES = ["critical", "high", "medium", "low"] as const;
const INTERVALS = ["30m", "1h", "6h", "1d"] as const;

function needsNumber(kind: string): boolean {
  return kind === "score-drop" || kind === "expiring" || kind === "not-captured";
}

function when(value: string | null): string {
  const ms = parseTimestamp(value);
  return ms === null ? "" : formatExact(ms);
}

export function seconds(s: number): string {
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

const EMPTY_RULE = {
  name: "",
  kind: "new-findings",
  severity: "high",
  number: "10",
  every: "1h",
  tags: "",
  except: [] as string[],
};
const EMPTY_SILENCE = { rule: "", tenant: "", hours: "4", comment: "" };
const EMPTY_WATCH = { rule: "", tenants: [] as string[], tags: "", except: [] as string[] };

/** Tags as typed (comma-separated) to the list the backend takes. */
function tagList(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A multi-select of the workspace's tenants (ids as values, names shown). */
function TenantPicker({
  tenants,
  selected,
  placeholder,
  onChange,
  testId,
}: {
  tenants: { id: string; name: string }[];
  selected: string[];
  placeholder: string;
  onChange: (ids: string[]) => void;
  testId: string;
}) {
  return (
    <Dropdown
      multiselect
      placeholder={placeholder}
      value={tenants
        .filter((t) => selected.includes(t.id))
        .map((t) => t.name)
        .join(", ")}
      selectedOptions={selected}
      onOptionSelect={(_, v) => onChange(v.selectedOptions)}
      data-testid={testId}
    >
      {tenants.map((t) => (
        <Option key={t.id} value={t.id}>
          {t.name}
        </Option>
      ))}
    </Dropdown>
  );
}
const EMPTY_POLICY = { name: "", steps: "", repeats: "0", repeatAfter: "1h" };

export function Routing({ data, busy, act }: Props) {
  const styles = useStyles();
  const m = useMessages(routingMessages);
  const backend = useBackend();
  const [form, setForm] = useState<"rule" | "tenants" | "silence" | "policy" | null>(null);
  const [rule, setRule] = useState(EMPTY_RULE);
  const [silence, setSilence] = useState(EMPTY_SILENCE);
  const [policy, setPolicy] = useState(EMPTY_POLICY);
  const [watch, setWatch] = useState(EMPTY_WATCH);

  const addRule = () =>
    act(async () => {
      const spec =
        rule.kind === "new-findings"
          ? `new-findings:${rule.severity}`
          : needsNumber(rule.kind)
            ? `${rule.kind}:${rule.number.trim()}`
            : rule.kind;
      await backend.addAlertRule(
        rule.name,
        spec,
        rule.every,
        tagList(rule.tags),
        rule.except,
      );
      setForm(null);
      setRule(EMPTY_RULE);
      return m.ruleAdded(rule.name.trim());
    });

  const saveWatch = () =>
    act(async () => {
      await backend.setAlertRuleTenants(
        watch.rule,
        watch.tenants,
        tagList(watch.tags),
        watch.except,
      );
      setForm(null);
      setWatch(EMPTY_WATCH);
      return m.tenantsChanged(watch.rule);
    });

  const addSilence = () =>
    act(async () => {
      await backend.addSilence(
        silence.rule || null,
        silence.tenant || null,
        Number(silence.hours) || 0,
        silence.comment,
      );
      setForm(null);
      setSilence(EMPTY_SILENCE);
      return m.silenced;
    });

  const addPolicy = () =>
    act(async () => {
      const added = await backend.addEscalationPolicy(
        policy.name,
        policy.steps.split("\n"),
        Number(policy.repeats) || 0,
        policy.repeatAfter,
      );
      setForm(null);
      setPolicy(EMPTY_POLICY);
      return m.policyAdded(added.name);
    });

  const cancel = (
    <Button onClick={() => setForm(null)} data-testid="routing-cancel">
      {m.cancel}
    </Button>
  );

  return (
    <>
      <Subtitle2 as="h3">{m.rules}</Subtitle2>
      <Text className={styles.muted}>{m.rulesIntro}</Text>
      {data ? (
        <Table aria-label={m.rules} data-testid="rules">
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.ruleColumn}>{m.columns.rule}</TableHeaderCell>
              <TableHeaderCell>{m.columns.sendsTo}</TableHeaderCell>
              <TableHeaderCell>{m.columns.escalation}</TableHeaderCell>
              <TableHeaderCell className={styles.narrowColumn}>{m.columns.enabled}</TableHeaderCell>
              <TableHeaderCell>{m.columns.actions}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.rules.map((r) => {
              const unrouted = data.destinations.filter((d) => !r.destinations.includes(d.name));
              return (
                <TableRow key={r.id} data-testid={`rule-${r.name}`}>
                  <TableCell>
                    <div>
                      <Text weight="semibold">{r.name}</Text>
                    </div>
                    <Text size={200} className={styles.muted}>
                      {m.condition(r.when)}, {m.every(seconds(r.cooldownSecs))} ·{" "}
                      {m.watches(r.tenants, r.tags, r.except)}
                    </Text>
                  </TableCell>
                  <TableCell>
                    <div className={styles.row}>
                      {r.destinations.length === 0 ? (
                        <Text className={styles.muted}>{m.inboxOnly}</Text>
                      ) : null}
                      {r.destinations.map((d) => (
                        <Button
                          key={d}
                          size="small"
                          icon={<DismissRegular />}
                          iconPosition="after"
                          disabled={busy}
                          aria-label={m.stopSending(r.name, d)}
                          onClick={() =>
                            act(async () => {
                              await backend.routeAlertRule(r.name, d, false);
                              return null;
                            })
                          }
                          data-testid={`unroute-${r.name}-${d}`}
                        >
                          {d}
                        </Button>
                      ))}
                      {unrouted.length > 0 ? (
                        <Dropdown
                          size="small"
                          className={styles.cellDropdown}
                          placeholder={m.sendTo}
                          value=""
                          selectedOptions={[]}
                          disabled={busy}
                          aria-label={`${m.sendTo} ${r.name}`}
                          onOptionSelect={(_, v) => {
                            const destination = v.optionValue;
                            if (!destination) return;
                            act(async () => {
                              await backend.routeAlertRule(r.name, destination, true);
                              return null;
                            });
                          }}
                          data-testid={`route-${r.name}`}
                        >
                          {unrouted.map((d) => (
                            <Option key={d.id} value={d.name}>
                              {d.name}
                            </Option>
                          ))}
                        </Dropdown>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <Dropdown
                      size="small"
                      className={styles.cellDropdown}
                      value={r.policy ?? m.noEscalation}
                      selectedOptions={[r.policy ?? ""]}
                      disabled={busy}
                      aria-label={`${m.columns.escalation}: ${r.name}`}
                      onOptionSelect={(_, v) =>
                        act(async () => {
                          await backend.setRulePolicy(r.name, v.optionValue || null);
                          return null;
                        })
                      }
                      data-testid={`rule-policy-${r.name}`}
                    >
                      <Option value="">{m.noEscalation}</Option>
                      {data.policies.map((p) => (
                        <Option key={p.id} value={p.name}>
                          {p.name}
                        </Option>
                      ))}
                    </Dropdown>
                  </TableCell>
                  <TableCell>
                    <Switch
                      checked={r.enabled}
                      disabled={busy}
                      aria-label={m.enabledLabel(r.name)}
                      onChange={(_, v) =>
                        act(async () => {
                          await backend.setAlertRuleEnabled(r.name, v.checked);
                          return null;
                        })
                      }
                      data-testid={`rule-enabled-${r.name}`}
                    />
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() => {
                        setWatch({
                          rule: r.name,
                          tenants: r.tenantIds,
                          tags: r.tags.join(", "),
                          except: r.exceptIds,
                        });
                        setForm("tenants");
                      }}
                      data-testid={`rule-tenants-${r.name}`}
                    >
                      {m.editTenants}
                    </Button>{" "}
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() =>
                        act(async () => {
                          await backend.removeAlertRule(r.name);
                          return null;
                        })
                      }
                      data-testid={`rule-remove-${r.name}`}
                    >
                      {m.remove}
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
      {form === "tenants" ? (
        <div className={styles.form} role="group" aria-label={m.editTenantsOf(watch.rule)}>
          <Subtitle2 as="h4">{m.editTenantsOf(watch.rule)}</Subtitle2>
          {data && data.tenants.length > 0 ? (
            <Field label={m.onlyTenants}>
              <TenantPicker
                tenants={data.tenants}
                selected={watch.tenants}
                placeholder={m.everyTenant}
                onChange={(tenants) => setWatch({ ...watch, tenants })}
                testId="watch-tenants"
              />
            </Field>
          ) : null}
          <Field label={m.onlyTagged} hint={m.onlyTaggedHint}>
            <Input
              value={watch.tags}
              onChange={(_, v) => setWatch({ ...watch, tags: v.value })}
              data-testid="watch-tags"
            />
          </Field>
          {data && data.tenants.length > 0 ? (
            <Field label={m.exceptTenants}>
              <TenantPicker
                tenants={data.tenants}
                selected={watch.except}
                placeholder={m.noException}
                onChange={(except) => setWatch({ ...watch, except })}
                testId="watch-except"
              />
            </Field>
          ) : null}
          <div className={styles.row}>
            <Button
              appearance="primary"
              disabled={busy}
              onClick={saveWatch}
              data-testid="watch-save"
            >
              {m.saveTenants}
            </Button>
            {cancel}
          </div>
        </div>
      ) : null}
      {form === "rule" ? (
        <div className={styles.form} role="group" aria-label={m.newRule}>
          <Field label={m.ruleName} required>
            <Input
              value={rule.name}
              onChange={(_, v) => setRule({ ...rule, name: v.value })}
              data-testid="rule-name"
            />
          </Field>
          <Field label={m.when}>
            <Dropdown
              value={m.conditionKinds[rule.kind]}
              selectedOptions={[rule.kind]}
              onOptionSelect={(_, v) => setRule({ ...rule, kind: v.optionValue ?? "new-findings" })}
              data-testid="rule-kind"
            >
              {KINDS.map((kind) => (
                <Option key={kind} value={kind}>
                  {m.conditionKinds[kind]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          {rule.kind === "new-findings" ? (
            <Field label={m.severity}>
              <Dropdown
                value={m.severities[rule.severity]}
                selectedOptions={[rule.severity]}
                onOptionSelect={(_, v) => setRule({ ...rule, severity: v.optionValue ?? "high" })}
                data-testid="rule-severity"
              >
                {SEVERITIES.map((s) => (
                  <Option key={s} value={s}>
                    {m.severities[s]}
                  </Option>
                ))}
              </Dropdown>
            </Field>
          ) : null}
          {needsNumber(rule.kind) ? (
            <Field label={rule.kind === "score-drop" ? m.points : m.days}>
              <Input
                type="number"
                min={1}
                value={rule.number}
                onChange={(_, v) => setRule({ ...rule, number: v.value })}
                data-testid="rule-number"
              />
            </Field>
          ) : null}
          <Field label={m.repeatEvery}>
            <Dropdown
              value={m.intervals[rule.every]}
              selectedOptions={[rule.every]}
              onOptionSelect={(_, v) => setRule({ ...rule, every: v.optionValue ?? "1h" })}
              data-testid="rule-every"
            >
              {INTERVALS.map((i) => (
                <Option key={i} value={i}>
                  {m.intervals[i]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={m.onlyTagged} hint={m.onlyTaggedHint}>
            <Input
              value={rule.tags}
              onChange={(_, v) => setRule({ ...rule, tags: v.value })}
              data-testid="rule-tags"
            />
          </Field>
          {data && data.tenants.length > 0 ? (
            <Field label={m.exceptTenants}>
              <TenantPicker
                tenants={data.tenants}
                selected={rule.except}
                placeholder={m.noException}
                onChange={(except) => setRule({ ...rule, except })}
                testId="rule-except"
              />
            </Field>
          ) : null}
          <div className={styles.row}>
            <Button appearance="primary" disabled={busy} onClick={addRule} data-testid="rule-save">
              {m.save}
            </Button>
            {cancel}
          </div>
        </div>
      ) : (
        <div>
          <Button icon={<AddRegular />} onClick={() => setForm("rule")} data-testid="rule-add">
            {m.addRule}
          </Button>
        </div>
      )}

      <Subtitle2 as="h3">{m.silences}</Subtitle2>
      {data && data.silences.length === 0 ? <Text>{m.noSilences}</Text> : null}
      {data?.silences.map((s) => (
        <div key={s.id} className={styles.row} data-testid={`silence-${s.id}`}>
          <Text>
            {m.silenceWhat(s.rule, s.tenant)} — {s.comment} (
            {s.active ? m.until(when(s.endsAt)) : m.ended(when(s.endsAt))})
          </Text>
          {s.active ? (
            <Button
              size="small"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  await backend.expireSilence(s.id);
                  return null;
                })
              }
              data-testid={`silence-expire-${s.id}`}
            >
              {m.expire}
            </Button>
          ) : null}
        </div>
      ))}
      {form === "silence" && data ? (
        <div className={styles.form} role="group" aria-label={m.newSilence}>
          <Field label={m.rule}>
            <Dropdown
              value={data.rules.find((r) => r.id === silence.rule)?.name ?? m.anyRule}
              selectedOptions={[silence.rule]}
              onOptionSelect={(_, v) => setSilence({ ...silence, rule: v.optionValue ?? "" })}
              data-testid="silence-rule"
            >
              <Option value="">{m.anyRule}</Option>
              {data.rules.map((r) => (
                <Option key={r.id} value={r.id}>
                  {r.name}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={m.tenant}>
            <Dropdown
              value={data.tenants.find((t) => t.id === silence.tenant)?.name ?? m.anyTenant}
              selectedOptions={[silence.tenant]}
              onOptionSelect={(_, v) => setSilence({ ...silence, tenant: v.optionValue ?? "" })}
              data-testid="silence-tenant"
            >
              <Option value="">{m.anyTenant}</Option>
              {data.tenants.map((t) => (
                <Option key={t.id} value={t.id}>
                  {t.name}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={m.hours}>
            <Input
              type="number"
              min={1}
              value={silence.hours}
              onChange={(_, v) => setSilence({ ...silence, hours: v.value })}
              data-testid="silence-hours"
            />
          </Field>
          <Field label={m.reason} hint={m.reasonHint} required>
            <Input
              value={silence.comment}
              onChange={(_, v) => setSilence({ ...silence, comment: v.value })}
              data-testid="silence-comment"
            />
          </Field>
          <div className={styles.row}>
            <Button
              appearance="primary"
              disabled={busy}
              onClick={addSilence}
              data-testid="silence-save"
            >
              {m.save}
            </Button>
            {cancel}
          </div>
        </div>
      ) : (
        <div>
          <Button icon={<AddRegular />} onClick={() => setForm("silence")} data-testid="silence-add">
            {m.addSilence}
          </Button>
        </div>
      )}

      <Subtitle2 as="h3">{m.policies}</Subtitle2>
      {data && data.policies.length === 0 ? <Text>{m.noPolicies}</Text> : null}
      {data?.policies.map((p) => (
        <div key={p.id} className={styles.row} data-testid={`policy-${p.name}`}>
          <Text>
            <strong>{p.name}</strong>:{" "}
            {p.policy.steps
              .map((step) => m.step(seconds(step.after_seconds), step.destinations.join(", ")))
              .join("; ")}
            {p.policy.repeats > 0
              ? m.repeats(p.policy.repeats, seconds(p.policy.repeat_after_seconds))
              : ""}
            {p.rules.length > 0 ? ` · ${m.usedBy(p.rules.join(", "))}` : ""}
          </Text>
          <Button
            size="small"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await backend.removeEscalationPolicy(p.name);
                return null;
              })
            }
            data-testid={`policy-remove-${p.name}`}
          >
            {m.remove}
          </Button>
        </div>
      ))}
      {form === "policy" ? (
        <div className={styles.form} role="group" aria-label={m.newPolicy}>
          <Field label={m.policyName} required>
            <Input
              value={policy.name}
              onChange={(_, v) => setPolicy({ ...policy, name: v.value })}
              data-testid="policy-name"
            />
          </Field>
          <Field label={m.steps} hint={m.stepsHint} required>
            <Textarea
              value={policy.steps}
              onChange={(_, v) => setPolicy({ ...policy, steps: v.value })}
              data-testid="policy-steps"
            />
          </Field>
          <Field label={m.repeatTimes}>
            <Input
              type="number"
              min={0}
              max={10}
              value={policy.repeats}
              onChange={(_, v) => setPolicy({ ...policy, repeats: v.value })}
              data-testid="policy-repeats"
            />
          </Field>
          <Field label={m.repeatAfter}>
            <Input
              value={policy.repeatAfter}
              onChange={(_, v) => setPolicy({ ...policy, repeatAfter: v.value })}
              data-testid="policy-repeat-after"
            />
          </Field>
          <div className={styles.row}>
            <Button
              appearance="primary"
              disabled={busy}
              onClick={addPolicy}
              data-testid="policy-save"
            >
              {m.save}
            </Button>
            {cancel}
          </div>
        </div>
      ) : (
        <div>
          <Button icon={<AddRegular />} onClick={() => setForm("policy")} data-testid="policy-add">
            {m.addPolicy}
          </Button>
        </div>
      )}
    </>
  );
}
