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
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard, useSettingsStyles, When } from "./common";

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
    <form className={common.form} onSubmit={submit} aria-label="Report branding">
      <div className={common.fields}>
        <Field label="MSP name" required hint="On every report's cover and page header.">
          <Input
            value={draft.mspName}
            onChange={(_, data) => change({ mspName: data.value })}
            data-testid="branding-name"
          />
        </Field>
        <Field
          label="Accent colour"
          hint="#RRGGBB, for example #1F4E79."
          validationState={colourOk ? "none" : "warning"}
          validationMessage={colourOk ? undefined : "Six hexadecimal digits after the #."}
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
              alt={`Saved logo, ${logo.width} × ${logo.height} pixels`}
              className={styles.logo}
              data-testid="logo-preview"
            />
            <Text size={200} className={common.muted}>
              {logo.width} × {logo.height} px, {formatBytes(logo.size)}, read from{" "}
              <span className={common.mono}>{logo.source}</span>. Kept in the database: reports
              keep it if that file moves.
            </Text>
            <Button icon={<DeleteRegular />} onClick={() => change({ removeLogo: true })}>
              Remove logo
            </Button>
          </>
        ) : (
          <Text size={200} className={common.muted} data-testid="no-logo">
            {draft.removeLogo
              ? "The logo is removed when you save."
              : "No logo: reports show the MSP name only."}
          </Text>
        )}
        {draft.removeLogo ? (
          <Button appearance="subtle" onClick={() => change({ removeLogo: false })}>
            Keep the logo
          </Button>
        ) : null}
      </div>
      <Field
        label={props.saved.logo ? "Replace the logo with (optional)" : "Logo (optional)"}
        hint="The full path of a PNG file. It is checked and copied into the database when you save."
      >
        <Input
          value={draft.logoPath}
          placeholder="/home/you/Pictures/logo.png"
          onChange={(_, data) => change({ logoPath: data.value })}
          data-testid="branding-logo-path"
        />
      </Field>
      <div>
        <Body1 as="p" className={common.muted}>
          Preview of a cover:
        </Body1>
        <div className={styles.preview} data-testid="branding-preview" aria-hidden>
          <div
            className={styles.band}
            style={{ backgroundColor: colourOk ? draft.accentColour.trim() : props.saved.accentColour }}
          />
          <div className={styles.cover}>
            {logo ? <img src={logo.dataUrl} alt="" className={styles.logo} /> : null}
            <strong>{draft.mspName.trim() || "Your MSP name"}</strong>
          </div>
        </div>
      </div>
      {error ? <ErrorBar title="Couldn't save the branding" error={error} testId="branding-error" /> : null}
      {done ? (
        <DoneBar testId="branding-saved">
          Branding saved. New reports use it, from this app and from <code>plumbline report</code>.
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
          Save branding
        </Button>
        {saving ? <Spinner size="tiny" label="Saving…" /> : null}
        {props.saved.savedAt ? (
          <Text size={200} className={common.muted}>
            Last saved <When at={props.saved.savedAt} />.
          </Text>
        ) : null}
      </div>
    </form>
  );
}

export function BrandingSection() {
  const backend = useBackend();
  const load = useCallback(() => backend.reportSettings(), [backend]);
  const { state, reload } = useLoad(load);
  const [saved, setSaved] = useState<ReportSettingsView | null>(null);
  const current = saved ?? (state.status === "ready" ? state.data : null);
  return (
    <SettingsCard
      id="branding"
      title="Report branding"
      description="Your name, colour and logo on executive and portfolio reports. The Reports page starts from these, and so does plumbline report without branding flags."
    >
      {state.status === "loading" ? <Spinner size="tiny" label="Loading…" /> : null}
      {state.status === "error" ? (
        <ErrorBar title="Couldn't load the branding" error={state.error} onRetry={reload} />
      ) : null}
      {current ? <BrandingForm saved={current} onSaved={setSaved} /> : null}
    </SettingsCard>
  );
}
