// Texts of background jobs as the UI shows them: the names of the jobs a page starts (the
// job's own title, stage and message come from the backend and stay as they come) and
// the progress and outcome of one job.

import type { JobKind } from "../backend";
import { defineMessages } from "../i18n";

const en = {
  /** What a job is, for JobProgress's `what`: "Review", "Import", "Evidence pack". */
  kinds: {
    review: "Review",
    import: "Import",
    evidence_pack: "Evidence pack",
    capture: "Capture",
  } satisfies Record<JobKind, string>,
  cancel: "Cancel",
  progress: (what: string) => `${what} progress`,
  finished: (what: string) => `${what} finished`,
  failed: (what: string) => `${what} failed`,
  cancelled: (what: string) => `${what} cancelled`,
  couldNotStart: (what: string) => `${what} could not start`,
};

export const messages = defineMessages(en, {
  kinds: {
    review: "Prüfung",
    import: "Import",
    evidence_pack: "Nachweispaket",
    capture: "Erfassung",
  },
  cancel: "Abbrechen",
  progress: (what) => `${what}: Fortschritt`,
  finished: (what) => `${what} abgeschlossen`,
  failed: (what) => `${what} fehlgeschlagen`,
  cancelled: (what) => `${what} abgebrochen`,
  couldNotStart: (what) => `${what} konnte nicht gestartet werden`,
});
