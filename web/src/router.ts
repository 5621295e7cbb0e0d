// A tiny history-API router: the current location as React state, and navigation that pushes or replaces it.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let snapshot = { pathname: location.pathname, search: location.search };

function refresh(): void {
  if (snapshot.pathname !== location.pathname || snapshot.search !== location.search) {
    snapshot = { pathname: location.pathname, search: location.search };
    for (const l of listeners) l();
  }
}
window.addEventListener('popstate', refresh);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  refresh();
  if (!opts.replace) window.scrollTo(0, 0);
}

export function useLocation(): { pathname: string; search: string } {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
  );
}

/** Query-string filters: read from the URL so filtered views are linkable. */
export function useQueryParams(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}

/** Sets (or clears, with '') query parameters on the current path. */
export function setQueryParams(patch: Record<string, string>, opts: { replace?: boolean } = {}): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  navigate(location.pathname + (s ? `?${s}` : ''), { replace: opts.replace ?? false });
}
