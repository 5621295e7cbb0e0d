// Forwards spooled batches to the collector over one long-lived gRPC Stream and deletes each on its ack.
// On any stream failure it reconnects with backoff and resends every unacked batch in sequence order.
import * as grpc from '@grpc/grpc-js';
import { alertFromProto, decodeAck, ingestServiceDefinition, type AlertSummary } from '@telltale/proto';
import { ForwardError } from '../core/errors.js';
import type { Spool } from './spool.js';

/** What the forwarder needs of the spool. */
export type ForwardSource = Pick<Spool, 'pending' | 'ack' | 'lastSequence' | 'oldestSequence'>;

export interface ForwarderOptions {
  /** `host:port` or `unix:/path`. */
  address: string;
  agentId: string;
  spool: ForwardSource;
  /** Most batches written and not yet acked on the stream. */
  window?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  keepaliveMs?: number;
  /** Added to EndBuild's waitMs for the RPC deadline: the time to reach the collector and back. */
  endBuildMarginMs?: number;
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
  channelOptions?: grpc.ChannelOptions;
  /** Sent as `authorization: Bearer <token>` on every call when the collector requires one. */
  token?: string;
  /** TLS to the collector (PEM contents): its CA, and this agent's certificate and key for mTLS. */
  tls?: ForwarderTls;
}

export interface ForwarderTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** The name the collector's certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

function channelCredentials(tls: ForwarderTls | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
}

export interface ForwarderCounters {
  sent: number; // batch writes, resends included
  acked: number;
  duplicates: number; // acks saying the collector had applied the batch before
  rejectedEvents: number; // events the collector refused as invalid
  reconnects: number;
  streamErrors: number;
  malformedAcks: number;
  unexpectedAcks: number; // acks for a sequence not in flight on the stream: ignored
  endBuildFailures: number;
  inFlight: number;
  streaming: boolean;
  lastError: string | null;
}

export interface EndBuildResult {
  /** Every batch up to the build's last was stored, and the collector holds the build's start. */
  complete: boolean;
  /** Events of the build lost on the way or not judgeable: coverage is incomplete. */
  lostEvents: number;
  alerts: AlertSummary[];
}

/** Exponential backoff with equal jitter: between half and all of min(max, initial * 2^attempt). */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const def = ingestServiceDefinition;
type Waiter = { target: number; resolve: (drained: boolean) => void; timer: NodeJS.Timeout };

export class Forwarder {
  private readonly client: grpc.Client;
  private readonly window: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private readonly spool: ForwardSource;
  private readonly c: Omit<ForwarderCounters, 'inFlight' | 'streaming'> = {
    sent: 0, acked: 0, duplicates: 0, rejectedEvents: 0, reconnects: 0, streamErrors: 0,
    malformedAcks: 0, unexpectedAcks: 0, endBuildFailures: 0, lastError: null,
  };
  private call: grpc.ClientDuplexStream<Uint8Array, Uint8Array> | null = null;
  private generation = 0;
  private openedAt = 0;
  private readonly inFlight = new Set<number>();
  private sentUpTo = 0;
  private blocked = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private waiters: Waiter[] = [];
  private state: 'idle' | 'running' | 'closed' = 'idle';

  constructor(private readonly opts: ForwarderOptions) {
    this.window = opts.window ?? 64;
    this.initialMs = opts.backoffInitialMs ?? 100;
    this.maxMs = opts.backoffMaxMs ?? 2000;
    this.random = opts.random ?? Math.random;
    this.spool = opts.spool;
    const positive = (n: number) => Number.isSafeInteger(n) && n > 0;
    if (!positive(this.window) || !positive(this.initialMs) || !positive(this.maxMs) || this.maxMs < this.initialMs) {
      throw new ForwardError('FORWARD_INVALID_CONFIG', 'window and backoff must be positive integers, max >= initial');
    }
    const keepalive = opts.keepaliveMs ?? 20_000;
    this.client = new grpc.Client(opts.address, channelCredentials(opts.tls), {
      ...(opts.tls?.serverName ? { 'grpc.ssl_target_name_override': opts.tls.serverName, 'grpc.default_authority': opts.tls.serverName } : {}),
      // The channel's own reconnect backoff would otherwise grow to 120 s and outlast ours.
      'grpc.initial_reconnect_backoff_ms': this.initialMs,
      'grpc.max_reconnect_backoff_ms': this.maxMs,
      'grpc.keepalive_time_ms': keepalive,
      'grpc.keepalive_timeout_ms': Math.min(keepalive, 10_000),
      'grpc.use_local_subchannel_pool': 1,
      ...opts.channelOptions,
    });
  }

