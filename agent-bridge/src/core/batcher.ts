// Collects events into batches and says when one is due (count, size estimate or age).
// Pure: the adapter owns the clock and the timer, and passes `nowMs` (monotonic) in.
import { LIMITS, type TelltaleEvent } from '@telltale/proto';
import { SpoolError } from './errors.js';

export interface BatcherLimits {
  /** Cut a batch at this many events (at most LIMITS.eventsPerBatch, which the collector enforces). */
  maxEvents: number;
  /** Cut a batch once its estimated encoded size reaches this; a batch may exceed it by its last event. */
  maxBytes: number;
  /** Cut a non-empty batch this long after its first event arrived. */
  maxAgeMs: number;
}

/** Rough protobuf size of one event: field overhead plus the variable-length payload. */
export function estimateEventBytes(e: TelltaleEvent): number {
  const base = 24 + e.buildId.length;
  switch (e.kind) {
    case 'build_start': {
      const c = e.context;
      return base + 32 + c.buildId.length + c.pipeline.length + c.runId.length + c.job.length
        + c.repo.length + c.commit.length + c.agentHost.length + c.ciProvider.length;
    }
    case 'exec':
      return base + 40 + e.exe.length + e.cwd.length + e.argv.reduce((n, a) => n + 2 + a.length, 0);
    case 'dns':
      return base + 32 + e.packet.length + e.address.length;
    case 'connect':
      return base + 24 + e.address.length;
    case 'loss':
      return base + 16 + e.source.length + e.reason.length;
    case 'secret_match':
      return base + 24 + e.variable.length + e.encoding.length;
    case 'lockfile':
      return base + 96 + e.path.length + e.workspace.length + (e.content?.length ?? 0);
    default:
      return base + 16;
  }
}

export function validateBatcherLimits(l: BatcherLimits): BatcherLimits {
  const ok = (n: number, max = Number.MAX_SAFE_INTEGER) => Number.isSafeInteger(n) && n > 0 && n <= max;
  if (!ok(l.maxEvents, LIMITS.eventsPerBatch)) {
    throw new SpoolError('SPOOL_INVALID_CONFIG', `maxEvents must be 1..${LIMITS.eventsPerBatch}`);
  }
  if (!ok(l.maxBytes)) throw new SpoolError('SPOOL_INVALID_CONFIG', 'maxBytes must be a positive integer');
  if (!ok(l.maxAgeMs)) throw new SpoolError('SPOOL_INVALID_CONFIG', 'maxAgeMs must be a positive integer');
  return Object.freeze({ ...l });
}

export class Batcher {
  private readonly limits: BatcherLimits;
  private events: TelltaleEvent[] = [];
  private bytesEstimate = 0;
  private firstAtMs = 0;

  constructor(limits: BatcherLimits) {
    this.limits = validateBatcherLimits(limits);
  }

  get count(): number { return this.events.length; }
  get bytes(): number { return this.bytesEstimate; }

  /** Adds one event; returns whether a batch is now due. */
  add(event: TelltaleEvent, nowMs: number): boolean {
    if (this.events.length === 0) this.firstAtMs = nowMs;
    this.events.push(event);
    this.bytesEstimate += estimateEventBytes(event);
    return this.due(nowMs);
  }

  due(nowMs: number): boolean {
    if (this.events.length === 0) return false;
    return this.events.length >= this.limits.maxEvents
      || this.bytesEstimate >= this.limits.maxBytes
      || nowMs - this.firstAtMs >= this.limits.maxAgeMs;
  }

  /** How long until the age limit makes the batch due: 0 when due already, null when empty. */
  msUntilDue(nowMs: number): number | null {
    if (this.events.length === 0) return null;
    if (this.due(nowMs)) return 0;
    return Math.max(0, this.firstAtMs + this.limits.maxAgeMs - nowMs);
  }

  /** Hands over the collected events (possibly none) and starts an empty batch. */
  take(): TelltaleEvent[] {
    const out = this.events;
    this.events = [];
    this.bytesEstimate = 0;
    return out;
  }
}
