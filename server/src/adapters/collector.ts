// The ingest loop: decode a batch, apply it once (by agent sequence), store it in one
// transaction, acknowledge, then broadcast. Owns the clock; the core stays pure.
import { decodeBatch, ProtoError, type BatchAck, type TelltaleEvent } from '@telltale/proto';
import type { ApplyResult, BaselineChange, IngestCore } from '../core/ingest-core.js';
import type { ProcessInfo } from '../core/observation.js';
import type { Store, StoredAlert } from './store.js';
import type { Metrics } from './metrics.js';
import type { StreamHub } from './stream-hub.js';
import type { StatsRecorder } from './stats-recorder.js';
import { agentNameOf, scopeAllows, type AgentScope } from './agent-auth.js';

const OPEN_SCOPE: AgentScope = { bound: null, reserved: new Set() };

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A batch whose sequence does not follow the agent's last applied one. */
export class SequenceError extends Error {
  readonly code = 'SEQUENCE_GAP';
}

/** A batch under another agent's name than the credential it came with. */
export class AgentMismatchError extends Error {
  readonly code = 'AGENT_MISMATCH';
}

type Waiter = { agentId: string; sequence: number; resolve: () => void };

export class Collector {
  private waiters: Waiter[] = [];
  private core: IngestCore;

  constructor(
    private readonly loadCore: () => IngestCore,
    private readonly store: Store,
    private readonly metrics: Metrics,
    private readonly hub: StreamHub,
    private readonly log: Logger,
    private readonly stats: StatsRecorder | null = null,
    private readonly clockUs: () => number = () => Date.now() * 1000,
  ) {
    this.core = loadCore();
  }

  /** Build → the agent name that started it, for builds seen lately (bounded). */
  private readonly owners = new Map<string, string | null>();

  /** The name of the agent that started a build; undefined when the build is unknown. */
  private ownerOf(buildId: string): string | null | undefined {
    if (this.owners.has(buildId)) return this.owners.get(buildId);
    const agent = this.store.buildAgent(buildId);
    if (agent === undefined) return undefined;
    const owner = agent === null ? null : agentNameOf(agent);
    this.remember(buildId, owner);
    return owner;
  }

  private remember(buildId: string, owner: string | null): void {
    if (this.owners.size >= 50_000) this.owners.clear();
    this.owners.set(buildId, owner);
  }

  /**
   * An agent bound to a name may only touch builds its own batches started: forged events or
   * a forged end in another agent's build would change that build's verdict.
   */
  private checkOwnership(events: readonly TelltaleEvent[], name: string): void {
    for (const e of events) {
      const owner = this.ownerOf(e.buildId);
      if (owner === undefined || owner === name) continue;
      this.metrics.inc('telltale_batches_total', { outcome: 'foreign_build' });
      this.log.warn('batch refused: it touches a build another agent started', { agentName: name, buildId: e.buildId.slice(0, 200) });
      throw new AgentMismatchError('this credential may only send events of builds its own agent started');
    }
  }

  /** May an agent bound to `name` ask about this build? */
  ownsBuild(name: string, buildId: string): boolean {
    const owner = this.ownerOf(buildId);
    return owner === undefined || owner === name;
  }

