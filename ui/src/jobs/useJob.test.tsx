import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BackendError, type Job } from "../backend";
import { FakeBackend } from "../backend/fake";
import { TENANTS } from "../test/fixtures";
import { renderWithBackend } from "../test/render";
import { useJob, type JobHandle } from "./useJob";

function Probe(props: { onHandle: (handle: JobHandle) => void; onEnded?: (job: Job) => void }) {
  const handle = useJob(props.onEnded);
  props.onHandle(handle);
  return (
    <div>
      <span data-testid="state">{handle.job?.state ?? "none"}</span>
      <span data-testid="error">{handle.error?.code ?? ""}</span>
    </div>
  );
}

describe("useJob", () => {
  it("follows a job to its end and says so once", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    let handle: JobHandle | null = null;
    const ended: Job[] = [];
    renderWithBackend(<Probe onHandle={(h) => (handle = h)} onEnded={(j) => ended.push(j)} />, fake);
    await act(() => handle!.start(() => fake.startReview(null)));
    expect(screen.getByTestId("state")).toHaveTextContent("running");
    await waitFor(() => expect(screen.getByTestId("state")).toHaveTextContent("succeeded"));
    expect(ended.map((j) => j.state)).toEqual(["succeeded"]);
  });

  it("stops asking when the app no longer knows the job", async () => {
    const fake = new FakeBackend({ tenants: TENANTS });
    fake.jobs.runningPolls = 1_000;
    let handle: JobHandle | null = null;
    renderWithBackend(<Probe onHandle={(h) => (handle = h)} />, fake);
    await act(() => handle!.start(() => fake.startReview(null)));
    await waitFor(() => expect(fake.calls.jobStatus).toBeGreaterThan(0));
    // The app restarted: its registry is empty.
    fake.jobStatus = () => Promise.reject(new BackendError("not_found", "job not found: job-1"));
    await waitFor(() => expect(screen.getByTestId("error")).toHaveTextContent("not_found"));
    expect(screen.getByTestId("state")).toHaveTextContent("none");
    let asked = 0;
    fake.jobStatus = () => {
      asked += 1;
      return Promise.reject(new BackendError("not_found", "job not found: job-1"));
    };
    await new Promise((resolve) => window.setTimeout(resolve, 1_000));
    expect(asked).toBe(0);
  });
});
