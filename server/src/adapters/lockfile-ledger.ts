// Keeps the lockfiles agents report: each content once by hash, each build's snapshot with the
// snapshot it was diffed against (another build's, the latest received before it). Builds hold
// small references; the ledger resolves one (parsed lockfile, diff, typosquat signals of what was
// added) on demand, through a cache bounded by the packages it holds and shared by every build of
// the same pair of hashes. Parsing and diffing are the pure lockfiles/ code. It never throws: an
// unexpected failure is logged and becomes a drop (`lockfile_error`) or an unresolved reference.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { BuildContext, BuildLockfileRow, LockfileChange, LockfileEvent } from '@telltale/proto';
import { diffLockfiles, lockfileKind, parseLockfile, type Lockfile, type LockfileKind } from '../core/lockfiles/index.js';
import { diffSummary, type BuildLockfile, type LockfilePort, type LockfileStatus, type ResolvedLockfile } from '../core/attribution/build-lockfiles.js';
import type { TyposquatJudge, TyposquatSignal } from '../core/typosquat/index.js';
import { usToIso } from './store-rows.js';
import { CostLru } from './lockfile-cache.js';

/** A parsed lockfile, or why there is none. */
type Parsed = { lock: Lockfile; detail: null } | { lock: null; detail: string };
type Cached = { parsed: Parsed } | { resolved: ResolvedLockfile };

/** Packages the cache holds at most, parses and diffs together (a 20,000-package npm lock is ~9 MB parsed). */
export const CACHE_PACKAGES = 400_000;
/** Snapshots of one build the API lists (the latest ones): each carries a diff summary of up to a few MB. */
export const API_ROWS = 64;
/** Snapshots one build may record, and the bytes of their contents (past them: counted drops, `over_budget`). */
export const MAX_SNAPSHOTS_PER_BUILD = 256;
export const MAX_CONTENT_PER_BUILD = 64 * 1024 * 1024;
/**
 * A snapshot's base: another build's latest parsed snapshot of the path, in the order the
 * collector received them (agents' clocks are not trusted for order). Every row already stored
 * was received before the one being recorded. Served by the partial index build_lockfiles_parsed.
 */
export const BASE_QUERY = `SELECT build_id, sha256 FROM build_lockfiles
  WHERE pipeline = ? AND path = ? AND status = 'parsed' AND build_id <> ? ORDER BY id DESC LIMIT 1`;

export interface LedgerOptions {
  log?: { error(msg: string, fields?: Record<string, unknown>): void };
  cachePackages?: number;
}

interface SnapshotRow {
  id: number;
  build_id: string;
  path: string;
  kind: string;
  sha256: string;
  size: number;
  time_us: number;
  status: string;
  detail: string | null;
  format: string | null;
  packages: number | null;
  previous_build_id: string | null;
  previous_sha256: string | null;
  diff: string | null;
  scan_incomplete: number;
}

export class LockfileLedger implements LockfilePort {
  private readonly cache: CostLru<Cached>;
  private readonly sql;
  private parses = 0;
  private readonly log: NonNullable<LedgerOptions['log']>;

  constructor(private readonly db: Database.Database, private readonly typosquat: TyposquatJudge | null, options: LedgerOptions = {}) {
    this.cache = new CostLru(options.cachePackages ?? CACHE_PACKAGES);
    this.log = options.log ?? { error: () => undefined };
    this.sql = {
      blob: db.prepare('SELECT content FROM lockfile_blobs WHERE sha256 = ?').pluck(),
      putBlob: db.prepare('INSERT OR IGNORE INTO lockfile_blobs (sha256, size, content, first_seen_us) VALUES (?, ?, ?, ?)'),
      existing: db.prepare('SELECT * FROM build_lockfiles WHERE build_id = ? AND path = ? AND sha256 = ?'),
      // The content budget counts what was stored for the build's snapshots, at its stored size: not
      // the sizes declared by snapshots without content (too large, over budget, never received).
      usage: db.prepare(`SELECT count(*) AS rows, coalesce(sum(c.size), 0) AS bytes FROM build_lockfiles b
        LEFT JOIN lockfile_blobs c ON c.sha256 = b.sha256 AND b.status IN ('parsed', 'unparsable') WHERE b.build_id = ?`),
      latestOfBuild: db.prepare('SELECT id FROM build_lockfiles WHERE build_id = ? AND path = ? ORDER BY id DESC LIMIT 1').pluck(),
      firstOfBuild: db.prepare('SELECT previous_build_id, previous_sha256 FROM build_lockfiles WHERE build_id = ? AND path = ? ORDER BY id LIMIT 1'),
      base: db.prepare(BASE_QUERY),
      // Reported again after another content: the row becomes the path's latest (by id, which picks
      // bases), and its time says when it was last reported.
      bump: db.prepare('UPDATE build_lockfiles SET id = (SELECT max(id) + 1 FROM build_lockfiles), time_us = max(time_us, ?) WHERE id = ?'),
      drop: db.prepare('DELETE FROM build_lockfiles WHERE id = ?'),
      insert: db.prepare(`INSERT OR IGNORE INTO build_lockfiles
        (build_id, pipeline, path, kind, sha256, size, time_us, status, detail, format, packages, previous_build_id, previous_sha256, diff, scan_incomplete)
        VALUES (@buildId, @pipeline, @path, @kind, @sha256, @size, @timeUs, @status, @detail, @format, @packages, @previousBuildId, @previousSha256, @diff, @scanIncomplete)`),
      // Each path's current snapshot, in the order the paths were first reported.
      refsOf: db.prepare(`SELECT b.* FROM build_lockfiles b
        JOIN (SELECT max(id) AS last, min(id) AS first FROM build_lockfiles WHERE build_id = ? GROUP BY path) g ON b.id = g.last
        ORDER BY g.first LIMIT ?`),
      rowsOf: db.prepare('SELECT * FROM (SELECT * FROM build_lockfiles WHERE build_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id'),
    };
  }

