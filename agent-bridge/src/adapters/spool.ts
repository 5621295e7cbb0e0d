// Durable on-disk spool of encoded EventBatches (better-sqlite3, WAL) between the sources and the forwarder.
// It owns the per-agent sequence: durable and never reused, because the collector drops a reused one as a duplicate.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeBatch, LIMITS, type LossEvent, type TelltaleEvent } from '@telltale/proto';
import { SpoolError } from '../core/errors.js';

export interface SpoolOptions {
  dir: string;
  agentId: string;
  /** Upper bound on the stored batch bytes; a batch that would pass it is dropped and counted. */
  maxBytes: number;
  /** Wall clock in microseconds, stamped on the loss events the spool writes. */
  nowUs?: () => number;
}

export interface SpooledBatch { sequence: number; bytes: Uint8Array; events: number }

export interface SpoolStats {
  bytes: number;
  batches: number;
  oldestSequence: number | null;
  lastSequence: number;
  /** Events dropped because the spool was full, since the spool was created. */
  overflowedEvents: number;
}

/** Overflowed events per build that no loss event has reported yet. */
export interface OverflowReport { totalEvents: number; unreported: { buildId: string; events: number }[] }

export const SPOOL_FILE = 'spool.sqlite';
export const LOSS_SOURCE = 'spool';
export const LOSS_REASON = 'spool_overflow';
const KINDS = new Set(['build_start', 'build_end', 'exec', 'fork', 'exit', 'connect', 'dns', 'loss', 'secret_match', 'lockfile']);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL);
  CREATE TABLE IF NOT EXISTS batches (sequence INTEGER PRIMARY KEY, bytes BLOB NOT NULL, events INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS overflow (build_id TEXT PRIMARY KEY, events INTEGER NOT NULL);`;

function openDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 250 });
    db.pragma('locking_mode = EXCLUSIVE'); // one agent per spool: two writers would reuse sequences
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_BUSY') throw new SpoolError('SPOOL_LOCKED', `${file} is in use by another process`);
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new SpoolError('SPOOL_CORRUPT', `${file} is not a readable spool: ${(err as Error).message}`);
    }
    throw err;
  }
}

function checkEvents(events: unknown): asserts events is TelltaleEvent[] {
  if (!Array.isArray(events)) throw new SpoolError('SPOOL_INVALID_INPUT', 'events must be an array');
  if (events.length > LIMITS.eventsPerBatch) {
    throw new SpoolError('SPOOL_BATCH_TOO_LARGE', `a batch holds at most ${LIMITS.eventsPerBatch} events`);
  }
  for (const e of events as unknown[]) {
    const ev = e as Partial<TelltaleEvent> | null;
    if (!ev || typeof ev !== 'object' || !KINDS.has(ev.kind as string) || typeof ev.buildId !== 'string' || !ev.buildId) {
      throw new SpoolError('SPOOL_INVALID_INPUT', 'event without a known kind or a build id');
    }
  }
}

/** Every statement the spool runs, prepared once. */
function prepare(db: Database.Database) {
  return {
    meta: db.prepare<[string], { value: unknown }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, unknown]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    insert: db.prepare<[number, Uint8Array, number]>('INSERT INTO batches (sequence, bytes, events) VALUES (?, ?, ?)'),
    pending: db.prepare<[number, number], { sequence: number; bytes: Buffer; events: number }>(
      'SELECT sequence, bytes, events FROM batches WHERE sequence > ? ORDER BY sequence LIMIT ?'),
    size: db.prepare<[number], { n: number }>('SELECT length(bytes) AS n FROM batches WHERE sequence = ?'),
    del: db.prepare<[number]>('DELETE FROM batches WHERE sequence = ?'),
    totals: db.prepare<[], { batches: number; bytes: number | null; oldest: number | null; newest: number | null }>(
      'SELECT count(*) AS batches, sum(length(bytes)) AS bytes, min(sequence) AS oldest, max(sequence) AS newest FROM batches'),
    overflow: db.prepare<[], { build_id: string; events: number }>('SELECT build_id, events FROM overflow ORDER BY build_id'),
    addOverflow: db.prepare<[string, number]>(
      'INSERT INTO overflow (build_id, events) VALUES (?, ?) ON CONFLICT(build_id) DO UPDATE SET events = events + excluded.events'),
    clearOverflow: db.prepare('DELETE FROM overflow'),
    oldest: db.prepare<[], { oldest: number | null }>('SELECT min(sequence) AS oldest FROM batches'),
  };
}

export class Spool {
  private readonly db: Database.Database;
  private readonly nowUs: () => number;
  private lastSeq: number;
  private storedBytes: number;
  private closed = false;
  private readonly q: ReturnType<typeof prepare>;

  private constructor(private readonly opts: SpoolOptions, db: Database.Database) {
    this.db = db;
    this.nowUs = opts.nowUs ?? (() => Date.now() * 1000);
    this.q = prepare(db);
    const agent = this.q.meta.get('agent_id')?.value;
    if (agent !== undefined && agent !== opts.agentId) {
      throw new SpoolError('SPOOL_AGENT_MISMATCH', `spool belongs to agent ${String(agent)}`);
    }
    const totals = this.q.totals.get()!;
    // A meta row behind the newest batch cannot happen short of tampering; never go below a stored sequence.
    this.lastSeq = Math.max(Number(this.q.meta.get('last_sequence')?.value ?? 0), totals.newest ?? 0);
    this.storedBytes = totals.bytes ?? 0;
    this.db.transaction(() => {
      this.q.setMeta.run('agent_id', opts.agentId);
      this.q.setMeta.run('last_sequence', this.lastSeq); // the write takes the exclusive lock now, not later
    })();
  }

  static open(opts: SpoolOptions): Spool {
    if (!opts.agentId) throw new SpoolError('SPOOL_INVALID_CONFIG', 'agentId is required');
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes <= 0) {
      throw new SpoolError('SPOOL_INVALID_CONFIG', 'maxBytes must be a positive integer');
    }
    mkdirSync(opts.dir, { recursive: true });
    const db = openDatabase(join(opts.dir, SPOOL_FILE));
    try {
      return new Spool(opts, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Stores the events as the next batch and returns its sequence, or null when nothing was stored:
   * no events, or the spool is full (the events are counted and reported by a loss event later).
   * Loss events for earlier overflow are prepended to the first batch that fits.
   * `sourcePosition` (opaque) is where the source stood once these events were taken.
   */
  append(events: TelltaleEvent[], sourcePosition?: string): number | null {
    this.assertOpen();
    checkEvents(events);
    const unreported = this.q.overflow.all();
    const losses = events.length + unreported.length <= LIMITS.eventsPerBatch ? unreported.map((o) => this.lossEvent(o)) : [];
    const all = [...losses, ...events];
    if (all.length === 0) return null;
    const sequence = this.lastSeq + 1;
    let bytes: Uint8Array;
    try {
      bytes = encodeBatch({ agentId: this.opts.agentId, sequence, events: all });
    } catch (err) {
      throw new SpoolError('SPOOL_INVALID_INPUT', `events do not encode: ${(err as Error).message}`);
    }
    if (this.storedBytes + bytes.length > this.opts.maxBytes) {
      this.recordOverflow(events);
      return null;
    }
    this.db.transaction(() => {
      this.q.insert.run(sequence, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), all.length);
      this.q.setMeta.run('last_sequence', sequence);
      // Stored with the batch, in one transaction: after a crash the source resumes exactly
      // after the last line whose events are here, so none is read twice or skipped.
      if (sourcePosition !== undefined) this.q.setMeta.run('source_position', sourcePosition);
      if (losses.length > 0) this.q.clearOverflow.run();
    })();
    this.lastSeq = sequence;
    this.storedBytes += bytes.length;
    return sequence;
  }

  /** The source position stored with the newest batch, if the source keeps one. */
  sourcePosition(): string | null {
    const v = this.q.meta.get('source_position')?.value;
    return typeof v === 'string' ? v : null;
  }

  /** Stored batches with a sequence above `afterSequence`, oldest first. */
  pending(afterSequence: number, limit: number): SpooledBatch[] {
    this.assertOpen();
    if (!Number.isSafeInteger(limit) || limit < 1) return [];
    return this.q.pending.all(afterSequence, limit).map((r) => ({ sequence: r.sequence, bytes: r.bytes, events: r.events }));
  }

  /** Deletes an acknowledged batch; false when it was not stored (already acked, or never spooled). */
  ack(sequence: number): boolean {
    this.assertOpen();
    const size = this.q.size.get(sequence)?.n;
    if (size === undefined) return false;
    this.q.del.run(sequence);
    this.storedBytes -= size;
    return true;
  }

  lastSequence(): number { return this.lastSeq; }

  /** The oldest unacknowledged sequence, or null when every stored batch was acked. */
  oldestSequence(): number | null {
    this.assertOpen();
    return this.q.oldest.get()?.oldest ?? null;
  }

  stats(): SpoolStats {
    this.assertOpen();
    const t = this.q.totals.get()!;
    return {
      bytes: t.bytes ?? 0, batches: t.batches, oldestSequence: t.oldest, lastSequence: this.lastSeq,
      overflowedEvents: Number(this.q.meta.get('overflowed_events')?.value ?? 0),
    };
  }

  overflowed(): OverflowReport {
    this.assertOpen();
    const unreported = this.q.overflow.all().map((o) => ({ buildId: o.build_id, events: o.events }));
    return { totalEvents: this.stats().overflowedEvents, unreported };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private recordOverflow(events: TelltaleEvent[]): void {
    const perBuild = new Map<string, number>();
    for (const e of events) perBuild.set(e.buildId, (perBuild.get(e.buildId) ?? 0) + 1);
    this.db.transaction(() => {
      for (const [buildId, n] of perBuild) this.q.addOverflow.run(buildId, n);
      const total = Number(this.q.meta.get('overflowed_events')?.value ?? 0) + events.length;
      this.q.setMeta.run('overflowed_events', total);
    })();
  }

  private lossEvent(o: { build_id: string; events: number }): LossEvent {
    return { kind: 'loss', timeUs: this.nowUs(), buildId: o.build_id, source: LOSS_SOURCE, reason: LOSS_REASON, count: o.events };
  }

  private assertOpen(): void {
    if (this.closed) throw new SpoolError('SPOOL_CLOSED', 'spool is closed');
  }
}
