// Report branding: the MSP's name, accent colour and logo, saved in the database and
// used by every report (the Reports page and `plumbline report`) unless changed there.
// The logo is read from a PNG file when saved and kept as bytes, so moving the file
// later does not break reports.

import {
  Body1,
  Button,
  Field,
  Input,
  makeStyles,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DeleteRegular, SaveRegular } from "@fluentui/react-icons";
import { useCallback, useState, type FormEvent } from "react";
import { BackendError, useBackend, type ReportSettingsView } from "../../backend";
import { formatBytes } from "../../format";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";
import { messages } from "./messages";
import { PathPicker } from "../../shell/PathPicker";

const COLOUR = /^#[0-9a-fA-F]{6}$/;

const useStyles = makeStyles({
  // The cover preview is paper: white with dark text in both themes, as printed.
  preview: {
    display: "flex",
    alignItems: "stretch",
    gap: 0,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    overflow: "hidden",
    maxWidth: "420px",
    backgroundColor: "#ffffff",
  },
  band: {
    width: "12px",
    flexShrink: 0,
  },
  cover: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalM,
    color: "#1b1b1b",
    minHeight: "64px",
  },
  logo: {
    maxWidth: "90px",
    maxHeight: "60px",
    objectFit: "contain",
  },
  swatch: {
    display: "inline-block",
    width: "16px",
    height: "16px",
    borderRadius: tokens.borderRadiusSmall,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  logoRow: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
});

interface Draft {
  mspName: string;
  accentColour: string;
  logoPath: string;
  removeLogo: boolean;
}

function draftOf(view: ReportSettingsView): Draft {
  return {
    mspName: view.mspName,
    accentColour: view.accentColour,
    logoPath: "",
    removeLogo: false,
  };
}

function BrandingForm(props: { saved: ReportSettingsView; onSaved: (view: ReportSettingsView) => void }) {
  const styles = useStyles();
  const common = useSettingsStyles();
  const all = useMessages(messages);
  const m = all.branding;
  const backend = useBackend();
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.saved));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const [done, setDone] = useState(false);
  const logo = draft.removeLogo ? null : props.saved.logo;
  const colourOk = COLOUR.test(draft.accentColour.trim());
  const change = (fields: Partial<Draft>) => {
    setDraft({ ...draft, ...fields });
    setDone(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setDone(false);
    backend
      .saveBranding({
        mspName: draft.mspName,
        accentColour: draft.accentColour,
        logoPath: draft.logoPath.trim() || null,
        removeLogo: draft.removeLogo,
      })
      .then(
        (view) => {
          props.onSaved(view);
          setDraft(draftOf(view));
          setDone(true);
        },
        (e: unknown) => setError(BackendError.from(e)),
      )
      .finally(() => setSaving(false));
  };

  return (
    <form className={common.form} onSubmit={submit} aria-label={m.title}>
      <div className={common.fields}>
        <Field label={m.mspName} required hint={m.mspNameHint}>
          <Input
            value={draft.mspName}
            onChange={(_, data) => change({ mspName: data.value })}
            data-testid="branding-name"
          />
        </Field>
        <Field
          label={m.accentColour}
          hint={m.accentColourHint}
          validationState={colourOk ? "none" : "warning"}
          validationMessage={colourOk ? undefined : m.accentColourInvalid}
        >
          <Input
            value={draft.accentColour}
            onChange={(_, data) => change({ accentColour: data.value })}
            contentAfter={
              colourOk ? (
                <span
                  aria-hidden
                  className={styles.swatch}
                  style={{ backgroundColor: draft.accentColour.trim() }}
                />
              ) : undefined
            }
            data-testid="branding-colour"
          />
        </Field>
      </div>
      <div className={styles.logoRow}>
        {logo ? (
          <>
            <img
              src={logo.dataUrl}
              alt={m.logoAlt(logo.width, logo.height)}
              className={styles.logo}
              data-testid="logo-preview"
            />
            <Text size={200} className={common.muted}>
              {m.logoDetails(
                logo.width,
                logo.height,
                formatBytes(logo.size),
                <span className={common.mono}>{logo.source}</span>,
              )}
            </Text>
            <Button icon={<DeleteRegular />} onClick={() => change({ removeLogo: true })}>
              {m.removeLogo}
            </Button>
          </>
        ) : (
          <Text size={200} className={common.muted} data-testid="no-logo">
            {draft.removeLogo ? m.logoRemovedOnSave : m.noLogo}
          </Text>
        )}
        {draft.removeLogo ? (
          <Button appearance="subtle" onClick={() => change({ removeLogo: false })}>
            {m.keepLogo}
          </Button>
        ) : null}
      </div>
      <Field
        label={props.saved.logo ? m.replaceLogo : m.logo}
        hint={m.logoHint}
      >
        <PathPicker
          kind="png_image"
          title={props.saved.logo ? m.replaceLogo : m.logo}
          value={draft.logoPath}
          onChange={(path) => change({ logoPath: path })}
          testId="branding-logo-path"
          ariaLabel={props.saved.logo ? m.replaceLogo : m.logo}
        />
      </Field>
      <div>
        <Body1 as="p" className={common.muted}>
          {m.preview}
        </Body1>
        <div className={styles.preview} data-testid="branding-preview" aria-hidden>
          <div
            className={styles.band}
            style={{ backgroundColor: colourOk ? draft.accentColour.trim() : props.saved.accentColour }}
          />
          <div className={styles.cover}>
            {logo ? <img src={logo.dataUrl} alt="" className={styles.logo} /> : null}
            <strong>{draft.mspName.trim() || m.previewName}</strong>
          </div>
        </div>
      </div>
      {error ? <ErrorBar title={m.couldNotSave} error={error} testId="branding-error" /> : null}
      {done ? (
        <DoneBar testId="branding-saved">
          {m.saved(<code>plumbline report</code>)}
        </DoneBar>
      ) : null}
      <div className={common.row}>
        <Button
          type="submit"
          appearance="primary"
          icon={<SaveRegular />}
          disabled={saving}
          data-testid="branding-save"
        >
          {m.save}
        </Button>
        {saving ? <Spinner size="tiny" label={all.saving} /> : null}
        {props.saved.savedAt ? (
          <Text size={200} className={common.muted}>
            {m.lastSaved(<When at={props.saved.savedAt} />)}
          </Text>
        ) : null}
      </div>
    </form>
  );
}

export function BrandingSection() {
  const all = useMessages(messages);
  const m = all.branding;
  const backend = useBackend();
  const load = useCallback(() => backend.reportSettings(), [backend]);
  const { state, reload } = useLoad(load);
  const [saved, setSaved] = useState<ReportSettingsView | null>(null);
  const current = saved ?? (state.status === "ready" ? state.data : null);
  return (
    <SettingsCard
      id="branding"
      title={m.title}
      description={m.description}
    >
      {state.status === "loading" ? <Spinner size="tiny" label={all.loading} /> : null}
      {state.status === "error" ? (
        <ErrorBar title={m.couldNotLoad} error={state.error} onRetry={reload} />
      ) : null}
      {current ? <BrandingForm saved={current} onSaved={setSaved} /> : null}
    </SettingsCard>
  );
}
