// Loads the findings table in chunks as it scrolls: the backend filters the whole
// portfolio and answers one window at a time, so 100,000 findings never cross the IPC
// bridge at once. A new filter drops every chunk (and late answers of the old one).

import { useCallback, useEffect, useRef, useState } from "react";
import {
  BackendError,
  type Backend,
  type ConsoleFinding,
  type FindingPage,
  type FindingQuery,
} from "../../backend";

export const CHUNK = 200;

export type FindingFilter = Omit<FindingQuery, "offset" | "limit">;

export interface FindingRows {
  /** The first answer for the current filter: counts, baselines; null while loading. */
  page: FindingPage | null;
  error: BackendError | null;
  /** The row at `index`, or undefined while its chunk loads. */
  rowAt: (index: number) => ConsoleFinding | undefined;
  /** Loads the chunks covering rows `start` to `end` (exclusive) that are missing. */
  ensure: (start: number, end: number) => void;
  /** Loads again (after a decision changed rows), keeping the filter. */
  refresh: () => void;
}

export function useFindingRows(backend: Backend, filter: FindingFilter): FindingRows {
  const [page, setPage] = useState<FindingPage | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [, setTick] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const chunks = useRef(new Map<number, ConsoleFinding[]>());
  const pending = useRef(new Set<number>());
  const generation = useRef(0);
  const filterRef = useRef(filter);

  const load = useCallback(
    (chunk: number, first: boolean) => {
      const mine = generation.current;
      pending.current.add(chunk);
      backend
        .queryFindings({ ...filterRef.current, offset: chunk * CHUNK, limit: CHUNK })
        .then(
          (answer) => {
            if (mine !== generation.current) return;
            pending.current.delete(chunk);
            chunks.current.set(chunk, answer.rows);
            if (first) {
              setPage(answer);
              setError(null);
            }
            setTick((t) => t + 1);
          },
          (thrown: unknown) => {
            if (mine !== generation.current) return;
            pending.current.delete(chunk);
            setError(BackendError.from(thrown));
          },
        );
    },
    [backend],
  );

  const key = JSON.stringify(filter);
  useEffect(() => {
    generation.current += 1;
    filterRef.current = filter;
    // Keep the old rows on screen until the first answer (no flash on refresh).
    const kept = attempt > 0 ? [...chunks.current.keys()] : [];
    chunks.current = new Map();
    pending.current = new Set();
    load(0, true);
    for (const chunk of kept) if (chunk !== 0) load(chunk, false);
    // `key` stands for `filter`: a new object with the same fields is the same filter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt, load]);

  const rowAt = useCallback((index: number) => {
    const chunk = chunks.current.get(Math.floor(index / CHUNK));
    return chunk?.[index % CHUNK];
  }, []);

  const ensure = useCallback(
    (start: number, end: number) => {
      for (let chunk = Math.floor(start / CHUNK); chunk * CHUNK < end; chunk += 1) {
        if (!chunks.current.has(chunk) && !pending.current.has(chunk)) load(chunk, false);
      }
    },
    [load],
  );

  const refresh = useCallback(() => setAttempt((a) => a + 1), []);

  return { page, error, rowAt, ensure, refresh };
}
