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
import { useMessages } from "../../i18n";
import { severityOptions } from "../findings/labels";
import { messages as findingMessages } from "../findings/messages";
import { messages } from "./messages";
import { ErrorBar, useFocusReturn } from "./parts";
import {
  formFromRule,
  RULE_KINDS,
  ruleFromForm,
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
  const m = useMessages(messages);
  const fm = useMessages(findingMessages);
  useFocusReturn();
  const backend = useBackend();
  const { setting } = props;
  const [form, setForm] = useState<RuleForm>(() => formFromRule(setting?.rule ?? null));
  const [path, setPath] = useState("");
  const [problems, setProblems] = useState<RuleFormProblems & { path?: string }>({});
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const hint = m.ruleKinds[form.kind].hint;
  const update = (changes: Partial<RuleForm>) => setForm((previous) => ({ ...previous, ...changes }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = setting?.path ?? path.trim();
    const checked = ruleFromForm(form, m);
    const found = "problems" in checked ? { ...checked.problems } : {};
    const pathProblem =
      target === "" ? m.enterSettingPath : undefined;
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
        <form onSubmit={submit} noValidate aria-label={m.rule}>
          <DialogBody>
            <DialogTitle>{setting ? m.ruleFor(setting.label) : m.ruleForAnother}</DialogTitle>
            <DialogContent className={styles.form}>
              <Text>
                {m.inItem} <strong>{props.itemName}</strong>
                {setting ? (
                  <>
                    {m.baselineValueLead}{" "}
                    <span className={styles.value}>{setting.value ?? m.notConfigured}</span>
                  </>
                ) : null}
              </Text>
              {setting ? null : (
                <Field
                  label={m.settingPath}
                  required
                  hint={m.settingPathHint}
                  validationMessage={problems.path}
                >
                  <Input value={path} onChange={(_, data) => setPath(data.value)} data-testid="rule-path" />
                </Field>
              )}
              <Field label={m.rule} hint={hint}>
                <Select
                  value={form.kind}
                  onChange={(_, data) => update({ kind: data.value as RuleKind })}
                  data-testid="rule-kind"
                >
                  {RULE_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {m.ruleKinds[kind].label}
                    </option>
                  ))}
                </Select>
              </Field>
              {form.kind === "one_of" ? (
                <Field
                  label={m.compliantValues}
                  required
                  hint={m.compliantValuesHint}
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
                  label={form.kind === "at_least" ? m.smallestValue : m.largestValue}
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
                  label={m.variable}
                  required
                  hint={m.variableHint}
                  validationMessage={problems.variable}
                >
                  <Input
                    value={form.variable}
                    onChange={(_, data) => update({ variable: data.value })}
                    data-testid="rule-variable"
                  />
                </Field>
              ) : null}
              <Field label={m.severity} hint={m.severityHint}>
                <Select
                  value={form.severity}
                  onChange={(_, data) => update({ severity: data.value as Severity | "" })}
                  data-testid="rule-severity"
                >
                  <option value="">{m.itemsSeverity}</option>
                  {severityOptions(fm).map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {error ? <ErrorBar title={m.couldNotSaveRule} error={error} testId="rule-error" /> : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                {m.cancel}
              </Button>
              <Button appearance="primary" type="submit" disabled={busy} data-testid="rule-save">
                {m.saveRule}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