  /** Opens the stream; later failures are retried until close(). */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.open();
  }

  /** Call after appending to the spool: sends what the window allows now. */
  notify(): void {
    this.pump();
  }

  counters(): ForwarderCounters {
    return { ...this.c, inFlight: this.inFlight.size, streaming: this.call !== null };
  }

  /** Resolves true once every batch appended so far is acked, false after `timeoutMs` or on close. */
  drain(timeoutMs: number): Promise<boolean> {
    const target = this.spool.lastSequence();
    if (this.drainedTo(target)) return Promise.resolve(true);
    if (this.state === 'closed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { target, resolve, timer: setTimeout(() => this.settle(waiter, false), timeoutMs) };
      this.waiters.push(waiter);
    });
  }

  /** Asks the collector for a build's alerts once every sequence up to `sequence` is applied. */
  endBuild(buildId: string, sequence: number, waitMs: number): Promise<EndBuildResult> {
    if (this.state === 'closed') return Promise.reject(new ForwardError('FORWARD_CLOSED', 'forwarder is closed'));
    const request = { agentId: this.opts.agentId, buildId, sequence, waitMs };
    const options = { deadline: Date.now() + waitMs + (this.opts.endBuildMarginMs ?? 5000), waitForReady: true };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(def.endBuild.path, def.endBuild.requestSerialize, def.endBuild.responseDeserialize,
        request, this.metadata(), options, (err, res) => {
          if (err || !res) {
            this.c.endBuildFailures++;
            reject(new ForwardError('FORWARD_END_BUILD_FAILED', err?.details ?? 'empty response', err?.code));
            return;
          }
          resolve({
            complete: (res.complete ?? false) && (res.buildKnown ?? false), lostEvents: res.lostEvents ?? 0,
            alerts: (res.alerts ?? []).map(alertFromProto),
          });
        });
    });
  }

  private metadata(): grpc.Metadata {
    const m = new grpc.Metadata();
    if (this.opts.token) m.set('authorization', `Bearer ${this.opts.token}`);
    return m;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.teardown();
    for (const w of [...this.waiters]) this.settle(w, false);
    this.client.close();
  }

  private open(): void {
    const gen = ++this.generation;
    const call = this.client.makeBidiStreamRequest(def.stream.path, def.stream.requestSerialize, def.stream.responseDeserialize, this.metadata());
    this.call = call;
    this.openedAt = Date.now();
    this.inFlight.clear();
    this.sentUpTo = 0;
    this.blocked = false;
    call.on('data', (bytes: Uint8Array) => this.onAck(gen, bytes));
    call.on('error', (err: grpc.ServiceError) => this.restart(gen, `stream error: ${err.code} ${err.details}`));
    call.on('status', (s: grpc.StatusObject) => this.restart(gen, `stream closed: ${s.code} ${s.details}`));
    call.on('end', () => this.restart(gen, 'stream ended by the collector'));
    call.on('drain', () => { if (gen === this.generation) { this.blocked = false; this.pump(); } });
    this.pump();
  }

  private pump(): void {
    const call = this.call;
    if (this.state !== 'running' || !call || this.blocked) return;
    try {
      while (this.inFlight.size < this.window) {
        const batches = this.spool.pending(this.sentUpTo, this.window - this.inFlight.size);
        if (batches.length === 0) return;
        for (const b of batches) {
          this.inFlight.add(b.sequence);
          this.sentUpTo = b.sequence;
          this.c.sent++;
          if (!call.write(b.bytes)) { this.blocked = true; return; }
        }
      }
    } catch (err) {
      this.restart(this.generation, `spool read failed: ${(err as Error).message}`);
    }
  }

  private onAck(gen: number, bytes: Uint8Array): void {
    if (gen !== this.generation) return;
    let sequence: number; let duplicate: boolean; let rejected: number;
    try {
      ({ sequence, duplicate, rejected } = decodeAck(bytes));
    } catch (err) {
      this.c.malformedAcks++;
      this.restart(gen, `malformed ack: ${(err as Error).message}`);
      return;
    }
    if (!this.inFlight.delete(sequence)) { this.c.unexpectedAcks++; return; }
    this.attempt = 0;
    this.c.acked++;
    if (duplicate) this.c.duplicates++;
    this.c.rejectedEvents += rejected;
    try {
      this.spool.ack(sequence);
    } catch (err) {
      this.restart(gen, `spool ack failed: ${(err as Error).message}`);
      return;
    }
    this.checkWaiters();
    this.pump();
  }

  /** Drops the current stream (once per generation) and schedules a new one. */
  private restart(gen: number, reason: string): void {
    if (gen !== this.generation || this.state !== 'running' || !this.call) return;
    this.c.streamErrors++;
    this.c.lastError = reason;
    if (Date.now() - this.openedAt > this.maxMs) this.attempt = 0; // the stream lived: start the backoff over
    this.teardown();
    const delay = backoffDelayMs(this.attempt++, this.initialMs, this.maxMs, this.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'running') return;
      this.c.reconnects++;
      this.open();
    }, delay);
  }

  private teardown(): void {
    const call = this.call;
    this.generation++;
    this.call = null;
    this.inFlight.clear();
    call?.cancel(); // late events from it carry an old generation and are ignored
  }

  private drainedTo(target: number): boolean {
    const oldest = this.spool.oldestSequence();
    return oldest === null || oldest > target;
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) if (this.drainedTo(w.target)) this.settle(w, true);
  }

  private settle(w: Waiter, drained: boolean): void {
    clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
    w.resolve(drained);
  }
}
