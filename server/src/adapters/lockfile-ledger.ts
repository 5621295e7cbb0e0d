// Keeps the lockfiles agents report: each content once by hash, each build's snapshot with the
// pipeline's previous snapshot of the same path it was diffed against. Resolves a snapshot for
// the ingest core (parsed lockfile, diff, typosquat signals of what was added); parsing and
// diffing are the pure lockfiles/ code, remembered per hash so a pipeline building the same
// lockfile all day parses it once.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { BuildContext, BuildLockfileRow, LockfileChange, LockfileEvent } from '@telltale/proto';
import { diffLockfiles, lockfileKind, parseLockfile, type Lockfile, type LockfileKind } from '../core/lockfiles/index.js';
import { diffSummary, type BuildLockfile, type LockfilePort, type LockfileStatus } from '../core/attribution/build-lockfiles.js';
import type { TyposquatJudge, TyposquatSignal } from '../core/typosquat/index.js';
import { usToIso } from './store-rows.js';

/** A parsed lockfile, or why there is none. */
type Parsed = { lock: Lockfile; detail: null } | { lock: null; detail: string };

/** Parsed lockfiles kept (by hash): the builds of a few busy pipelines share them. */
const PARSED_CACHE = 64;

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
}

export class LockfileLedger implements LockfilePort {
  private readonly parsed = new Map<string, Parsed>();
  private readonly sql;

