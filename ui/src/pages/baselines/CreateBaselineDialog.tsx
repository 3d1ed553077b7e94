// A new baseline (or a new draft version of an existing one) from a tenant's latest
// capture or from a folder: a baseline folder exported earlier (with baseline.json) or a
// folder of exported policies. The backend reads the folder and names the file it
// cannot read; the form only checks what it can see.

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
  Radio,
  RadioGroup,
  Select,
  Spinner,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { BackendError, useBackend, type CreatedBaselineView } from "../../backend";
import { useLoad } from "../../useLoad";
import { ErrorBar, useFocusReturn } from "./parts";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
});

type Source = "tenant" | "folder";

export function CreateBaselineDialog(props: {
  onClose: () => void;
  onCreated: (created: CreatedBaselineView) => void;
}) {
  const styles = useStyles();
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
  const [problems, setProblems] = useState<Partial<Record<"tenant" | "folder" | "name", string>>>({});
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosenTenant = tenantId || captured[0]?.id || "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof problems = {};
    const path = folder.trim();
    if (source === "tenant" && chosenTenant === "") {
      found.tenant = "No tenant has a capture yet: import one with plumbline import first.";
    }
    if (source === "folder") {
      if (path === "") found.folder = "Enter the full path of the folder.";
      else if (!path.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(path)) {
        found.folder = `${path} is not a full path: start from the root, for example /home/you/baselines/msp-standard.`;
      }
    }
    if (source === "tenant" && name.trim() === "") {
      found.name = "Enter a name for the baseline, for example MSP Standard.";
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
      })
      .then(props.onCreated, (e: unknown) => setError(BackendError.from(e)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="create-dialog">
        <form onSubmit={submit} noValidate aria-label="New baseline">
          <DialogBody>
            <DialogTitle>New baseline</DialogTitle>
            <DialogContent className={styles.form}>
              <Field label="Create it from">
                <RadioGroup
                  layout="horizontal"
                  value={source}
                  onChange={(_, data) => setSource(data.value as Source)}
                >
                  <Radio value="tenant" label="A tenant's latest capture" />
                  <Radio value="folder" label="A folder" />
                </RadioGroup>
              </Field>
              {source === "tenant" ? (
                tenants.state.status === "loading" ? (
                  <Spinner size="tiny" label="Loading tenants…" />
                ) : tenants.state.status === "error" ? (
                  <ErrorBar
                    title="Couldn't load the tenants"
                    error={tenants.state.error}
                    testId="create-tenants-error"
                    onRetry={tenants.reload}
                  />
                ) : (
                  <Field
                    label="Tenant"
                    required
                    hint="Its latest capture becomes the baseline's items."
                    validationMessage={problems.tenant}
                  >
                    <Select
                      value={chosenTenant}
                      onChange={(_, data) => setTenantId(data.value)}
                      data-testid="create-tenant"
                    >
                      {captured.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name} ({t.itemCount} items)
                        </option>
                      ))}
                    </Select>
                  </Field>
                )
              ) : (
                <Field
                  label="Folder"
                  required
                  hint="The full path of a baseline exported earlier (with baseline.json: its rules come along) or of a folder of exported policies."
                  validationMessage={problems.folder}
                >
                  <Input
                    value={folder}
                    onChange={(_, data) => setFolder(data.value)}
                    placeholder="/home/you/baselines/msp-standard"
                    data-testid="create-folder"
                  />
                </Field>
              )}
              <Field
                label="Name"
                required={source === "tenant"}
                hint={
                  source === "tenant"
                    ? "An existing baseline of this name gets a new draft version."
                    : "Leave empty to use the name in the folder's baseline.json."
                }
                validationMessage={problems.name}
              >
                <Input
                  value={name}
                  onChange={(_, data) => setName(data.value)}
                  data-testid="create-name"
                />
              </Field>
              <Field label="Description">
                <Input value={description} onChange={(_, data) => setDescription(data.value)} />
              </Field>
              <Checkbox
                checked={publish}
                onChange={(_, data) => setPublish(data.checked === true)}
                label="Publish right away (otherwise it stays a draft you can edit first)"
              />
              {error ? (
                <ErrorBar title="Couldn't create the baseline" error={error} testId="create-error" />
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button
                appearance="primary"
                type="submit"
                disabled={busy}
                data-testid="create-submit"
              >
                {busy ? "Creating…" : "Create"}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
