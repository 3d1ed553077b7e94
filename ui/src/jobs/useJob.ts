// Follows one background job: start it, poll its status until it ends, cancel it. The
// page stays usable meanwhile; `onEnded` runs once when the job ends (to reload data).

import { useCallback, useEffect, useRef, useState } from "react";
import { BackendError, useBackend, type Job } from "../backend";
import { useActivity } from "./activity";

/** How often a running job's status is asked for. */
export const JOB_POLL_MS = 300;

export interface JobHandle {
  job: Job | null;
  /** Starting or polling failed (the job's own failure is in `job`). */
  error: BackendError | null;
  running: boolean;
  /** Starts a job with `begin` (a backend call that answers with the job). */
  start: (begin: () => Promise<Job>) => Promise<void>;
  cancel: () => Promise<void>;
  /** Forgets the last job (hides its outcome). */
  reset: () => void;
}

export function useJob(onEnded?: (job: Job) => void): JobHandle {
  const backend = useBackend();
  // The shell's activity indicator hears of the job at once rather than at its next poll.
  const refreshJobs = useActivity()?.refreshJobs;
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const ended = useRef(onEnded);
  useEffect(() => {
    ended.current = onEnded;
  }, [onEnded]);
  const running = job?.state === "running";
  const id = job?.id ?? null;

  useEffect(() => {
    if (!running || id === null) return;
    let current = true;
    let busy = false;
    const timer = window.setInterval(() => {
      if (busy) return;
      busy = true;
      backend.jobStatus(id).then(
        (next) => {
          busy = false;
          if (!current) return;
          setError(null);
          setJob(next);
          if (next.state !== "running") {
            ended.current?.(next);
            refreshJobs?.();
          }
        },
        (thrown: unknown) => {
          busy = false;
          if (!current) return;
          const failure = BackendError.from(thrown);
          setError(failure);
          // The app no longer knows the job (it restarted): stop asking. Other failures
          // may pass; the next poll tries again.
          if (failure.code === "not_found") {
            window.clearInterval(timer);
            setJob(null);
          }
        },
      );
    }, JOB_POLL_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [backend, running, id, refreshJobs]);

  const start = useCallback(async (begin: () => Promise<Job>) => {
    setError(null);
    try {
      setJob(await begin());
      refreshJobs?.();
    } catch (thrown) {
      setJob(null);
      setError(BackendError.from(thrown));
    }
  }, [refreshJobs]);

  const cancel = useCallback(async () => {
    if (id === null) return;
    try {
      setJob(await backend.cancelJob(id));
      refreshJobs?.();
    } catch (thrown) {
      setError(BackendError.from(thrown));
    }
  }, [backend, id, refreshJobs]);

  const reset = useCallback(() => {
    setJob(null);
    setError(null);
  }, []);

  return { job, error, running, start, cancel, reset };
}
