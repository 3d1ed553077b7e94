// Background jobs in the fake backend: a job stays running for a few polls (so the UI
// must show its progress), then ends with the outcome it was started with. Jobs with the
// same key cannot run at once, as in the real app.

import { BackendError, type Job, type JobKind, type JobResult } from "./types";

export interface FakeJobSpec {
  kind: JobKind;
  title: string;
  tenantId: string | null;
  /** Jobs with the same key may not run at the same time. */
  key: string;
  busy: string;
  /** How the job ends: its result and summary, or an error. Called when it ends. */
  finish: () => { result: JobResult; summary: string } | BackendError;
}

interface Entry {
  job: Job;
  spec: FakeJobSpec;
  pollsLeft: number;
}

export class FakeJobs {
  /** Polls (status or list calls) a job stays running for. */
  runningPolls = 2;
  /** Jobs in start order. */
  private entries: Entry[] = [];
  private counter = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  start(spec: FakeJobSpec): Job {
    if (this.entries.some((e) => e.job.state === "running" && e.spec.key === spec.key)) {
      throw new BackendError("conflict", spec.busy);
    }
    this.counter += 1;
    const job: Job = {
      id: `job-${this.counter}`,
      kind: spec.kind,
      title: spec.title,
      tenantId: spec.tenantId,
      state: "running",
      stage: "Starting",
      progress: null,
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
      message: null,
      errorCode: null,
      result: null,
    };
    this.entries.push({ job, spec, pollsLeft: this.runningPolls });
    return structuredClone(job);
  }

  status(id: string): Job {
    const entry = this.find(id);
    this.advance(entry);
    return structuredClone(entry.job);
  }

  list(): Job[] {
    for (const entry of this.entries) this.advance(entry);
    return this.entries.map((e) => structuredClone(e.job)).reverse();
  }

  cancel(id: string): Job {
    const entry = this.find(id);
    if (entry.job.state === "running") {
      entry.job = {
        ...entry.job,
        state: "cancelled",
        finishedAt: new Date(this.now()).toISOString(),
        message: "Cancelled. What was already saved stays; nothing was half-written.",
      };
    }
    return structuredClone(entry.job);
  }

  private find(id: string): Entry {
    const entry = this.entries.find((e) => e.job.id === id);
    if (!entry) throw new BackendError("not_found", `No job ${id}.`);
    return entry;
  }

  private advance(entry: Entry): void {
    if (entry.job.state !== "running") return;
    if (entry.pollsLeft > 0) {
      entry.pollsLeft -= 1;
      const total = this.runningPolls + 1;
      entry.job = {
        ...entry.job,
        stage: "Working",
        progress: (total - entry.pollsLeft - 1) / total,
      };
      return;
    }
    const outcome = entry.spec.finish();
    const finishedAt = new Date(this.now()).toISOString();
    entry.job =
      outcome instanceof BackendError
        ? {
            ...entry.job,
            state: "failed",
            finishedAt,
            message: outcome.message,
            errorCode: outcome.code,
          }
        : {
            ...entry.job,
            state: "succeeded",
            stage: "Done",
            progress: 1,
            finishedAt,
            message: outcome.summary,
            result: outcome.result,
          };
  }
}
