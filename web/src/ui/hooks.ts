import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change elsewhere); keeps the old data visible meanwhile. */
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and on reload(). A newer run supersedes an older one: its
 * AbortSignal fires and its answer is dropped, so a slow reply never overwrites a newer one.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    loadRef.current(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // `deps` are the caller's: it names what the load depends on (loadRef always holds the latest load).
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** The value, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/**
 * Calls `reload` every `everyMs` while `active` (a status that may still move) and the tab is
 * visible, for at most `forMs`: a page left open does not poll forever.
 */
export function usePollWhile(active: boolean, reload: () => void, everyMs: number, forMs: number): void {
  useEffect(() => {
    if (!active) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > forMs) clearInterval(timer);
      else if (document.visibilityState === 'visible') reload();
    }, everyMs);
    return () => clearInterval(timer);
  }, [active, reload, everyMs, forMs]);
}

export interface PollingState<T> {
  data: T | undefined;
  error: unknown;
  /** Polls again at once (after a change made here). */
  refresh: () => void;
  /** For a page that also sets what it shows (a search's answer) between polls. */
  setData: (data: T | undefined) => void;
  setError: (error: unknown) => void;
}

/**
 * Calls `load` while `active`, every `everyMs` after the previous answer, again whenever `deps`
 * change. A failed poll shows its error and keeps the last data; the next tick tries again.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number, active: boolean, deps: readonly unknown[]): PollingState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (!active) return;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const d = await loadRef.current(ctl.signal);
        if (ctl.signal.aborted) return;
        setData(d);
        setError(undefined);
      } catch (err) {
        if (!ctl.signal.aborted) setError(err);
      }
      if (!ctl.signal.aborted) timer = setTimeout(() => void poll(), everyMs);
    };
    void poll();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
    // `deps` name what `load` reads: a change starts a new poll (the old one's answer is dropped).
  }, [active, everyMs, tick, ...deps]);
  return { data, error, refresh: useCallback(() => setTick((t) => t + 1), []), setData, setError };
}
