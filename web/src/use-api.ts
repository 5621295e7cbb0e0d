// Fetches one API resource for a view: loading/error/ok state, reload, and a fresh fetch after the live stream
// comes back (data stays on screen while it refreshes).
import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, asFailure, getJson } from './api';
import { useLiveStatus } from './live-stream';
import { readHeaders, useOperator } from './operator';

export type Loadable<T> =
  | { status: 'loading' }
  | { status: 'error'; error: ApiFailure }
  | { status: 'ok'; data: T };

interface Held<T> { path: string | null; value: Loadable<T> }

export function useApi<T>(path: string | null): {
  state: Loadable<T>;
  reload: () => void;
  setData: (update: (d: T) => T) => void;
} {
  const [held, setHeld] = useState<Held<T>>({ path, value: { status: 'loading' } });
  const [nonce, setNonce] = useState(0);
  const { epoch } = useLiveStatus();
  // Reads re-run when the token that reads send changes (only when reads need one).
  const auth = readHeaders(useOperator()).authorization ?? '';

  useEffect(() => {
    if (path === null) return;
    const ac = new AbortController();
    setHeld((h) => (h.path === path && h.value.status === 'ok' ? h : { path, value: { status: 'loading' } }));
    getJson<T>(path, ac.signal).then(
      (data) => {
        if (!ac.signal.aborted) setHeld({ path, value: { status: 'ok', data } });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setHeld({ path, value: { status: 'error', error: asFailure(err) } });
      },
    );
    return () => ac.abort();
  }, [path, nonce, epoch, auth]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((update: (d: T) => T) => {
    setHeld((h) => (h.value.status === 'ok' ? { ...h, value: { status: 'ok', data: update(h.value.data) } } : h));
  }, []);
  // A path change shows loading at once rather than the previous resource.
  const state: Loadable<T> = held.path === path ? held.value : { status: 'loading' };
  return { state, reload, setData };
}
