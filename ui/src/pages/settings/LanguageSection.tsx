// The default report language: what new reports are written in unless the Reports page
// or `plumbline report --lang` says otherwise. Saved when chosen. The interface itself
// is English only in this version, and the help text says so.

import { Radio, RadioGroup, Spinner } from "@fluentui/react-components";
import { useCallback, useState } from "react";
import { BackendError, useBackend, type ReportLanguage } from "../../backend";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard } from "./common";

const LABELS: Record<ReportLanguage, string> = { en: "English", de: "Deutsch (German)" };

export function LanguageSection() {
  const backend = useBackend();
  const load = useCallback(() => backend.reportSettings(), [backend]);
  const { state, reload } = useLoad(load);
  const [chosen, setChosen] = useState<ReportLanguage | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const [saved, setSaved] = useState(false);
  const value = chosen ?? (state.status === "ready" ? state.data.language : null);

  const choose = (language: ReportLanguage) => {
    const previous = value;
    setChosen(language);
    setSaving(true);
    setError(null);
    setSaved(false);
    backend
      .setReportLanguage(language)
      .then(
        (view) => {
          setChosen(view.language);
          setSaved(true);
        },
        (e: unknown) => {
          // The choice did not stick: show what is saved.
          setChosen(previous);
          setError(BackendError.from(e));
        },
      )
      .finally(() => setSaving(false));
  };

  return (
    <SettingsCard
      id="language"
      title="Report language"
      description="The language new reports are written in, unless you pick another on the Reports page or with plumbline report --lang. Plumbline's own screens are in English only in this version."
    >
      {state.status === "loading" ? <Spinner size="tiny" label="Loading…" /> : null}
      {state.status === "error" ? (
        <ErrorBar title="Couldn't load the report language" error={state.error} onRetry={reload} />
      ) : null}
      {value ? (
        <RadioGroup
          aria-labelledby="language-heading"
          value={value}
          disabled={saving}
          onChange={(_, data) => choose(data.value as ReportLanguage)}
          data-testid="report-language"
        >
          {(Object.keys(LABELS) as ReportLanguage[]).map((language) => (
            <Radio key={language} value={language} label={LABELS[language]} />
          ))}
        </RadioGroup>
      ) : null}
      {error ? (
        <ErrorBar title="Couldn't save the report language" error={error} testId="language-error" />
      ) : null}
      {saved && value ? (
        <DoneBar testId="language-saved">New reports are written in {LABELS[value]}.</DoneBar>
      ) : null}
    </SettingsCard>
  );
}
