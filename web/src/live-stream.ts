// The app's one WebSocket to /api/stream: reconnects with backoff, reports its state, and hands
// checked messages to subscribers. Each reconnect bumps `epoch` so views re-fetch what they missed.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { StreamMessage } from './api-types';
import { parseStreamMessage, reconnectDelay } from './stream-message';

export interface LiveStatus {
  state: 'connecting' | 'live' | 'reconnecting';
  /** Consecutive failed attempts (0 while live). */
  attempt: number;
  /** Bumped each time the stream comes back after a loss: views re-fetch on change. */
  epoch: number;
  /** "Live again" is shown until this time (ms). */
  liveAgainUntil: number;
}

let status: LiveStatus = { state: 'connecting', attempt: 0, epoch: 0, liveAgainUntil: 0 };
const statusListeners = new Set<() => void>();
const messageListeners = new Set<(m: StreamMessage) => void>();
let socket: WebSocket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let againTimer: ReturnType<typeof setTimeout> | undefined;
let protocolsOf: () => string[] = () => ['telltale.v1'];
let lostOnce = false;

function setStatus(patch: Partial<LiveStatus>): void {
  status = { ...status, ...patch };
  for (const l of statusListeners) l();
}

function streamUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/stream`;
}

function scheduleRetry(): void {
  if (retryTimer !== undefined) return;
  const attempt = status.attempt + 1;
  lostOnce = true;
  setStatus({ state: 'reconnecting', attempt, liveAgainUntil: 0 });
  retryTimer = setTimeout(() => {
    retryTimer = undefined;
    open();
  }, reconnectDelay(attempt));
}

function open(): void {
  let ws: WebSocket;
  try {
    ws = new WebSocket(streamUrl(), protocolsOf());
  } catch {
    // e.g. a token with characters a subprotocol cannot carry: keep retrying (the token may change).
    scheduleRetry();
    return;
  }
  socket = ws;
  ws.onopen = () => {
    if (socket !== ws) return;
    if (lostOnce) {
      clearTimeout(againTimer);
      againTimer = setTimeout(() => setStatus({}), 3100);
      setStatus({ state: 'live', attempt: 0, epoch: status.epoch + 1, liveAgainUntil: Date.now() + 3000 });
    } else {
      setStatus({ state: 'live', attempt: 0 });
    }
  };
  ws.onmessage = (ev: MessageEvent) => {
    if (socket !== ws) return;
    const m = parseStreamMessage(ev.data);
    if (!m) return;
    for (const l of messageListeners) {
      try {
        l(m);
      } catch (err) {
        console.error('live update handler failed', err);
      }
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    scheduleRetry();
  };
  // An error is always followed by close, which schedules the retry.
  ws.onerror = () => undefined;
}

/** Starts the stream once; `protocols` is read at each (re)connect so a new token takes effect. */
export function startLiveStream(protocols: () => string[]): void {
  protocolsOf = protocols;
  if (socket || retryTimer !== undefined) return;
  open();
}

/** Reconnects now with fresh protocols (after the operator token changed). */
export function restartLiveStream(): void {
  const old = socket;
  socket = null;
  clearTimeout(retryTimer);
  retryTimer = undefined;
  old?.close();
  open();
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    () => status,
  );
}

/** Calls `handler` (latest version) for every live message while the component is mounted. */
export function useStream(handler: (m: StreamMessage) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l = (m: StreamMessage) => ref.current(m);
    messageListeners.add(l);
    return () => {
      messageListeners.delete(l);
    };
  }, []);
}