  judge(ecosystem: Lockfile['ecosystem'], name: string): readonly TyposquatSignal[] {
    try {
      return this.typosquat?.judge(ecosystem, name) ?? [];
    } catch (err) {
      this.log.error('judging a package name failed', { error: String(err), ecosystem });
      return [];
    }
  }

  /**
   * Stores one snapshot and returns its reference. Idempotent: an agent resending a batch gets
   * the snapshot as first recorded (diffed against the same base), not a diff against itself.
   */
  snapshot(context: BuildContext, e: LockfileEvent, nowUs: number): BuildLockfile | string {
    try {
      return this.record(context, e, nowUs);
    } catch (err) {
      this.log.error('recording a lockfile failed', { error: String(err), buildId: e.buildId.slice(0, 200), path: e.path.slice(0, 300) });
      return 'lockfile_error';
    }
  }

  /** The parse and diff of a parsed snapshot, from the cache or made again; null when not parsed. */
  resolve(ref: BuildLockfile): ResolvedLockfile | null {
    if (ref.status !== 'parsed') return null;
    try {
      return this.resolvePair(ref.kind, ref.sha256, ref.previousSha256);
    } catch (err) {
      this.log.error('resolving a lockfile failed', { error: String(err), path: ref.path.slice(0, 300), sha256: ref.sha256 });
      return null;
    }
  }

  /** Each path's current snapshot of a build (a collector reloading open builds): one query, nothing parsed. */
  refsOf(buildId: string, limit: number): BuildLockfile[] {
    return (this.sql.refsOf.all(buildId, limit) as SnapshotRow[]).map(refOf);
  }

  /** What the API shows: the build's latest API_ROWS snapshots, oldest first. */
  rowsOf(buildId: string): BuildLockfileRow[] {
    return (this.sql.rowsOf.all(buildId, API_ROWS) as SnapshotRow[]).map((r) => ({
      path: r.path, kind: r.kind as LockfileKind, sha256: r.sha256, size: r.size, reportedAt: usToIso(r.time_us), status: r.status as LockfileStatus,
      detail: r.detail, format: r.format, packages: r.packages, change: r.diff ? (JSON.parse(r.diff) as LockfileChange) : null,
    }));
  }

  /** The stored content of a lockfile, by hash; null when the collector never received it. */
  content(sha256: string): Buffer | null {
    return (this.sql.blob.get(sha256) as Buffer | undefined) ?? null;
  }

  /** What the cache holds, and how many parses it has run. */
  cacheStats(): { entries: number; packages: number; parses: number } {
    return { entries: this.cache.size, packages: this.cache.cost, parses: this.parses };
  }

