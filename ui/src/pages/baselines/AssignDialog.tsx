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
import { useLoad } from "../../useLoad";
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
function variableProblem(variables: VariableEntry[], index: number): string | null {
  const entry = variables[index];
  if (entry === undefined) return null;
  const key = entry.key.trim();
  if (key === "") return "Name the variable, or remove the row.";
  if (/\s/.test(key)) return "Variable names have no spaces: use letters, digits, - or _.";
  if (variables.findIndex((v) => v.key.trim() === key) !== index) {
    return `${key} is listed twice: keep one.`;
  }
  if (entry.value.trim() === "") return `Enter the tenant's value for ${key}, or remove the row.`;
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
  const tenantProblem = tried && chosen.length === 0 ? "Choose at least one tenant." : undefined;

  const setVariable = (index: number, changes: Partial<VariableEntry>) =>
    setVariables((previous) => previous.map((v, i) => (i === index ? { ...v, ...changes } : v)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (chosen.length === 0 || variables.some((_, i) => variableProblem(variables, i) !== null)) return;
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
        <form onSubmit={submit} noValidate aria-label="Assign the baseline">
          <DialogBody>
            <DialogTitle>
              {editing ? `${detail.baseline.name} for ${editing.tenant}` : `Assign ${detail.baseline.name}`}
            </DialogTitle>
            <DialogContent className={styles.form}>
              {editing ? null : tenants.state.status === "loading" ? (
                <Spinner size="tiny" label="Loading tenants…" />
              ) : tenants.state.status === "error" ? (
                <ErrorBar
                  title="Couldn't load the tenants"
                  error={tenants.state.error}
                  testId="assign-tenants-error"
                  onRetry={tenants.reload}
                />
              ) : (
                <fieldset className={styles.fieldset}>
                  <legend>
                    <Text weight="semibold">Tenants</Text>
                  </legend>
                  <Text className={styles.muted} aria-live="polite">
                    {chosen.length} chosen. An assigned tenant gets these variables and version
                    instead of its own.
                  </Text>
                  <div className={styles.row}>
                    <SearchBox
                      aria-label="Filter tenants"
                      placeholder="Filter by name"
                      value={query}
                      onChange={(_, data) => setQuery(data.value)}
                    />
                    <Button
                      size="small"
                      onClick={() =>
                        setChosen((previous) => [...new Set([...previous, ...visible.map((t) => t.id)])])
                      }
                    >
                      Choose all shown
                    </Button>
                    <Button size="small" onClick={() => setChosen([])}>
                      Clear
                    </Button>
                  </div>
                  <div className={styles.tenants} role="group" aria-label="Tenants to assign">
                    {visible.length === 0 ? (
                      <Text className={styles.muted}>
                        {query ? "No tenant name matches." : "No tenants yet: import one first."}
                      </Text>
                    ) : null}
                    {visible.map((t) => (
                      <Checkbox
                        key={t.id}
                        label={assigned.has(t.id) ? `${t.name} (assigned)` : t.name}
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
                  <Text weight="semibold">Variables</Text>
                </legend>
                <Text className={styles.muted}>
                  {detail.requiredVariables.length === 0
                    ? "No rule reads a per-tenant variable yet; add one for a tenant_value rule you plan."
                    : `Rules read: ${detail.requiredVariables.join(", ")}. A value is JSON when it parses as JSON (14, true), else text.`}
                </Text>
                {variables.map((entry, index) => {
                  const problem = tried ? variableProblem(variables, index) : null;
                  return (
                    <div key={index} data-testid="variable-row">
                      <div className={styles.variable}>
                        <Input
                          aria-label={`Variable ${index + 1} name`}
                          placeholder="Name, e.g. timezone"
                          value={entry.key}
                          onChange={(_, data) => setVariable(index, { key: data.value })}
                        />
                        <Input
                          aria-label={`Variable ${index + 1} value${entry.key ? ` (${entry.key})` : ""}`}
                          placeholder="This tenant's value"
                          value={entry.value}
                          onChange={(_, data) => setVariable(index, { value: data.value })}
                        />
                        <Button
                          icon={<DeleteRegular />}
                          aria-label={`Remove variable ${entry.key || index + 1}`}
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
                    Add variable
                  </Button>
                </div>
              </fieldset>
              <Field
                label="Version"
                hint="Pin a version to keep reviewing against it when a newer one is published."
              >
                <Select value={pinned} onChange={(_, data) => setPinned(data.value)} data-testid="assign-version">
                  <option value="">The latest published (follows new versions)</option>
                  {pinnable.map((v) => (
                    <option key={v.id} value={v.version}>
                      v{v.version} ({v.status})
                    </option>
                  ))}
                </Select>
              </Field>
              {error ? <ErrorBar title="Couldn't assign" error={error} testId="assign-error" /> : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy} data-testid="assign-submit">
                {editing ? "Save" : "Assign"}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