  /**
   * Handles one encoded EventBatch; throws ProtoError when the bytes are not a batch at all,
   * AgentMismatchError when the caller's credential (`scope`) may not send it.
   */
  ingest(bytes: Uint8Array, scope: AgentScope = OPEN_SCOPE): BatchAck {
    const started = process.hrtime.bigint();
    let batch;
    try {
      batch = decodeBatch(bytes);
    } catch (err) {
      this.metrics.inc('telltale_batches_total', { outcome: 'undecodable' });
      throw err instanceof ProtoError ? err : new ProtoError('PROTO_DECODE', String(err));
    }
    if (!scopeAllows(scope, batch.agentId)) {
      this.metrics.inc('telltale_batches_total', { outcome: 'agent_mismatch' });
      this.log.warn('batch refused: agent id does not match its credential', { agentName: scope.bound, agentId: batch.agentId.slice(0, 200) });
      throw new AgentMismatchError('this credential may not send batches under this agent name');
    }
    if (scope.bound !== null) this.checkOwnership(batch.events, scope.bound);
    const last = this.store.lastSequence(batch.agentId);
    if (batch.sequence <= last) {
      this.metrics.inc('telltale_batches_total', { outcome: 'duplicate' });
      return { sequence: batch.sequence, accepted: 0, rejected: 0, duplicate: true };
    }
    // An agent's spool never skips a sequence: a gap means a batch would be lost (or a forged
    // sequence would make every later batch look like a duplicate). Refuse it; the agent
    // resends from its oldest unacknowledged batch.
    if (last > 0 && batch.sequence !== last + 1) {
      this.metrics.inc('telltale_batches_total', { outcome: 'out_of_sequence' });
      this.log.warn('agent batch out of sequence', { agentId: batch.agentId, expected: last + 1, got: batch.sequence });
      // The expected number stays in the log: told to the client, it would help forge one.
      throw new SequenceError('batch out of sequence; resend from the oldest unacknowledged batch');
    }
    for (const r of batch.rejected) this.metrics.inc('telltale_events_dropped_total', { reason: r.error.code.toLowerCase() });
    const now = this.clockUs();
    let result: ApplyResult;
    let alerts: StoredAlert[];
    const updated: StoredAlert[] = [];
    let stage: 'apply' | 'commit' = 'apply';
    try {
      result = this.core.apply(batch.events, now);
      stage = 'commit';
      alerts = this.store.commitBatch(batch.agentId, batch.sequence, bytes, result, (id) => this.core.build(id), now, updated);
    } catch (err) {
      // The core has applied (part of) what the store did not keep: reload it from the store so
      // the agent's resend is judged afresh rather than taken for something already seen.
      this.log.error('storing a batch failed; reloading state from the store', { error: String(err), stage });
      this.core = this.loadCore();
      throw err;
    }
    for (const b of result.buildsStarted) this.remember(b.context.buildId, agentNameOf(batch.agentId));
    this.metrics.inc('telltale_batches_total', { outcome: 'applied' });
    // Counted per batch, not per event: label keys are built once per kind.
    const kinds = new Map<string, number>();
    let oldestUs = Infinity;
    for (const e of batch.events) {
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      if (e.timeUs > 0 && e.timeUs < oldestUs) oldestUs = e.timeUs;
    }
    for (const [kind, n] of kinds) this.metrics.inc('telltale_events_in_total', { kind }, n);
    // The lag of a batch is the lag of its oldest event: how far behind the collector is.
    if (oldestUs !== Infinity) this.metrics.observe('telltale_ingest_lag_seconds', Math.max(0, now - oldestUs) / 1e6);
    for (const [reason, n] of result.drops) this.metrics.inc('telltale_events_dropped_total', { reason }, n);
    for (const [key, n] of result.losses ?? []) {
      const [source, reason] = key.split('\0');
      this.metrics.inc('telltale_source_events_lost_total', { source: source!, reason: reason! }, n);
    }
    if (result.suppressed) this.metrics.inc('telltale_alerts_suppressed_total', { reason: 'operator_allowed_domain' }, result.suppressed);
    this.stats?.add(batch.events.length, alerts.length);
    this.metrics.set('telltale_open_builds', this.core.openBuilds);
    this.metrics.observe('telltale_ingest_batch_seconds', Number(process.hrtime.bigint() - started) / 1e9);
    this.publish(alerts, result.buildsChanged, result.buildsStarted.map((b) => b.context.buildId));
    // An alert whose evidence grew (more of a leaked secret seen) is pushed again, as an update.
    for (const a of updated) this.hub.broadcast({ type: 'alert_updated', alert: a });
    this.wake(batch.agentId, batch.sequence);
    return { sequence: batch.sequence, accepted: batch.events.length, rejected: batch.rejected.length, duplicate: false };
  }

  private publish(alerts: StoredAlert[], changed: Set<string>, started: string[]): void {
    for (const a of alerts) {
      this.metrics.inc('telltale_alerts_total', { kind: a.kind });
      this.log.warn('alert', { kind: a.kind, severity: a.severity, pipeline: a.pipeline, qname: a.qname, domain: a.domain, address: a.address });
      this.hub.broadcast({ type: 'alert', alert: a });
    }
    if (!this.hub.hasClients()) return;
    for (const id of new Set([...started, ...changed])) {
      const build = this.store.getBuild(id);
      if (build) this.hub.broadcast({ type: 'build', build });
    }
  }

  /** An alert raised outside ingest (the DNS guard's), or one moved to the build that caused it. */
  publishAlert(alert: StoredAlert, moved: boolean): void {
    if (moved) {
      this.hub.broadcast({ type: 'alert_updated', alert });
      return;
    }
    this.publish([alert], new Set([alert.buildId]), []);
  }

  /** The core still holds the build (open, or ended within its grace). */
  holds(buildId: string): boolean {
    return this.core.build(buildId) !== undefined;
  }

  /** An alert was added to a build outside ingest: its in-memory count follows (the store's row is rewritten from it). */
  countAlert(buildId: string): void {
    const b = this.core.build(buildId);
    if (b) b.counts.alerts++;
  }

  /** The process chain of `pid` in a build still in memory, root first. */
  chainOf(buildId: string, pid: number): ProcessInfo[] {
    return this.core.build(buildId)?.tree.chain(pid).map((n) => ({ pid: n.pid, ppid: n.ppid, exe: n.exe, argv: n.argv, cwd: n.cwd, startTimeUs: n.startTimeUs })) ?? [];
  }

  /** Builds in memory that have not ended. */
  get openBuilds(): number {
    return this.core.openBuilds;
  }

  /** An operator allowed `kind` alerts on a domain for a pipeline; the store holds it already (a reload keeps it). */
  allowDomain(pipeline: string, domain: string, kind: string): void {
    this.core.allowDomain(pipeline, domain, kind);
  }

  revokeAllowance(pipeline: string, domain: string, kind: string, unlearn: boolean): void {
    this.core.revokeAllowance(pipeline, domain, kind, unlearn);
  }

  /** The store changed a baseline (approval, removal, expiry, settings); the core follows. */
  updateBaseline(pipeline: string, change: BaselineChange): void {
    this.core.updateBaseline(pipeline, change);
  }

  /** Resolves once the agent's batches up to `sequence` are applied, or after `waitMs`. */
  waitForSequence(agentId: string, sequence: number, waitMs: number): Promise<boolean> {
    if (this.store.lastSequence(agentId) >= sequence) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { agentId, sequence, resolve: () => { clearTimeout(timer); resolve(true); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(this.store.lastSequence(agentId) >= sequence);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  private wake(agentId: string, sequence: number): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.agentId === agentId && w.sequence <= sequence);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
