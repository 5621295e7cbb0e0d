// A newest-first list from a cursor-paged endpoint: first page, "load more", live upserts, and a merge of the
// fresh first page after the live stream reconnects, so rows missed while offline appear without losing pages.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, asFailure, getJson } from './api';
import { useLiveStatus } from './live-stream';
import { readHeaders, useOperator } from './operator';
import { withQuery } from './query-string';
import { mergeFirstPage, upsertRow, type MergeKeys } from './row-merge';

export interface PagedList<T> {
  status: 'loading' | 'error' | 'ok';
  error: ApiFailure | null;
  rows: T[];
  next: string | null;
  total: number | null;
  loadingMore: boolean;
  moreError: ApiFailure | null;
  loadMore: () => void;
  reload: () => void;
  /** Applies a live row; `matches` says whether it belongs under the current filter. */
  upsert: (row: T, matches: boolean, totalDelta?: number) => void;
  /** Fetches the filter's total again (debounced), when it may have changed out of sight. */
  recount: () => void;
}

interface Page<T> { rows: T[]; next: string | null; total: number | null }

export function usePagedList<T>(
  path: string, params: Record<string, string>, pick: (body: unknown) => Page<T>, keys: MergeKeys<T>, limit: number,
): PagedList<T> {
  const firstPath = withQuery(path, { ...params, limit });
  const [status, setStatus] = useState<'loading' | 'error' | 'ok'>('loading');
  const [error, setError] = useState<ApiFailure | null>(null);
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiFailure | null>(null);
  const [nonce, setNonce] = useState(0);
  const { epoch } = useLiveStatus();
  const auth = readHeaders(useOperator()).authorization ?? '';
  // Values the callbacks need without re-creating them on every row change.
  const live = useRef({ rows, next, loadingMore, firstPath, shownPath: '' });
  live.current = { ...live.current, rows, next, loadingMore, firstPath };
  const keysRef = useRef(keys);
  keysRef.current = keys;
  const pickRef = useRef(pick);
  pickRef.current = pick;

  useEffect(() => {
    const ac = new AbortController();
    const sameList = live.current.shownPath === firstPath;
    if (!sameList) {
      setStatus('loading');
      setRows([]);
      setNext(null);
      setTotal(null);
      setMoreError(null);
    }
    getJson<unknown>(firstPath, ac.signal).then(
      (body) => {
        if (ac.signal.aborted) return;
        const page = pickRef.current(body);
        if (sameList) {
          const merged = mergeFirstPage(live.current.rows, live.current.next, page.rows, page.next, keysRef.current);
          setRows(merged.rows);
          setNext(merged.next);
        } else {
          setRows(page.rows);
          setNext(page.next);
        }
        setTotal(page.total);
        setError(null);
        setStatus('ok');
        live.current.shownPath = firstPath;
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(asFailure(err));
        setStatus('error');
        live.current.shownPath = '';
      },
    );
    return () => ac.abort();
  }, [firstPath, nonce, epoch, auth]);

  const loadMore = useCallback(() => {
    const { next: cursor, loadingMore: busy, firstPath: at } = live.current;
    if (!cursor || busy) return;
    live.current.loadingMore = true;
    setLoadingMore(true);
    setMoreError(null);
    getJson<unknown>(withQuery(path, { ...params, limit, cursor })).then(
      (body) => {
        if (live.current.firstPath !== at) return;
        const page = pickRef.current(body);
        setRows((old) => {
          const seen = new Set(old.map(keysRef.current.id));
          return [...old, ...page.rows.filter((r) => !seen.has(keysRef.current.id(r)))];
        });
        setNext(page.next);
        if (page.total !== null) setTotal(page.total);
      },
      (err: unknown) => {
        if (live.current.firstPath === at) setMoreError(asFailure(err));
      },
    ).finally(() => {
      live.current.loadingMore = false;
      setLoadingMore(false);
    });
    // params is captured through firstPath, which changes whenever it does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstPath, path, limit]);

  const reload = useCallback(() => {
    live.current.shownPath = '';
    setNonce((n) => n + 1);
  }, []);

  // The total of a filtered list can change through rows not loaded here (an alert elsewhere
  // acknowledged): ask the server again, at most twice a second.
  const recountTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (recountTimer.current) clearTimeout(recountTimer.current); }, []);
  const recount = useCallback(() => {
    if (recountTimer.current) return;
    const at = live.current.firstPath;
    recountTimer.current = setTimeout(() => {
      recountTimer.current = null;
      getJson<unknown>(withQuery(path, { ...params, limit: 1 })).then((body) => {
        const t = pickRef.current(body).total;
        if (live.current.firstPath === at && t !== null) setTotal(t);
      }, () => undefined);
    }, 500);
    // params is captured through firstPath, which changes whenever it does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstPath, path]);

  const upsert = useCallback((row: T, matches: boolean, totalDelta = 0) => {
    setRows((old) => upsertRow(old, row, keysRef.current, { matches, hasMore: live.current.next !== null }));
    if (totalDelta) setTotal((t) => (t === null ? t : Math.max(0, t + totalDelta)));
  }, []);

  return { status, error, rows, next, total, loadingMore, moreError, loadMore, reload, upsert, recount };
}
