// Versioned baselines in SQLite: entries (names, domains, destinations, build-script tools),
// the versions that added and removed them, learning by builds, operator approval, expiry,
// and the diffs and allowlists read from them. Every change that alters what a baseline
// allows is a version, written in the same transaction as the change.
import type Database from 'better-sqlite3';
import {
  compareEntries, destinationValue, diffVersions, entryKey, normaliseEntry, parseDestination,
  type BaselineEntryRef, type EntryDiff, type EntryKind, type VersionChange,
} from '../core/baseline-entries.js';
import type { LearningMode } from '../core/baseline.js';
import type { BaselineSeal } from '../core/ingest-types.js';
import type { BaselineChange } from '../core/ingest-core.js';
import type { PolicyBaseline, PolicyDestination } from '../core/policy/policy-baseline.js';

export interface BaselineVersion {
  version: number;
  createdUs: number;
  /** learned | approved | allowed | revoked | expired | poisoned | removed | migrated */
  cause: string;
  actor: string;
  reason: string;
  builds: string[];
  added: BaselineEntryRef[];
  removed: BaselineEntryRef[];
}

export interface StoredEntry extends BaselineEntryRef {
  state: 'active' | 'pending';
  /** The version that made it active; null while a running build teaches it or while pending. */
  version: number | null;
  buildId: string;
  firstSeenUs: number;
  lastUsedUs: number;
}

export interface BaselineSettings {
  mode: LearningMode;
  learningBuilds: number | null;
  learnedBuilds: number;
  version: number;
}

/** What one build used, held against the pipeline's baseline now. */
export interface BuildBaselineDiff {
  pipeline: string;
  version: number;
  /** Entries the build used that the baseline does not hold (pending ones say so). */
  new: (BaselineEntryRef & { pending: boolean })[];
  /** How many entries of each kind the build used. */
  used: Record<EntryKind, number>;
}

export class BaselineError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'BAD_ENTRY' | 'BAD_VERSION' | 'NOTHING_TO_APPROVE', message: string) {
    super(message);
  }
}

/** Addresses a policy never needs to list: the host talking to itself. */
const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1';
/** Entries one build may propose or touch at most (a build that resolves a million names is not a baseline). */
const MAX_ENTRIES_PER_BUILD = 5000;

interface EntryRow {
  pipeline: string; kind: EntryKind; value: string; state: 'active' | 'pending'; version: number | null;
  build_id: string; first_seen_us: number; last_used_us: number;
}
interface VersionRow {
  version: number; created_us: number; cause: string; actor: string; reason: string; builds: string; added: string; removed: string;
}

