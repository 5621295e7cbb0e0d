// Sends the guard's verdicts to the collector (`POST /api/guard/verdicts`), in batches:
// every 200 ms or at 256 verdicts, and at once for a blocked_encoded. While the collector
// is away the verdicts wait in a bounded queue and are retried with backoff; what does
// not fit is dropped, counted and logged (a blocked_encoded pushes out an older, lesser one).

import type { Logger } from '../../logger.js';
import type { GuardFinding } from '../../core/guard/guard-decision.js';
import type { GuardCounters } from './guard-counters.js';
import { errorCode, messageOf, toWire } from './verdict-wire.js';

export interface GuardReporterOptions {
  /** The collector's base URL (http(s)://host:port). */
  collector: string;
  token: string;
  /** This guard's name and the pipeline its verdicts belong to. */
  guard: string;
  pipeline: string;
  counters: GuardCounters;
  log: Logger;
  flushMs?: number;
  batchMax?: number;
  queueMax?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface GuardReporter {
  report(finding: GuardFinding): void;
  /** Verdicts waiting (queued or being sent). */
  readonly pending: number;
  /** Sends what is queued (best effort within `timeoutMs`), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

/** `rejected`: the collector refused the batch as bad; `index` names the one verdict it blamed, when it did. */
type Outcome = { kind: 'delivered' } | { kind: 'rejected'; index: number | null } | { kind: 'retry' };

export function createGuardReporter(o: GuardReporterOptions): GuardReporter {
  const flushMs = o.flushMs ?? 200;
  const batchMax = o.batchMax ?? 256;
  const queueMax = o.queueMax ?? 10_000;
  const retryMinMs = o.retryMinMs ?? 500;
  const retryMaxMs = o.retryMaxMs ?? 30_000;
  const requestTimeoutMs = o.requestTimeoutMs ?? 5000;
  const doFetch = o.fetch ?? fetch;
  const url = `${o.collector.replace(/\/+$/, '')}/api/guard/verdicts`;
  const log = o.log;
  const c = o.counters;

  const queue: GuardFinding[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let sending: Promise<void> | null = null;
  let backoffMs = 0;
  let failingSince = 0;
  let lastDropLog = 0;
  let droppedSinceLog = 0;
  let closed = false;

  function drop(n: number): void {
    c.reports.dropped_queue_full += n;
    droppedSinceLog += n;
    const now = Date.now();
    if (now - lastDropLog >= 10_000) {
      log.warn('verdict queue full: verdicts dropped', { dropped: droppedSinceLog, queueMax });
      lastDropLog = now;
      droppedSinceLog = 0;
    }
  }

  /** Back under queueMax after a failed batch came back: the newest lesser verdicts go first. */
  function trim(): void {
    let dropped = 0;
    for (let i = queue.length - 1; i >= 0 && queue.length > queueMax; i--) {
      if (queue[i]!.verdict !== 'blocked_encoded') {
        queue.splice(i, 1);
        dropped++;
      }
    }
    if (queue.length > queueMax) dropped += queue.splice(queueMax).length;
    if (dropped > 0) drop(dropped);
  }

  function report(f: GuardFinding): void {
    if (closed) return;
    if (queue.length >= queueMax) {
      const lesser = f.verdict === 'blocked_encoded' ? queue.findIndex((q) => q.verdict !== 'blocked_encoded') : -1;
      if (lesser < 0) {
        drop(1);
        return;
      }
      queue.splice(lesser, 1);
      drop(1);
    }
    queue.push(f);
    schedule(f.verdict === 'blocked_encoded' || queue.length >= batchMax ? 0 : flushMs);
  }

  /** Sends after `delay` ms, unless a send is under way or due sooner (backoff included). */
  function schedule(delay: number): void {
    if (closed || sending !== null || queue.length === 0) return;
    const due = Date.now() + delay;
    if (timer !== undefined && (timerDue <= due || backoffMs > 0)) return;
    arm(delay);
  }

  function arm(delay: number): void {
    clearTimeout(timer);
    timerDue = Date.now() + delay;
    timer = setTimeout(() => {
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      sending = sendBatch().finally(() => {
        sending = null;
      });
    }, delay);
  }

  async function sendBatch(): Promise<void> {
    const batch = queue.splice(0, batchMax);
    if (batch.length === 0) return;
    inFlight = batch.length;
    const outcome = await post(batch);
    inFlight = 0;
    if (outcome.kind === 'delivered') {
      c.reports.delivered += batch.length;
      if (failingSince !== 0) log.info('collector takes verdicts again', { afterMs: Date.now() - failingSince });
      failingSince = 0;
      backoffMs = 0;
    } else if (outcome.kind === 'rejected') {
      // One verdict it could not take must not cost the others: drop that one, send the rest again.
      c.reports.rejected += outcome.index === null ? batch.length : 1;
      if (outcome.index !== null) queue.unshift(...batch.filter((_, i) => i !== outcome.index));
      backoffMs = 0;
      // The rest goes after the usual pause, even when urgent: a collector refusing verdict after
      // verdict must not be asked back to back.
      setImmediate(() => schedule(flushMs));
      return;
    } else {
      c.reports.retried++;
      queue.unshift(...batch);
      trim();
      if (failingSince === 0) failingSince = Date.now();
      backoffMs = Math.min(retryMaxMs, backoffMs === 0 ? retryMinMs : backoffMs * 2);
      if (!closed) arm(Math.round(backoffMs * (0.75 + Math.random() * 0.5)));
      return;
    }
    const urgent = queue.length >= batchMax || queue.some((q) => q.verdict === 'blocked_encoded');
    // Called from inside the send: `sending` is cleared right after, so schedule on the next turn.
    setImmediate(() => schedule(urgent ? 0 : flushMs));
  }

  async function post(batch: GuardFinding[]): Promise<Outcome> {
    let status = 0;
    let body = '';
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
        body: JSON.stringify({ guard: o.guard, pipeline: o.pipeline, verdicts: batch.map(toWire) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = res.status;
      body = (await res.text()).slice(0, 500);
    } catch (err) {
      if (failingSince === 0) log.warn('collector unreachable: verdicts queued', { error: (err as Error).message, queued: queue.length + batch.length });
      return { kind: 'retry' };
    }
    if (status >= 200 && status < 300) return { kind: 'delivered' };
    if (status === 400 || status === 413 || status === 422) {
      // Our own body refused: retrying it cannot help. A bug, or a collector of another version.
      const blamed = /verdicts\[(\d+)\]/.exec(messageOf(body))?.[1];
      const index = blamed !== undefined && Number(blamed) < batch.length && batch.length > 1 ? Number(blamed) : null;
      log.error('collector refused a verdict batch', { status, verdicts: batch.length, dropped: index === null ? batch.length : 1, response: errorCode(body) });
      return { kind: 'rejected', index };
    }
    if (failingSince === 0) {
      log.warn(status === 401 || status === 403 ? 'collector refused the token: verdicts queued' : 'collector failed: verdicts queued', { status, response: errorCode(body) });
    }
    return { kind: 'retry' };
  }

  return {
    report,
    get pending() {
      return queue.length + inFlight;
    },
    async close(timeoutMs = 2000) {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const until = Date.now() + timeoutMs;
      if (sending !== null) await sending;
      while (queue.length > 0 && Date.now() < until) {
        const before = queue.length;
        await sendBatch();
        clearTimeout(timer);
        if (queue.length >= before) break; // the collector is away: give up
      }
      if (queue.length > 0) {
        log.warn('verdicts not delivered at shutdown', { lost: queue.length });
        c.reports.dropped_queue_full += queue.length;
        queue.length = 0;
      }
    },
  };
}
