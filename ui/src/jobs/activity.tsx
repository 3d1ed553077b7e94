// What runs in the background and how many alerts are open, for the shell: the top bar's
// activity indicator and the Alerts badge in the navigation read one poller, so the app
// asks the backend once however many places show it.
//
// Jobs are polled every second while one runs and every 5 s otherwise; the open alerts
// are counted every 30 s and whenever a job ends (a review raises alerts, a job that no
// desktop notification could announce leaves a notice). Pages that start or end a job
// or change alerts say so (`refreshJobs`, `refreshAlerts`) instead of waiting.

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { BackendError, useBackend, type Job, type JobState } from "../backend";

export const JOBS_POLL_RUNNING_MS = 1000;
export const JOBS_POLL_IDLE_MS = 5000;
export const ALERTS_POLL_MS = 30_000;

export interface Activity {
  /** Running jobs and the last finished ones, newest first; null until first loaded. */
  jobs: Job[] | null;
  /** How many jobs run now. */
  running: number;
  /** Open alerts; null until counted, or when counting failed. */
  openAlerts: number | null;
  /** Goes up by one each time jobs are seen to end (pages reload on it). */
  jobsEnded: number;
  /** Asks for the jobs now (a job was started or has ended). */
  refreshJobs: () => void;
  /** Counts the open alerts now (alerts were acknowledged or snoozed). */
  refreshAlerts: () => void;
  /** Asks a running job to stop, then refreshes the jobs. */
  cancelJob: (id: string) => Promise<void>;
}

const ActivityContext = createContext<Activity | null>(null);

/** The shell's activity, or null outside the shell (a page rendered on its own). */
export function useActivity(): Activity | null {
  return useContext(ActivityContext);
}

function hidden(): boolean {
  // A window in the background need not keep asking; it asks again when shown.
  return typeof document !== "undefined" && document.visibilityState === "hidden";
}

/** Whether `next` shows a job ending that `previous` knew running, or one not seen yet. */
function someJobEnded(previous: Map<string, JobState>, next: Job[]): boolean {
  return next.some((job) => {
    if (job.state === "running") return false;
    const before = previous.get(job.id);
    // A job too short to be seen running still ended since the last look.
    return before === undefined || before === "running";
  });
}

export function ActivityProvider(props: {
  children: ReactNode;
  /** Poll intervals; tests shorten them. */
  jobsRunningMs?: number;
  jobsIdleMs?: number;
  alertsMs?: number;
}) {
  const {
    children,
    jobsRunningMs = JOBS_POLL_RUNNING_MS,
    jobsIdleMs = JOBS_POLL_IDLE_MS,
    alertsMs = ALERTS_POLL_MS,
  } = props;
  const backend = useBackend();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [openAlerts, setOpenAlerts] = useState<number | null>(null);
  const [jobsEnded, setJobsEnded] = useState(0);
  const [jobsAsked, setJobsAsked] = useState(0);
  const [alertsAsked, setAlertsAsked] = useState(0);
  const known = useRef<Map<string, JobState> | null>(null);

  useEffect(() => {
    let current = true;
    let timer: number | undefined;
    let anyRunning = false;
    const poll = async () => {
      if (!hidden()) {
        try {
          const next = await backend.listJobs();
          if (!current) return;
          const previous = known.current;
          known.current = new Map(next.map((job) => [job.id, job.state]));
          anyRunning = next.some((job) => job.state === "running");
          setJobs(next);
          if (previous !== null && someJobEnded(previous, next)) {
            setJobsEnded((count) => count + 1);
          }
        } catch {
          // Keep what was shown; the next poll tries again.
          if (!current) return;
        }
      }
      timer = window.setTimeout(() => void poll(), anyRunning ? jobsRunningMs : jobsIdleMs);
    };
    void poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [backend, jobsAsked, jobsRunningMs, jobsIdleMs]);

  useEffect(() => {
    let current = true;
    const count = () => {
      if (hidden()) return;
      backend.openAlertCount().then(
        (open) => {
          if (current) setOpenAlerts(open);
        },
        () => {
          // An unknown count shows no badge rather than a wrong one.
          if (current) setOpenAlerts(null);
        },
      );
    };
    count();
    const timer = window.setInterval(count, alertsMs);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [backend, alertsMs, alertsAsked, jobsEnded]);

  useEffect(() => {
    const shown = () => {
      if (hidden()) return;
      setJobsAsked((n) => n + 1);
      setAlertsAsked((n) => n + 1);
    };
    document.addEventListener("visibilitychange", shown);
    return () => document.removeEventListener("visibilitychange", shown);
  }, []);

  const refreshJobs = useCallback(() => setJobsAsked((n) => n + 1), []);
  const refreshAlerts = useCallback(() => setAlertsAsked((n) => n + 1), []);
  const cancelJob = useCallback(
    async (id: string) => {
      try {
        await backend.cancelJob(id);
      } catch (thrown) {
        throw BackendError.from(thrown);
      } finally {
        setJobsAsked((n) => n + 1);
      }
    },
    [backend],
  );

  const running = jobs?.filter((job) => job.state === "running").length ?? 0;
  const value = useMemo<Activity>(
    () => ({ jobs, running, openAlerts, jobsEnded, refreshJobs, refreshAlerts, cancelJob }),
    [jobs, running, openAlerts, jobsEnded, refreshJobs, refreshAlerts, cancelJob],
  );
  return <ActivityContext.Provider value={value}>{children}</ActivityContext.Provider>;
}
