// Loads data from the backend once per mount and again on `reload()`, tracking the
// loading, error and ready states. Answers that arrive after unmount or after a newer
// request are dropped.

import { useCallback, useEffect, useState } from "react";
import { BackendError } from "./backend";

export type LoadState<T> =
  | { status: "loading" }
  | { status: "error"; error: BackendError }
  | { status: "ready"; data: T };

/**
 * `load` must be stable (wrap it in useCallback); a new `load` starts a new request. A
 * new `version` loads again in the background: what is shown stays until the answer
 * arrives (for data another part of the app changed).
 */
export function useLoad<T>(
  load: () => Promise<T>,
  version = 0,
): { state: LoadState<T>; reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (data) => {
        if (current) setState({ status: "ready", data });
      },
      (error: unknown) => {
        if (current) setState({ status: "error", error: BackendError.from(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [load, attempt, version]);

  const reload = useCallback(() => {
    setState({ status: "loading" });
    setAttempt((previous) => previous + 1);
  }, []);

  return { state, reload };
}