export class BaselineStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      settings: db.prepare('SELECT mode, learning_builds, learned_builds, version FROM baselines WHERE pipeline = ?'),
      ensure: db.prepare('INSERT OR IGNORE INTO baselines (pipeline, learned_builds) VALUES (?, 0)'),
      setVersion: db.prepare('UPDATE baselines SET version = ? WHERE pipeline = ?'),
      setMode: db.prepare('UPDATE baselines SET mode = ?, learning_builds = ? WHERE pipeline = ?'),
      insertVersion: db.prepare(`INSERT INTO baseline_versions (pipeline, version, created_us, cause, actor, reason, builds, added, removed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      versions: db.prepare('SELECT * FROM baseline_versions WHERE pipeline = ? ORDER BY version'),
      learnLive: db.prepare(`INSERT INTO baseline_entries (pipeline, kind, value, state, version, build_id, first_seen_us, last_used_us)
        VALUES (?, ?, ?, 'active', NULL, ?, ?, ?)
        ON CONFLICT(pipeline, kind, value) DO UPDATE SET state = 'active', version = NULL, build_id = excluded.build_id WHERE state = 'pending'`),
      entry: db.prepare('SELECT * FROM baseline_entries WHERE pipeline = ? AND kind = ? AND value = ?'),
      deleteEntry: db.prepare('DELETE FROM baseline_entries WHERE pipeline = ? AND kind = ? AND value = ?'),
      propose: db.prepare(`INSERT INTO baseline_entries (pipeline, kind, value, state, version, build_id, first_seen_us, last_used_us)
        VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
        ON CONFLICT(pipeline, kind, value) DO UPDATE SET last_used_us = max(last_used_us, excluded.last_used_us)`),
      touch: db.prepare('UPDATE baseline_entries SET last_used_us = max(last_used_us, ?) WHERE pipeline = ? AND kind = ? AND value = ?'),
      unsealed: db.prepare("SELECT kind, value FROM baseline_entries WHERE build_id = ? AND pipeline = ? AND version IS NULL AND state = 'active'"),
      seal: db.prepare("UPDATE baseline_entries SET version = ? WHERE build_id = ? AND pipeline = ? AND version IS NULL AND state = 'active'"),
      activate: db.prepare("UPDATE baseline_entries SET state = 'active', version = ?, last_used_us = max(last_used_us, ?) WHERE pipeline = ? AND kind = ? AND value = ?"),
      entries: db.prepare('SELECT * FROM baseline_entries WHERE pipeline = ? ORDER BY kind, value'),
      idle: db.prepare("SELECT * FROM baseline_entries WHERE state = 'active' AND version IS NOT NULL AND last_used_us < ? ORDER BY pipeline"),
      buildNames: db.prepare('SELECT DISTINCT qname, domain FROM dns_names WHERE build_id = ? AND partial = 0 AND domain IS NOT NULL LIMIT ?'),
      buildDestinations: db.prepare('SELECT DISTINCT address, port, protocol FROM destinations WHERE build_id = ? LIMIT ?'),
      poisoned: db.prepare('SELECT domain FROM baseline_poisoned WHERE pipeline = ?').pluck(),
      allowedDomains: db.prepare('SELECT DISTINCT domain FROM baseline_allowed WHERE pipeline = ? ORDER BY domain').pluck(),
      buildPipeline: db.prepare('SELECT pipeline FROM builds WHERE id = ?').pluck(),
    };
  }

  settings(pipeline: string): BaselineSettings {
    const r = this.s.settings.get(pipeline) as { mode: LearningMode; learning_builds: number | null; learned_builds: number; version: number } | undefined;
    return { mode: r?.mode ?? 'auto', learningBuilds: r?.learning_builds ?? null, learnedBuilds: r?.learned_builds ?? 0, version: r?.version ?? 0 };
  }

  /** Records a version and makes it the pipeline's newest. */
  private addVersion(pipeline: string, v: Omit<BaselineVersion, 'version'>): number {
    this.s.ensure.run(pipeline);
    const version = this.settings(pipeline).version + 1;
    this.s.insertVersion.run(pipeline, version, v.createdUs, v.cause, v.actor, v.reason, JSON.stringify(v.builds),
      JSON.stringify([...v.added].sort(compareEntries)), JSON.stringify([...v.removed].sort(compareEntries)));
    this.s.setVersion.run(version, pipeline);
    return version;
  }

  /** A learning build used a domain or a tool the baseline lacked: active at once, sealed into a version at the build's end. */
  learnLive(pipeline: string, kind: 'domain' | 'tool', value: string, buildId: string, timeUs: number): void {
    this.s.learnLive.run(pipeline, kind, value, buildId, timeUs, timeUs);
  }

  /**
   * A domain turned out to carry exfiltration: out of the baseline. An entry already in a
   * version leaves by a version of its own, so the history says why it went.
   */
  unlearn(pipeline: string, kind: EntryKind, value: string, buildId: string, nowUs: number): void {
    const row = this.s.entry.get(pipeline, kind, value) as EntryRow | undefined;
    if (!row) return;
    this.s.deleteEntry.run(pipeline, kind, value);
    if (row.state === 'active' && row.version !== null) {
      this.addVersion(pipeline, { createdUs: nowUs, cause: 'poisoned', actor: 'telltale', reason: 'carried exfiltration in a build', builds: [buildId], added: [], removed: [{ kind, value }] });
    }
  }

  /**
   * A build ended. Every entry it used is marked used now. An auto baseline that it taught
   * gets a version with what it added; a supervised one files what it lacked as proposals.
   * Returns the version made, if any. Runs inside the batch's transaction.
   */
  sealBuild(seal: BaselineSeal): number | null {
    const { pipeline, buildId, timeUs } = seal;
    this.s.ensure.run(pipeline);
    const poisoned = new Set(this.s.poisoned.all(pipeline) as string[]);
    const used = this.usedBy(buildId, seal.tools, poisoned);
    let version: number | null = null;
    if (seal.teaches) {
      for (const e of used) this.s.propose.run(pipeline, e.kind, e.value, 'active', buildId, timeUs, timeUs);
      const added = this.s.unsealed.all(buildId, pipeline) as BaselineEntryRef[];
      if (added.length > 0) {
        version = this.addVersion(pipeline, { createdUs: timeUs, cause: 'learned', actor: 'telltale', reason: 'learning build', builds: [buildId], added, removed: [] });
        this.s.seal.run(version, buildId, pipeline);
      }
    } else if (seal.mode === 'supervised') {
      for (const e of used) this.s.propose.run(pipeline, e.kind, e.value, 'pending', buildId, timeUs, timeUs);
    }
    for (const e of used) this.s.touch.run(timeUs, pipeline, e.kind, e.value);
    return version;
  }

  /** The entries one build used, in their written form (poisoned domains and their names left out). */
  private usedBy(buildId: string, tools: readonly string[], poisoned: ReadonlySet<string>): BaselineEntryRef[] {
    const out = new Map<string, BaselineEntryRef>();
    const add = (kind: string, value: string) => {
      const e = normaliseEntry(kind, value);
      if (e && out.size < MAX_ENTRIES_PER_BUILD) out.set(entryKey(e), e);
    };
    for (const r of this.s.buildNames.all(buildId, MAX_ENTRIES_PER_BUILD) as { qname: string; domain: string }[]) {
      if (poisoned.has(r.domain)) continue;
      add('name', r.qname);
      add('domain', r.domain);
    }
    for (const r of this.s.buildDestinations.all(buildId, MAX_ENTRIES_PER_BUILD) as { address: string; port: number; protocol: string }[]) {
      if (isLoopback(r.address) || (r.protocol !== 'tcp' && r.protocol !== 'udp') || r.port === 0) continue;
      add('destination', destinationValue(r.protocol, r.address, r.port));
    }
    for (const t of tools) add('tool', t);
    return [...out.values()];
  }

  entries(pipeline: string): StoredEntry[] {
    return (this.s.entries.all(pipeline) as EntryRow[]).map(toEntry);
  }

  versions(pipeline: string): BaselineVersion[] {
    return (this.s.versions.all(pipeline) as VersionRow[]).map(toVersion);
  }

  /** What changed between two versions (0 is the empty baseline before the first). */
  diff(pipeline: string, from: number, to: number): EntryDiff {
    const newest = this.settings(pipeline).version;
    for (const v of [from, to]) {
      if (!Number.isInteger(v) || v < 0 || v > newest) throw new BaselineError('BAD_VERSION', `version ${v} does not exist (newest is ${newest})`);
    }
    const changes: VersionChange[] = this.versions(pipeline);
    return diffVersions(changes, from, to);
  }

  /** What a build used that its pipeline's baseline does not hold now. */
  buildDiff(buildId: string): BuildBaselineDiff {
    const pipeline = this.s.buildPipeline.get(buildId) as string | undefined;
    if (pipeline === undefined) throw new BaselineError('NOT_FOUND', 'no such build');
    const have = new Map(this.entries(pipeline).map((e) => [entryKey(e), e]));
    const allowed = new Set(this.s.allowedDomains.all(pipeline) as string[]);
    // Tools of a build are not stored per build (they are known while it runs): names, domains, destinations.
    const used = this.usedBy(buildId, [], new Set());
    const counts: Record<EntryKind, number> = { name: 0, domain: 0, destination: 0, tool: 0 };
    const fresh: BuildBaselineDiff['new'] = [];
    for (const e of used) {
      counts[e.kind]++;
      const held = have.get(entryKey(e));
      const coveredByAllowance = e.kind === 'name' && [...allowed].some((d) => e.value === d || e.value.endsWith(`.${d}`));
      if (held?.state === 'active' || coveredByAllowance) continue;
      fresh.push({ ...e, pending: held?.state === 'pending' });
    }
    fresh.sort(compareEntries);
    return { pipeline, version: this.settings(pipeline).version, new: fresh, used: counts };
  }

  /**
   * An operator approves entries: pending proposals, or entries named from a build's diff.
   * One version, attributed to the operator. Returns the version and the entries it added.
   */
  approve(pipeline: string, refs: readonly BaselineEntryRef[] | 'all_pending', actor: string, reason: string, nowUs: number, fromBuild?: string): { version: number; added: BaselineEntryRef[] } {
    if (fromBuild !== undefined && this.s.buildPipeline.get(fromBuild) !== pipeline) throw new BaselineError('NOT_FOUND', 'no such build in this pipeline');
    const entries = refs === 'all_pending'
      ? this.entries(pipeline).filter((e) => e.state === 'pending').map(({ kind, value }) => ({ kind, value }))
      : refs.map((r) => {
        const e = normaliseEntry(r.kind, r.value);
        if (!e) throw new BaselineError('BAD_ENTRY', `not a valid ${r.kind} entry: ${JSON.stringify(r.value).slice(0, 80)}`);
        return e;
      });
    const added = entries.filter((e) => (this.s.entry.get(pipeline, e.kind, e.value) as EntryRow | undefined)?.state !== 'active');
    if (added.length === 0) throw new BaselineError('NOTHING_TO_APPROVE', 'every entry named is already in the baseline');
    const builds = new Set<string>();
    const version = this.addVersion(pipeline, { createdUs: nowUs, cause: 'approved', actor, reason, builds: [], added, removed: [] });
    for (const e of added) {
      const row = this.s.entry.get(pipeline, e.kind, e.value) as EntryRow | undefined;
      if (row) {
        builds.add(row.build_id);
        this.s.activate.run(version, nowUs, pipeline, e.kind, e.value);
      } else {
        if (fromBuild !== undefined) builds.add(fromBuild);
        this.s.propose.run(pipeline, e.kind, e.value, 'active', fromBuild ?? 'operator', nowUs, nowUs);
        this.s.activate.run(version, nowUs, pipeline, e.kind, e.value);
      }
    }
    this.db.prepare('UPDATE baseline_versions SET builds = ? WHERE pipeline = ? AND version = ?').run(JSON.stringify([...builds].sort()), pipeline, version);
    return { version, added };
  }

  /** An operator turns proposals down: they are forgotten (a later build may propose them again). */
  reject(pipeline: string, refs: readonly BaselineEntryRef[]): BaselineEntryRef[] {
    const gone: BaselineEntryRef[] = [];
    for (const r of refs) {
      const row = this.s.entry.get(pipeline, r.kind, r.value) as EntryRow | undefined;
      if (row?.state !== 'pending') continue;
      this.s.deleteEntry.run(pipeline, r.kind, r.value);
      gone.push({ kind: r.kind, value: r.value });
    }
    return gone;
  }

  /** An operator takes active entries out: one version. */
  remove(pipeline: string, refs: readonly BaselineEntryRef[], actor: string, reason: string, nowUs: number): { version: number; removed: BaselineEntryRef[] } | null {
    const removed = refs.filter((r) => (this.s.entry.get(pipeline, r.kind, r.value) as EntryRow | undefined)?.state === 'active');
    if (removed.length === 0) return null;
    for (const r of removed) this.s.deleteEntry.run(pipeline, r.kind, r.value);
    return { version: this.addVersion(pipeline, { createdUs: nowUs, cause: 'removed', actor, reason, builds: [], added: [], removed }), removed };
  }

  /** An operator allowed a domain from an alert (console-store has written the allowance). */
  allowDomain(pipeline: string, domain: string, buildId: string, actor: string, reason: string, nowUs: number): boolean {
    const row = this.s.entry.get(pipeline, 'domain', domain) as EntryRow | undefined;
    if (row?.state === 'active') return false;
    const version = this.addVersion(pipeline, { createdUs: nowUs, cause: 'allowed', actor, reason, builds: [buildId], added: [{ kind: 'domain', value: domain }], removed: [] });
    this.s.propose.run(pipeline, 'domain', domain, 'active', buildId, nowUs, nowUs);
    this.s.activate.run(version, nowUs, pipeline, 'domain', domain);
    return true;
  }

  /** The allowance that taught a domain was taken back. */
  revokeDomain(pipeline: string, domain: string, actor: string, nowUs: number): void {
    if (!this.s.entry.get(pipeline, 'domain', domain)) return;
    this.s.deleteEntry.run(pipeline, 'domain', domain);
    this.addVersion(pipeline, { createdUs: nowUs, cause: 'revoked', actor, reason: 'its alert was reopened', builds: [], added: [], removed: [{ kind: 'domain', value: domain }] });
  }

  setMode(pipeline: string, mode: LearningMode, learningBuilds: number | null): BaselineSettings {
    this.s.ensure.run(pipeline);
    this.s.setMode.run(mode, learningBuilds, pipeline);
    return this.settings(pipeline);
  }

  /**
   * Entries no build used for `maxIdleUs` leave their baseline, one version per pipeline, so a
   * baseline shrinks back when a dependency goes away. Entries a running build is teaching stay.
   */
  expire(nowUs: number, maxIdleUs: number): { pipeline: string; version: number; removed: BaselineEntryRef[] }[] {
    return this.db.transaction(() => {
      const byPipeline = new Map<string, BaselineEntryRef[]>();
      for (const r of this.s.idle.all(nowUs - maxIdleUs) as EntryRow[]) {
        let list = byPipeline.get(r.pipeline);
        if (!list) byPipeline.set(r.pipeline, (list = []));
        list.push({ kind: r.kind, value: r.value });
      }
      for (const list of byPipeline.values()) list.sort(compareEntries);
      const out: { pipeline: string; version: number; removed: BaselineEntryRef[] }[] = [];
      for (const [pipeline, removed] of byPipeline) {
        for (const r of removed) this.s.deleteEntry.run(pipeline, r.kind, r.value);
        const days = Math.round(maxIdleUs / 86_400e6 * 10) / 10;
        const version = this.addVersion(pipeline, { createdUs: nowUs, cause: 'expired', actor: 'telltale', reason: `unused for ${days} days`, builds: [], added: [], removed });
        out.push({ pipeline, version, removed });
      }
      return out;
    })();
  }

  /** The baseline as a policy sees it: exact names, operator-allowed domains, destinations. */
  policyBaseline(pipeline: string, defaultLearningBuilds: number, nowUs: number): PolicyBaseline {
    const st = this.settings(pipeline);
    const active = this.entries(pipeline).filter((e) => e.state === 'active');
    const learningBuilds = st.learningBuilds ?? defaultLearningBuilds;
    const learning = st.mode === 'supervised' ? st.version === 0 : st.learnedBuilds < learningBuilds;
    const destinations: PolicyDestination[] = [];
    for (const e of active) {
      if (e.kind !== 'destination') continue;
      const d = parseDestination(e.value);
      if (d) destinations.push(d);
    }
    const names = active.filter((e) => e.kind === 'name').map((e) => e.value);
    return {
      pipeline, version: st.version, generatedAtUs: nowUs,
      readiness: learning ? 'learning' : names.length + destinations.length === 0 && st.version === 0 ? 'empty' : 'ready',
      learnedBuilds: st.learnedBuilds, learningBuilds: st.mode === 'supervised' ? 0 : learningBuilds,
      names, domains: this.s.allowedDomains.all(pipeline) as string[], destinations,
    };
  }

  /** What the core needs after a change to the store: domains and tools added or removed. */
  static coreChange(added: readonly BaselineEntryRef[], removed: readonly BaselineEntryRef[], version?: number): BaselineChange {
    const of = (list: readonly BaselineEntryRef[], kind: EntryKind) => list.filter((e) => e.kind === kind).map((e) => e.value);
    return {
      ...(version !== undefined ? { version } : {}),
      addDomains: of(added, 'domain'), removeDomains: of(removed, 'domain'), addTools: of(added, 'tool'), removeTools: of(removed, 'tool'),
    };
  }
}

function toEntry(r: EntryRow): StoredEntry {
  return { kind: r.kind, value: r.value, state: r.state, version: r.version, buildId: r.build_id, firstSeenUs: r.first_seen_us, lastUsedUs: r.last_used_us };
}

function toVersion(r: VersionRow): BaselineVersion {
  return {
    version: r.version, createdUs: r.created_us, cause: r.cause, actor: r.actor, reason: r.reason,
    builds: JSON.parse(r.builds) as string[], added: JSON.parse(r.added) as BaselineEntryRef[], removed: JSON.parse(r.removed) as BaselineEntryRef[],
  };
}
