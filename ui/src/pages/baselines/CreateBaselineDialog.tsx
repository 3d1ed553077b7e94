// A new baseline (or a new draft version of an existing one) from a tenant's latest
// capture or from a folder: a baseline folder exported earlier (with baseline.json) or a
// folder of exported policies. The backend reads the folder and names the file it
// cannot read; the form only checks what it can see.

import {
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Label,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { BackendError, useBackend, type CreatedBaselineView } from "../../backend";
import { useMessages } from "../../i18n";
import { PathPicker } from "../../shell/PathPicker";
import { useLoad } from "../../useLoad";
import { messages } from "./messages";
import { ErrorBar, useFocusReturn } from "./parts";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  kinds: {
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalM,
  },
});

type Source = "tenant" | "folder";

export function CreateBaselineDialog(props: {
  onClose: () => void;
  onCreated: (created: CreatedBaselineView) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  useFocusReturn();
  const backend = useBackend();
  const loadTenants = useCallback(() => backend.listTenants(), [backend]);
  const tenants = useLoad(loadTenants);
  const captured = useMemo(
    () =>
      tenants.state.status === "ready"
        ? tenants.state.data
            .filter((t) => t.captureCount > 0)
            .sort((a, b) => a.name.localeCompare(b.name))
        : [],
    [tenants.state],
  );
  const [source, setSource] = useState<Source>("tenant");
  const [tenantId, setTenantId] = useState("");
  const [folder, setFolder] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [publish, setPublish] = useState(false);
  const [exclusive, setExclusive] = useState<string[]>([]);
  const loadKinds = useCallback(() => backend.listPolicyKinds(), [backend]);
  const kinds = useLoad(loadKinds);
  const [problems, setProblems] = useState<Partial<Record<"tenant" | "folder" | "name", string>>>({});
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosenTenant = tenantId || captured[0]?.id || "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof problems = {};
    const path = folder.trim();
    if (source === "tenant" && chosenTenant === "") {
      found.tenant = m.noCapturedTenant;
    }
    if (source === "folder" && path === "") found.folder = m.enterFolder;
    if (source === "tenant" && name.trim() === "") {
      found.name = m.enterName;
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    backend
      .createBaseline({
        name: name.trim(),
        description: description.trim(),
        tenantId: source === "tenant" ? chosenTenant : null,
        folder: source === "folder" ? path : null,
        publish,
        exclusiveKinds: exclusive,
      })
      .then(props.onCreated, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="create-dialog">
        <form onSubmit={submit} noValidate aria-label={m.newBaseline}>
          <DialogBody>
            <DialogTitle>{m.newBaseline}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field label={m.createFrom}>
                <RadioGroup
                  layout="horizontal"
                  value={source}
                  onChange={(_, data) => setSource(data.value as Source)}
                >
                  <Radio value="tenant" label={m.fromTenant} />
                  <Radio value="folder" label={m.fromFolder} />
                </RadioGroup>
              </Field>
              {source === "tenant" ? (
                tenants.state.status === "loading" ? (
                  <Spinner size="tiny" label={m.loadingTenants} />
                ) : tenants.state.status === "error" ? (
                  <ErrorBar
                    title={m.couldNotLoadTenants}
                    error={tenants.state.error}
                    testId="create-tenants-error"
                    onRetry={tenants.reload}
                  />
                ) : (
                  <Field
                    label={m.tenant}
                    required
                    hint={m.tenantHint}
                    validationMessage={problems.tenant}
                  >
                    <Select
                      value={chosenTenant}
                      onChange={(_, data) => setTenantId(data.value)}
                      data-testid="create-tenant"
                    >
                      {captured.map((t) => (
                        <option key={t.id} value={t.id}>
                          {m.tenantOption(t.name, t.itemCount)}
                        </option>
                      ))}
                    </Select>
                  </Field>
                )
              ) : (
                <Field
                  label={m.folder}
                  required
                  hint={m.createFolderHint}
                  validationMessage={problems.folder}
                >
                  <PathPicker
                    kind="folder"
                    title={m.fromFolder}
                    value={folder}
                    onChange={setFolder}
                    testId="create-folder"
                    ariaLabel={m.folder}
                  />
                </Field>
              )}
              <Field
                label={m.name}
                required={source === "tenant"}
                hint={source === "tenant" ? m.nameHintTenant : m.nameHintFolder}
                validationMessage={problems.name}
              >
                <Input
                  value={name}
                  onChange={(_, data) => setName(data.value)}
                  data-testid="create-name"
                />
              </Field>
              <Field label={m.description}>
                <Input value={description} onChange={(_, data) => setDescription(data.value)} />
              </Field>
              {kinds.state.status === "ready" ? (
                <div role="group" aria-labelledby="create-exclusive-label">
                  <Label id="create-exclusive-label">{m.exclusiveKinds}</Label>
                  <div className={styles.kinds} data-testid="create-exclusive">
                    {kinds.state.data.map((kind) => (
                      <Checkbox
                        key={kind.key}
                        label={kind.label}
                        checked={exclusive.includes(kind.key)}
                        onChange={(_, data) =>
                          setExclusive((chosen) =>
                            data.checked === true
                              ? [...chosen, kind.key]
                              : chosen.filter((k) => k !== kind.key),
                          )
                        }
                      />
                    ))}
                  </div>
                  <Caption1>{m.exclusiveKindsHint}</Caption1>
                </div>
              ) : null}
              <Checkbox
                checked={publish}
                onChange={(_, data) => setPublish(data.checked === true)}
                label={m.publishRightAway}
              />
              {error ? (
                <ErrorBar title={m.couldNotCreate} error={error} testId="create-error" />
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                {m.cancel}
              </Button>
              <Button
                appearance="primary"
                type="submit"
                disabled={busy}
                data-testid="create-submit"
              >
                {busy ? m.creating : m.create}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
