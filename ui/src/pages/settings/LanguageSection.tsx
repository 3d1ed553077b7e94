// The default report language: what new reports are written in unless the Reports page
// or `plumbline report --lang` says otherwise. Saved when chosen (in the workspace, for
// everyone's reports; the interface language is a choice of this computer).

import { Radio, RadioGroup, Spinner } from "@fluentui/react-components";
import { useCallback, useState } from "react";
import { BackendError, useBackend, type ReportLanguage } from "../../backend";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { DoneBar, ErrorBar, SettingsCard } from "./common";
import { messages } from "./languageMessages";

export function LanguageSection() {
  const m = useMessages(messages);
  const labels: Record<ReportLanguage, string> = m.languageNames;
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
      title={m.reportTitle}
      description={m.reportDescription}
    >
      {state.status === "loading" ? <Spinner size="tiny" label={m.loading} /> : null}
      {state.status === "error" ? (
        <ErrorBar title={m.couldNotLoadReport} error={state.error} onRetry={reload} />
      ) : null}
      {value ? (
        <RadioGroup
          aria-labelledby="language-heading"
          value={value}
          disabled={saving}
          onChange={(_, data) => choose(data.value as ReportLanguage)}
          data-testid="report-language"
        >
          {(Object.keys(labels) as ReportLanguage[]).map((language) => (
            <Radio key={language} value={language} label={labels[language]} />
          ))}
        </RadioGroup>
      ) : null}
      {error ? (
        <ErrorBar title={m.couldNotSaveReport} error={error} testId="language-error" />
      ) : null}
      {saved && value ? (
        <DoneBar testId="language-saved">{m.reportSaved(labels[value])}</DoneBar>
      ) : null}
    </SettingsCard>
  );
}
