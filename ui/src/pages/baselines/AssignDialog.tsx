// Assigning a baseline to tenants: which tenants, the per-tenant variables its
// `tenant_value` rules read, and optionally a version to pin them to. Editing an
// assignment is the same form for its one tenant.

import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  SearchBox,
  Select,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import {
  BackendError,
  useBackend,
  type AssignmentRow,
  type BaselineDetail,
  type VariableEntry,
} from "../../backend";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { messages, type BaselineMessages } from "./messages";
import { ErrorBar, useFocusReturn } from "./parts";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  tenants: {
    display: "flex",
    flexDirection: "column",
    maxHeight: "220px",
    overflowY: "auto",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalXS,
  },
  row: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
  },
  variable: {
    display: "grid",
    gridTemplateColumns: "1fr 1fr auto",
    gap: tokens.spacingHorizontalS,
    alignItems: "start",
  },
  fieldset: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    border: "none",
    margin: 0,
    padding: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  problem: {
    color: tokens.colorPaletteRedForeground1,
  },
});

/** The variables to start from: the assignment's, plus required ones it lacks. */
function initialVariables(detail: BaselineDetail, editing: AssignmentRow | null): VariableEntry[] {
  const given = editing?.variables ?? [];
  const missing = detail.requiredVariables
    .filter((key) => !given.some((v) => v.key === key))
    .map((key) => ({ key, value: "" }));
  return [...given, ...missing];
}

/** What is wrong with the variables, said per row; `null` when nothing. */
function variableProblem(
  variables: VariableEntry[],
  index: number,
  m: BaselineMessages,
): string | null {
  const entry = variables[index];
  if (entry === undefined) return null;
  const key = entry.key.trim();
  if (key === "") return m.nameTheVariable;
  if (/\s/.test(key)) return m.noSpacesInVariable;
  if (variables.findIndex((v) => v.key.trim() === key) !== index) {
    return m.listedTwice(key);
  }
  if (entry.value.trim() === "") return m.enterTenantValue(key);
  return null;
}

