// The operator's token and name (kept in localStorage) and whether the collector accepts the token.
import { useSyncExternalStore } from 'react';
import type { SessionInfo } from './api-types';
import { takeTokenFromHash } from './hash-token';

const TOKEN_KEY = 'telltale.operatorToken';
const ACTOR_KEY = 'telltale.actor';

export interface OperatorState {
  token: string;
  actor: string;
  /** null until /api/session answered (or when it could not be asked). */
  session: SessionInfo | null;
  sessionStatus: 'unknown' | 'checking' | 'ok' | 'error';
  sessionError: string;
}

// localStorage throws when storage is disabled; the console then works for this page only.
function load(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}
function store(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* not persisted */
  }
}

let state: OperatorState = { token: '', actor: 'operator', session: null, sessionStatus: 'unknown', sessionError: '' };
const listeners = new Set<() => void>();
function set(patch: Partial<OperatorState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function getOperator(): OperatorState {
  return state;
}

export function subscribeOperator(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useOperator(): OperatorState {
  return useSyncExternalStore(subscribeOperator, getOperator);
}

/** Takes a token from a "#token=..." link into storage, and removes it from the address bar and history entry. */
function adoptHashToken(): boolean {
  const { token, rest } = takeTokenFromHash(location.hash);
  if (!token) return false;
  store(TOKEN_KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search + rest);
  return true;
}

/** Reads storage (after adopting a token from the URL), and watches for a token link opened in this tab later. */
export function initOperator(): void {
  adoptHashToken();
  state = { ...state, token: load(TOKEN_KEY), actor: load(ACTOR_KEY) || 'operator' };
  // Same path, new fragment: the browser does not reload, so the token arrives as a hashchange.
  window.addEventListener('hashchange', () => {
    if (!adoptHashToken()) return;
    set({ token: load(TOKEN_KEY) });
    void checkSession();
  });
}

export function saveOperator(token: string, actor: string): Promise<void> {
  const t = token.trim();
  const a = actor.trim() || 'operator';
  store(TOKEN_KEY, t);
  store(ACTOR_KEY, a === 'operator' ? '' : a);
  set({ token: t, actor: a });
  return checkSession();
}

let checking = 0;
/** Asks the collector what this token may do. A collector without /api/session counts as open reads, unknown operator. */
export async function checkSession(): Promise<void> {
  const mine = ++checking;
  set({ sessionStatus: 'checking' });
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (state.token) headers.authorization = `Bearer ${state.token}`;
    const res = await fetch('/api/session', { headers, cache: 'no-store' });
    if (mine !== checking) return;
    if (res.ok) {
      const body = (await res.json()) as Partial<SessionInfo>;
      if (mine !== checking) return;
      set({ session: { readsNeedToken: body.readsNeedToken === true, operator: body.operator === true }, sessionStatus: 'ok', sessionError: '' });
    } else if (res.status === 401 || res.status === 403) {
      set({ session: { readsNeedToken: true, operator: false }, sessionStatus: 'ok', sessionError: '' });
    } else {
      set({ session: null, sessionStatus: 'error', sessionError: `the collector answered ${res.status}` });
    }
  } catch (err) {
    if (mine === checking) set({ session: null, sessionStatus: 'error', sessionError: `could not reach the collector (${String(err)})` });
  }
}

/** Actions need a token the collector did not reject. */
export function canAct(s: OperatorState): boolean {
  return s.token !== '' && s.session?.operator !== false;
}

/**
 * Reads carry the token whenever there is one (same origin only): a collector whose reads are
 * open ignores it, one whose reads need it gets it, and no read waits for /api/session first.
 */
export function readHeaders(s: OperatorState = state): Record<string, string> {
  return s.token ? { authorization: `Bearer ${s.token}` } : {};
}

/** WebSocket subprotocols: the token rides in one (browsers cannot set headers on a WebSocket). */
export function streamProtocols(s: OperatorState = state): string[] {
  return s.token ? ['telltale.v1', `telltale-token.${s.token}`] : ['telltale.v1'];
}