  constructor(private readonly db: Database.Database, private readonly typosquat: TyposquatJudge | null) {
    this.sql = {
      blob: db.prepare('SELECT content FROM lockfile_blobs WHERE sha256 = ?').pluck(),
      putBlob: db.prepare('INSERT OR IGNORE INTO lockfile_blobs (sha256, size, content, first_seen_us) VALUES (?, ?, ?, ?)'),
      existing: db.prepare('SELECT * FROM build_lockfiles WHERE build_id = ? AND path = ? AND sha256 = ?'),
      previous: db.prepare('SELECT build_id, sha256 FROM build_lockfiles WHERE pipeline = ? AND path = ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare(`INSERT OR IGNORE INTO build_lockfiles
        (build_id, pipeline, path, kind, sha256, size, time_us, status, detail, format, packages, previous_build_id, previous_sha256, diff)
        VALUES (@buildId, @pipeline, @path, @kind, @sha256, @size, @timeUs, @status, @detail, @format, @packages, @previousBuildId, @previousSha256, @diff)`),
      ofBuild: db.prepare('SELECT * FROM build_lockfiles WHERE build_id = ? ORDER BY id'),
    };
  }

  judge(ecosystem: Lockfile['ecosystem'], name: string): readonly TyposquatSignal[] {
    return this.typosquat?.judge(ecosystem, name) ?? [];
  }

  /**
   * Stores and resolves one snapshot. Idempotent: an agent resending a batch gets the snapshot
   * as first resolved (diffed against the same previous one), not a diff against itself.
   */
  snapshot(context: BuildContext, e: LockfileEvent, nowUs: number): BuildLockfile | string {
    const kind = lockfileKind(e.path);
    if (!kind) return 'lockfile_unknown_kind';
    if (e.content) {
      if (createHash('sha256').update(e.content).digest('hex') !== e.sha256) return 'lockfile_hash_mismatch';
      this.sql.putBlob.run(e.sha256, e.content.length, e.content, nowUs);
    }
    const again = this.sql.existing.get(e.buildId, e.path, e.sha256) as SnapshotRow | undefined;
    if (again) return this.resolve(again.path, kind, again.sha256, again.previous_build_id, again.previous_sha256, e.omitted);
    const previous = this.sql.previous.get(context.pipeline, e.path) as { build_id: string; sha256: string } | undefined;
    const view = this.resolve(e.path, kind, e.sha256, previous?.build_id ?? null, previous?.sha256 ?? null, e.omitted);
    this.sql.insert.run({
      buildId: e.buildId, pipeline: context.pipeline, path: e.path, kind, sha256: e.sha256, size: e.size, timeUs: e.timeUs,
      status: view.status, detail: view.detail, format: view.lock?.format ?? null, packages: view.lock ? view.lock.packages.filter((p) => !p.synthetic).length : null,
      previousBuildId: view.previousBuildId, previousSha256: previous?.sha256 ?? null, diff: jsonOrNull(diffSummary(view)),
    });
    return view;
  }

  /** The lockfiles of a build, resolved again (a collector restarting with the build still open). */
  viewsOf(buildId: string): BuildLockfile[] {
    const rows = this.sql.ofBuild.all(buildId) as SnapshotRow[];
    const latest = new Map<string, SnapshotRow>();
    for (const r of rows) latest.set(r.path, r);
    return [...latest.values()].map((r) => this.resolve(r.path, r.kind as LockfileKind, r.sha256, r.previous_build_id, r.previous_sha256,
      r.status === 'too_large' || r.status === 'over_budget' ? r.status : null));
  }

  /** What the API shows: every snapshot of the build, oldest first. */
  rowsOf(buildId: string): BuildLockfileRow[] {
    return (this.sql.ofBuild.all(buildId) as SnapshotRow[]).map((r) => ({
      path: r.path, kind: r.kind as LockfileKind, sha256: r.sha256, size: r.size, reportedAt: usToIso(r.time_us), status: r.status as LockfileStatus,
      detail: r.detail, format: r.format, packages: r.packages, change: r.diff ? (JSON.parse(r.diff) as LockfileChange) : null,
    }));
  }

  /** The stored content of a lockfile, by hash; null when the collector never received it. */
  content(sha256: string): Buffer | null {
    return (this.sql.blob.get(sha256) as Buffer | undefined) ?? null;
  }

  private resolve(path: string, kind: LockfileKind, sha256: string, previousBuildId: string | null, previousSha: string | null,
    omitted: LockfileEvent['omitted']): BuildLockfile {
    const base = { path, kind, sha256, previousBuildId, lock: null, diff: null, typosquat: new Map<string, readonly TyposquatSignal[]>() };
    const parsed = this.parse(kind, sha256);
    if (!parsed) return { ...base, status: omitted ?? 'content_unknown', detail: omitted ? null : 'the collector never received this content' };
    if (!parsed.lock) return { ...base, status: 'unparsable', detail: parsed.detail };
    const before = previousSha ? this.parse(kind, previousSha)?.lock ?? null : null;
    const diff = diffLockfiles(before, parsed.lock);
    const typosquat = new Map<string, readonly TyposquatSignal[]>();
    if (this.typosquat) {
      for (const p of diff.added) {
        const signals = this.typosquat.judge(parsed.lock.ecosystem, p.name);
        if (signals.length) typosquat.set(p.id, signals);
      }
    }
    return { ...base, status: 'parsed', detail: null, lock: parsed.lock, diff, typosquat };
  }

  /** The parse of a stored content; null when the content was never received. */
  private parse(kind: LockfileKind, sha256: string): Parsed | null {
    const key = `${kind}:${sha256}`;
    const hit = this.parsed.get(key);
    if (hit) {
      this.parsed.delete(key);
      this.parsed.set(key, hit);
      return hit;
    }
    const content = this.content(sha256);
    if (!content) return null;
    const r = parseLockfile(kind, new TextDecoder('utf-8', { fatal: false }).decode(content));
    const parsed: Parsed = r.ok ? { lock: r.lock, detail: null } : { lock: null, detail: `${r.code}: ${r.message}${r.line ? ` (line ${r.line})` : ''}` };
    if (this.parsed.size >= PARSED_CACHE) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, parsed);
    return parsed;
  }
}

function jsonOrNull(v: Record<string, unknown> | null): string | null {
  return v ? JSON.stringify(v) : null;
}