  private record(context: BuildContext, e: LockfileEvent, nowUs: number): BuildLockfile | string {
    const kind = lockfileKind(e.path);
    if (!kind) return 'lockfile_unknown_kind';
    const again = this.sql.existing.get(e.buildId, e.path, e.sha256) as SnapshotRow | undefined;
    // A build rewriting its lockfiles at every step must not fill the disk: bounded snapshots and
    // content per build (a resend of a snapshot it has is always taken).
    const usage = this.sql.usage.get(e.buildId) as { rows: number; bytes: number };
    if (!again && usage.rows >= MAX_SNAPSHOTS_PER_BUILD) return 'lockfiles_per_build';
    if (e.content && !again && usage.bytes + e.content.length > MAX_CONTENT_PER_BUILD) e = { ...e, content: null, omitted: 'over_budget' };
    if (e.content) {
      if (createHash('sha256').update(e.content).digest('hex') !== e.sha256) return 'lockfile_hash_mismatch';
      this.sql.putBlob.run(e.sha256, e.content.length, e.content, nowUs);
    }
    if (again && !(again.status === 'content_unknown' && e.content)) {
      // A resend, or the lockfile changed back (A → B → A): it is the path's current snapshot again.
      if (this.sql.latestOfBuild.get(e.buildId, e.path) !== again.id) this.sql.bump.run(e.timeUs, again.id);
      return refOf(again);
    }
    // Every snapshot of a build diffs against the same base: "arrived in this build" is relative to
    // the previous build. Read before a row is replaced, so content arriving late keeps its base.
    const earlier = this.sql.firstOfBuild.get(e.buildId, e.path) as Pick<SnapshotRow, 'previous_build_id' | 'previous_sha256'> | undefined;
    const base = earlier
      ? { build_id: earlier.previous_build_id, sha256: earlier.previous_sha256 }
      : (this.sql.base.get(context.pipeline, e.path, e.buildId) as { build_id: string; sha256: string } | undefined);
    // The content arrived after all: recorded afresh.
    if (again) this.sql.drop.run(again.id);
    const ref: BuildLockfile = {
      path: e.path, kind, sha256: e.sha256, status: 'parsed', detail: null, previousBuildId: base?.build_id ?? null, previousSha256: base?.sha256 ?? null,
      ...(e.scanIncomplete ? { scanIncomplete: true as const } : {}),
    };
    const parsed = this.parse(kind, e.sha256);
    if (!parsed) {
      ref.status = e.omitted ?? 'content_unknown';
      ref.detail = e.omitted ? null : 'the collector never received this content';
    } else if (!parsed.lock) {
      ref.status = 'unparsable';
      ref.detail = parsed.detail;
    }
    // A failure here (a bug, not bad content) is the caller's lockfile_error: no row claims a diff it lacks.
    const resolved = ref.status === 'parsed' ? this.resolvePair(kind, e.sha256, ref.previousSha256) : null;
    this.sql.insert.run({
      buildId: e.buildId, pipeline: context.pipeline, path: e.path, kind, sha256: e.sha256, size: e.size, timeUs: e.timeUs,
      status: ref.status, detail: ref.detail, format: parsed?.lock?.format ?? null,
      packages: parsed?.lock ? parsed.lock.packages.filter((p) => !p.synthetic).length : null,
      previousBuildId: ref.previousBuildId, previousSha256: ref.previousSha256, diff: jsonOrNull(diffSummary(ref, resolved)),
      scanIncomplete: e.scanIncomplete ? 1 : 0,
    });
    return ref;
  }

  private resolvePair(kind: LockfileKind, sha256: string, previousSha: string | null): ResolvedLockfile | null {
    const key = `diff:${kind}:${sha256}:${previousSha ?? ''}`;
    const hit = this.cache.get(key);
    if (hit && 'resolved' in hit) return hit.resolved;
    const lock = this.parse(kind, sha256)?.lock;
    if (!lock) return null;
    const before = previousSha ? this.parse(kind, previousSha)?.lock ?? null : null;
    const diff = diffLockfiles(before, lock);
    const typosquat = new Map<string, readonly TyposquatSignal[]>();
    if (this.typosquat) {
      for (const p of diff.added) {
        const signals = this.typosquat.judge(lock.ecosystem, p.name);
        if (signals.length) typosquat.set(p.id, signals);
      }
    }
    const resolved: ResolvedLockfile = { lock, diff, typosquat };
    // The lock is counted again here: evicting its parse entry does not free it while a diff holds it.
    this.cache.set(key, { resolved }, lock.packages.length + diff.added.length + diff.removed.length + diff.upgraded.length + diff.downgraded.length);
    return resolved;
  }

  /** The parse of a stored content; null when the content was never received. */
  private parse(kind: LockfileKind, sha256: string): Parsed | null {
    const key = `lock:${kind}:${sha256}`;
    const hit = this.cache.get(key);
    if (hit && 'parsed' in hit) return hit.parsed;
    const content = this.content(sha256);
    if (!content) return null;
    this.parses++;
    const r = parseLockfile(kind, new TextDecoder('utf-8', { fatal: false }).decode(content));
    const parsed: Parsed = r.ok ? { lock: r.lock, detail: null } : { lock: null, detail: `${r.code}: ${r.message}${r.line ? ` (line ${r.line})` : ''}` };
    this.cache.set(key, { parsed }, parsed.lock?.packages.length ?? 1);
    return parsed;
  }
}

function refOf(r: SnapshotRow): BuildLockfile {
  return {
    path: r.path, kind: r.kind as LockfileKind, sha256: r.sha256, status: r.status as LockfileStatus, detail: r.detail,
    previousBuildId: r.previous_build_id, previousSha256: r.previous_sha256, ...(r.scan_incomplete ? { scanIncomplete: true as const } : {}),
  };
}

function jsonOrNull(v: Record<string, unknown> | null): string | null {
  return v ? JSON.stringify(v) : null;
}
