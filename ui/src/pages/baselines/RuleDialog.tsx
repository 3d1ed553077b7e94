// The rule of one setting of a draft item: which rule, the values it needs, and its own
// severity. Problems are shown next to the field to fix; the backend's refusal (say, the
// version was published meanwhile) as a message bar.

import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  Select,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import {
  BackendError,
  useBackend,
  type ItemSettingsView,
  type RuleKind,
  type SettingView,
  type Severity,
} from "../../backend";
import { ErrorBar, useFocusReturn } from "./parts";
import {
  formFromRule,
  RULE_KINDS,
  ruleFromForm,
  SEVERITIES,
  type RuleForm,
  type RuleFormProblems,
} from "./rules";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  value: {
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: "break-all",
  },
});

export function RuleDialog(props: {
  itemId: string;
  itemName: string;
  /** The setting to edit; `null` for a path typed here (a setting the item lacks). */
  setting: SettingView | null;
  onClose: () => void;
  onSaved: (view: ItemSettingsView) => void;
}) {
  const styles = useStyles();
  useFocusReturn();
  const backend = useBackend();
  const { setting } = props;
  const [form, setForm] = useState<RuleForm>(() => formFromRule(setting?.rule ?? null));
  const [path, setPath] = useState("");
  const [problems, setProblems] = useState<RuleFormProblems & { path?: string }>({});
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const hint = RULE_KINDS.find((k) => k.value === form.kind)?.hint;
  const update = (changes: Partial<RuleForm>) => setForm((previous) => ({ ...previous, ...changes }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = setting?.path ?? path.trim();
    const checked = ruleFromForm(form);
    const found = "problems" in checked ? { ...checked.problems } : {};
    const pathProblem =
      target === "" ? "Enter the setting path, as findings and the settings list show it." : undefined;
    setProblems(pathProblem ? { ...found, path: pathProblem } : found);
    if (!("rule" in checked) || pathProblem) return;
    setBusy(true);
    setError(null);
    backend
      .setBaselineRule({ itemId: props.itemId, path: target, rule: checked.rule })
      .then(props.onSaved, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="rule-dialog">
        <form onSubmit={submit} noValidate aria-label="Rule">
          <DialogBody>
            <DialogTitle>{setting ? `Rule for ${setting.label}` : "Rule for another setting"}</DialogTitle>
            <DialogContent className={styles.form}>
              <Text>
                In <strong>{props.itemName}</strong>
                {setting ? (
                  <>
                    , baseline value{" "}
                    <span className={styles.value}>{setting.value ?? "not configured"}</span>
                  </>
                ) : null}
              </Text>
              {setting ? null : (
                <Field
                  label="Setting path"
                  required
                  hint="For example passwordMinimumLength, or a settings catalog definition id."
                  validationMessage={problems.path}
                >
                  <Input value={path} onChange={(_, data) => setPath(data.value)} data-testid="rule-path" />
                </Field>
              )}
              <Field label="Rule" hint={hint}>
                <Select
                  value={form.kind}
                  onChange={(_, data) => update({ kind: data.value as RuleKind })}
                  data-testid="rule-kind"
                >
                  {RULE_KINDS.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {form.kind === "one_of" ? (
                <Field
                  label="Compliant values"
                  required
                  hint='One per line, as JSON: 14, true, "text" (text that is not JSON is taken as text).'
                  validationMessage={problems.values}
                >
                  <Textarea
                    value={form.values}
                    onChange={(_, data) => update({ values: data.value })}
                    resize="vertical"
                    data-testid="rule-values"
                  />
                </Field>
              ) : null}
              {form.kind === "at_least" || form.kind === "at_most" ? (
                <Field
                  label={form.kind === "at_least" ? "Smallest compliant value" : "Largest compliant value"}
                  required
                  validationMessage={problems.number}
                >
                  <Input
                    inputMode="decimal"
                    value={form.number}
                    onChange={(_, data) => update({ number: data.value })}
                    data-testid="rule-number"
                  />
                </Field>
              ) : null}
              {form.kind === "tenant_value" ? (
                <Field
                  label="Variable"
                  required
                  hint="Each assignment gives its tenant's value for this variable."
                  validationMessage={problems.variable}
                >
                  <Input
                    value={form.variable}
                    onChange={(_, data) => update({ variable: data.value })}
                    data-testid="rule-variable"
                  />
                </Field>
              ) : null}
              <Field label="Severity" hint="Of a drift of this setting.">
                <Select
                  value={form.severity}
                  onChange={(_, data) => update({ severity: data.value as Severity | "" })}
                  data-testid="rule-severity"
                >
                  <option value="">The item&apos;s (or the built-in high-risk one)</option>
                  {SEVERITIES.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {error ? <ErrorBar title="Couldn't save the rule" error={error} testId="rule-error" /> : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy} data-testid="rule-save">
                Save rule
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