export function AssignDialog(props: {
  detail: BaselineDetail;
  /** The assignment to edit; `null` assigns new tenants. */
  editing: AssignmentRow | null;
  onClose: () => void;
  onDone: (detail: BaselineDetail) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const { detail, editing } = props;
  const loadTenants = useCallback(() => backend.listTenants(), [backend]);
  const tenants = useLoad(loadTenants);
  const [chosen, setChosen] = useState<string[]>(editing ? [editing.tenantId] : []);
  const [query, setQuery] = useState("");
  const [variables, setVariables] = useState<VariableEntry[]>(() => initialVariables(detail, editing));
  const [pinned, setPinned] = useState<string>(
    editing?.pinnedVersion === null || editing === null ? "" : String(editing.pinnedVersion),
  );
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const assigned = useMemo(
    () => new Set(detail.assignments.map((a) => a.tenantId)),
    [detail.assignments],
  );
  const visible = useMemo(() => {
    if (tenants.state.status !== "ready") return [];
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return [...tenants.state.data]
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((t) => words.every((w) => t.name.toLowerCase().includes(w)));
  }, [tenants.state, query]);
  const pinnable = detail.versions.filter((v) => v.status !== "draft");
  const tenantProblem = tried && chosen.length === 0 ? m.chooseATenant : undefined;

  const setVariable = (index: number, changes: Partial<VariableEntry>) =>
    setVariables((previous) => previous.map((v, i) => (i === index ? { ...v, ...changes } : v)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (chosen.length === 0 || variables.some((_, i) => variableProblem(variables, i, m) !== null)) return;
    setBusy(true);
    setError(null);
    backend
      .assignBaseline({
        baselineId: detail.baseline.id,
        tenantIds: chosen,
        variables: variables.map((v) => ({ key: v.key.trim(), value: v.value.trim() })),
        pinnedVersion: pinned === "" ? null : Number(pinned),
      })
      .then(props.onDone, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="assign-dialog">
        <form onSubmit={submit} noValidate aria-label={m.assignFormLabel}>
          <DialogBody>
            <DialogTitle>
              {editing
                ? m.editAssignmentTitle(detail.baseline.name, editing.tenant)
                : m.assignTitle(detail.baseline.name)}
            </DialogTitle>
            <DialogContent className={styles.form}>
              {editing ? null : tenants.state.status === "loading" ? (
                <Spinner size="tiny" label={m.loadingTenants} />
              ) : tenants.state.status === "error" ? (
                <ErrorBar
                  title={m.couldNotLoadTenants}
                  error={tenants.state.error}
                  testId="assign-tenants-error"
                  onRetry={tenants.reload}
                />
              ) : (
                <fieldset className={styles.fieldset}>
                  <legend>
                    <Text weight="semibold">{m.tenants}</Text>
                  </legend>
                  <Text className={styles.muted} aria-live="polite">
                    {m.chosen(chosen.length)}
                  </Text>
                  <div className={styles.row}>
                    <SearchBox
                      aria-label={m.filterTenants}
                      placeholder={m.filterByName}
                      value={query}
                      onChange={(_, data) => setQuery(data.value)}
                    />
                    <Button
                      size="small"
                      onClick={() =>
                        setChosen((previous) => [...new Set([...previous, ...visible.map((t) => t.id)])])
                      }
                    >
                      {m.chooseAllShown}
                    </Button>
                    <Button size="small" onClick={() => setChosen([])}>
                      {m.clear}
                    </Button>
                  </div>
                  <div className={styles.tenants} role="group" aria-label={m.tenantsToAssign}>
                    {visible.length === 0 ? (
                      <Text className={styles.muted}>
                        {query ? m.noTenantMatches : m.noTenantsYet}
                      </Text>
                    ) : null}
                    {visible.map((t) => (
                      <Checkbox
                        key={t.id}
                        label={assigned.has(t.id) ? m.assignedTenant(t.name) : t.name}
                        checked={chosen.includes(t.id)}
                        onChange={(_, data) =>
                          setChosen((previous) =>
                            data.checked === true
                              ? [...previous, t.id]
                              : previous.filter((id) => id !== t.id),
                          )
                        }
                      />
                    ))}
                  </div>
                  {tenantProblem ? (
                    <Text size={200} className={styles.problem} role="alert">
                      {tenantProblem}
                    </Text>
                  ) : null}
                </fieldset>
              )}
              <fieldset className={styles.fieldset}>
                <legend>
                  <Text weight="semibold">{m.variables}</Text>
                </legend>
                <Text className={styles.muted}>
                  {detail.requiredVariables.length === 0
                    ? m.noRuleReadsVariables
                    : m.rulesRead(detail.requiredVariables)}
                </Text>
                {variables.map((entry, index) => {
                  const problem = tried ? variableProblem(variables, index, m) : null;
                  return (
                    <div key={index} data-testid="variable-row">
                      <div className={styles.variable}>
                        <Input
                          aria-label={m.variableName(index + 1)}
                          placeholder={m.variableNamePlaceholder}
                          value={entry.key}
                          onChange={(_, data) => setVariable(index, { key: data.value })}
                        />
                        <Input
                          aria-label={m.variableValue(index + 1, entry.key)}
                          placeholder={m.variableValuePlaceholder}
                          value={entry.value}
                          onChange={(_, data) => setVariable(index, { value: data.value })}
                        />
                        <Button
                          icon={<DeleteRegular />}
                          aria-label={m.removeVariable(entry.key || String(index + 1))}
                          onClick={() => setVariables((previous) => previous.filter((_, i) => i !== index))}
                        />
                      </div>
                      {problem ? (
                        <Text size={200} className={styles.problem} role="alert">
                          {problem}
                        </Text>
                      ) : null}
                    </div>
                  );
                })}
                <div>
                  <Button
                    icon={<AddRegular />}
                    onClick={() => setVariables((previous) => [...previous, { key: "", value: "" }])}
                  >
                    {m.addVariable}
                  </Button>
                </div>
              </fieldset>
              <Field
                label={m.version}
                hint={m.pinHint}
              >
                <Select value={pinned} onChange={(_, data) => setPinned(data.value)} data-testid="assign-version">
                  <option value="">{m.latestPublishedOption}</option>
                  {pinnable.map((v) => (
                    <option key={v.id} value={v.version}>
                      {m.versionWithStatus(v.version, v.status)}
                    </option>
                  ))}
                </Select>
              </Field>
              {error ? <ErrorBar title={m.couldNotAssign} error={error} testId="assign-error" /> : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                {m.cancel}
              </Button>
              <Button appearance="primary" type="submit" disabled={busy} data-testid="assign-submit">
                {editing ? m.save : m.assign}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
