// Versioned baselines in SQLite: entries (names, domains, destinations, build-script tools),
// the versions that added and removed them, learning by builds, operator approval, expiry,
// and the diffs and allowlists read from them. Every change that alters what a baseline
// allows is a version, written in the same transaction as the change.
import type Database from 'better-sqlite3';
import {
  compareEntries, destinationValue, diffVersions, entryKey, isUnder, normaliseEntry, normaliseName, parseDestination,
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
/**
 * Entries of each kind one build may teach, propose or touch at most (a build that resolves a
 * million names is not a baseline); past that, the version says how many were left out.
 */
const MAX_PER_KIND = { name: 5000, domain: 2000, destination: 2000, tool: 512 } as const;

interface EntryRow {
  pipeline: string; kind: EntryKind; value: string; state: 'active' | 'pending'; version: number | null;
  build_id: string; first_seen_us: number; last_used_us: number;
}
interface VersionRow {
  version: number; created_us: number; cause: string; actor: string; reason: string; builds: string; added: string; removed: string;
}

export class BaselineStore {
  private readonly s;
  /** Told of every new version (the ingest core's copy of the baseline follows). */
  onVersion: ((pipeline: string, version: number) => void) | null = null;

  constructor(private readonly db: Database.Database) {
    this.s = {
      settings: db.prepare('SELECT mode, learning_builds, learned_builds, version FROM baselines WHERE pipeline = ?'),
      ensure: db.prepare('INSERT OR IGNORE INTO baselines (pipeline, learned_builds) VALUES (?, 0)'),
      setVersion: db.prepare('UPDATE baselines SET version = ? WHERE pipeline = ?'),
      setMode: db.prepare('UPDATE baselines SET mode = ?, learning_builds = ? WHERE pipeline = ?'),
      insertVersion: db.prepare(`INSERT INTO baseline_versions (pipeline, version, created_us, cause, actor, reason, builds, added, removed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      versions: db.prepare('SELECT * FROM baseline_versions WHERE pipeline = ? ORDER BY version'),
      oneVersion: db.prepare('SELECT * FROM baseline_versions WHERE pipeline = ? AND version = ?'),
      learnLive: db.prepare(`INSERT INTO baseline_entries (pipeline, kind, value, state, version, build_id, first_seen_us, last_used_us)
        VALUES (?, ?, ?, 'active', NULL, ?, ?, ?)
        ON CONFLICT(pipeline, kind, value) DO UPDATE SET state = 'active', version = NULL, build_id = excluded.build_id WHERE state = 'pending'`),
      entry: db.prepare('SELECT * FROM baseline_entries WHERE pipeline = ? AND kind = ? AND value = ?'),
      deleteEntry: db.prepare('DELETE FROM baseline_entries WHERE pipeline = ? AND kind = ? AND value = ?'),
      propose: db.prepare(`INSERT INTO baseline_entries (pipeline, kind, value, state, version, build_id, first_seen_us, last_used_us)
        VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
        ON CONFLICT(pipeline, kind, value) DO UPDATE SET last_used_us = max(last_used_us, excluded.last_used_us)`),
      touch: db.prepare('UPDATE baseline_entries SET last_used_us = max(last_used_us, ?) WHERE pipeline = ? AND kind = ? AND value = ?'),
      unpoison: db.prepare('DELETE FROM baseline_poisoned WHERE pipeline = ? AND domain = ?'),
      alertAddresses: db.prepare('SELECT DISTINCT address FROM alerts WHERE build_id = ? AND address IS NOT NULL').pluck(),
      orphans: db.prepare("SELECT DISTINCT pipeline, build_id FROM baseline_entries WHERE version IS NULL AND state = 'active'"),
      dropAllowances: db.prepare('DELETE FROM baseline_allowed WHERE pipeline = ? AND domain = ? RETURNING kind'),
      newestBuild: db.prepare('SELECT pipeline, max(started_us) AS newest FROM builds GROUP BY pipeline'),
      unsealed: db.prepare("SELECT kind, value FROM baseline_entries WHERE build_id = ? AND pipeline = ? AND version IS NULL AND state = 'active'"),
      seal: db.prepare("UPDATE baseline_entries SET version = ? WHERE build_id = ? AND pipeline = ? AND version IS NULL AND state = 'active'"),
      activate: db.prepare("UPDATE baseline_entries SET state = 'active', version = ?, last_used_us = max(last_used_us, ?) WHERE pipeline = ? AND kind = ? AND value = ?"),
      entries: db.prepare('SELECT * FROM baseline_entries WHERE pipeline = ? ORDER BY kind, value'),
      idle: db.prepare("SELECT * FROM baseline_entries WHERE pipeline = ? AND state = 'active' AND version IS NOT NULL AND last_used_us < ?"),
      // Ordered so that which ones a cap keeps does not depend on the table's layout.
      buildNames: db.prepare('SELECT DISTINCT qname, domain FROM dns_names WHERE build_id = ? AND partial = 0 AND domain IS NOT NULL ORDER BY first_us, qname'),
      buildDestinations: db.prepare('SELECT DISTINCT address, port, protocol FROM destinations WHERE build_id = ? ORDER BY first_us, address, port'),
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
    this.onVersion?.(pipeline, version);
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
  unlearn(pipeline: string, domain: string, buildId: string, nowUs: number): void {
    // The domain and every exact name under it: a resolver allowing a.evil.test passes <data>.a.evil.test.
    const gone = this.entries(pipeline).filter((e) => (e.kind === 'domain' && e.value === domain) || (e.kind === 'name' && isUnder(e.value, domain)));
    for (const e of gone) this.s.deleteEntry.run(pipeline, e.kind, e.value);
    const versioned = gone.filter((e) => e.state === 'active' && e.version !== null).map(({ kind, value }) => ({ kind, value }));
    if (versioned.length > 0) {
      this.addVersion(pipeline, { createdUs: nowUs, cause: 'poisoned', actor: 'telltale', reason: `${domain} carried exfiltration in a build`, builds: [buildId], added: [], removed: versioned });
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
    const { used, leftOut } = this.usedBy(buildId, seal.tools, poisoned);
    let version: number | null = null;
    if (seal.teaches || seal.mode === 'supervised') {
      // Upserts: new entries are taught (active) or proposed (pending); known ones are marked used.
      const state = seal.teaches ? 'active' : 'pending';
      for (const e of used) this.s.propose.run(pipeline, e.kind, e.value, state, buildId, timeUs, timeUs);
    } else {
      for (const e of used) this.s.touch.run(timeUs, pipeline, e.kind, e.value);
    }
    if (seal.teaches) version = this.sealVersion(pipeline, buildId, timeUs, leftOut > 0 ? `learning build (${leftOut} entries over the per-build caps left out)` : 'learning build');
    return version;
  }

  /** The entries a build taught while it ran (version NULL) become one version. */
  private sealVersion(pipeline: string, buildId: string, timeUs: number, reason: string): number | null {
    const added = this.s.unsealed.all(buildId, pipeline) as BaselineEntryRef[];
    if (added.length === 0) return null;
    const version = this.addVersion(pipeline, { createdUs: timeUs, cause: 'learned', actor: 'telltale', reason, builds: [buildId], added, removed: [] });
    this.s.seal.run(version, buildId, pipeline);
    return version;
  }

  /**
   * Entries a build taught that no version holds because the build never ended (evicted, or
   * silent for a day) nor is held in memory any more: sealed now, so nothing stays active
   * outside the history. `held` says which builds the core still holds.
   */
  sealOrphans(held: (buildId: string) => boolean, nowUs: number): number[] {
    return this.db.transaction(() => {
      const made: number[] = [];
      for (const o of this.s.orphans.all() as { pipeline: string; build_id: string }[]) {
        if (held(o.build_id)) continue;
        const v = this.sealVersion(o.pipeline, o.build_id, nowUs, 'learning build that never ended');
        if (v !== null) made.push(v);
      }
      return made;
    })();
  }

  /**
   * The entries one build used, in their written form: names under poisoned domains and the
   * addresses its alerts named are left out (an alerting destination is never learnt).
   */
  private usedBy(buildId: string, tools: readonly string[], poisoned: ReadonlySet<string>, learning = true): { used: BaselineEntryRef[]; leftOut: number } {
    const out = new Map<string, BaselineEntryRef>();
    const counts: Record<EntryKind, number> = { name: 0, domain: 0, destination: 0, tool: 0 };
    let leftOut = 0;
    const add = (kind: string, value: string) => {
      const e = normaliseEntry(kind, value);
      if (!e || out.has(entryKey(e))) return;
      if (counts[e.kind] >= MAX_PER_KIND[e.kind]) { leftOut++; return; }
      counts[e.kind]++;
      out.set(entryKey(e), e);
    };
    for (const r of this.s.buildNames.iterate(buildId) as Iterable<{ qname: string; domain: string }>) {
      if (poisoned.has(r.domain)) continue;
      add('name', r.qname);
      add('domain', r.domain);
    }
    const alerted = new Set(learning ? this.s.alertAddresses.all(buildId) as string[] : []);
    for (const r of this.s.buildDestinations.iterate(buildId) as Iterable<{ address: string; port: number; protocol: string }>) {
      if (isLoopback(r.address) || alerted.has(r.address) || (r.protocol !== 'tcp' && r.protocol !== 'udp') || r.port === 0) continue;
      add('destination', destinationValue(r.protocol, r.address, r.port));
    }
    for (const t of tools) add('tool', t);
    return { used: [...out.values()], leftOut };
  }

  /**
   * Fills a baseline carried over from before versions (domains only) with the names and
   * destinations of the builds that taught it, into its version 1. Run once, by the migration.
   */
  backfillMigrated(): void {
    const migrated = this.db.prepare("SELECT pipeline FROM baseline_versions WHERE version = 1 AND cause = 'migrated'").pluck().all() as string[];
    for (const pipeline of migrated) {
      const poisoned = new Set(this.s.poisoned.all(pipeline) as string[]);
      const domainRows = this.entries(pipeline).filter((e) => e.kind === 'domain');
      const domains = new Set(domainRows.map((e) => e.value));
      const lastUsed = Math.max(0, ...domainRows.map((e) => e.lastUsedUs));
      const builds = [...new Set(domainRows.map((e) => e.buildId))];
      const added: BaselineEntryRef[] = [];
      const put = (e: BaselineEntryRef | null, buildId: string) => {
        if (e && this.s.propose.run(pipeline, e.kind, e.value, 'active', buildId, lastUsed, lastUsed).changes > 0) added.push(e);
      };
      for (const b of builds) {
        // all(), not iterate(): the loop writes on the same connection.
        for (const r of this.s.buildNames.all(b) as { qname: string; domain: string }[]) {
          if (domains.has(r.domain) && !poisoned.has(r.domain)) put(normaliseEntry('name', r.qname), b);
        }
        const alerted = new Set(this.s.alertAddresses.all(b) as string[]);
        for (const r of this.s.buildDestinations.all(b) as { address: string; port: number; protocol: string }[]) {
          if (isLoopback(r.address) || alerted.has(r.address) || (r.protocol !== 'tcp' && r.protocol !== 'udp') || r.port === 0) continue;
          put(normaliseEntry('destination', destinationValue(r.protocol, r.address, r.port)), b);
        }
      }
      if (added.length === 0) continue;
      this.db.prepare('UPDATE baseline_entries SET version = 1 WHERE pipeline = ? AND version IS NULL').run(pipeline);
      const v = this.versions(pipeline)[0]!;
      this.db.prepare('UPDATE baseline_versions SET added = ? WHERE pipeline = ? AND version = 1').run(JSON.stringify([...v.added, ...added].sort(compareEntries)), pipeline);
    }
  }

  entries(pipeline: string): StoredEntry[] {
    return (this.s.entries.all(pipeline) as EntryRow[]).map(toEntry);
  }

  version(pipeline: string, version: number): BaselineVersion | undefined {
    const row = this.s.oneVersion.get(pipeline, version) as VersionRow | undefined;
    return row && toVersion(row);
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
    const entries = this.entries(pipeline);
    const have = new Map(entries.map((e) => [entryKey(e), e]));
    const allowed = this.allowedDomains(pipeline, entries);
    // Tools of a build are not stored per build (they are known while it runs): names, domains, destinations.
    const { used } = this.usedBy(buildId, [], new Set(), false);
    const counts: Record<EntryKind, number> = { name: 0, domain: 0, destination: 0, tool: 0 };
    const fresh: BuildBaselineDiff['new'] = [];
    for (const e of used) {
      counts[e.kind]++;
      const held = have.get(entryKey(e));
      const coveredByAllowance = e.kind === 'name' && allowed.some((d) => isUnder(e.value, d));
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
  approve(pipeline: string, refs: readonly BaselineEntryRef[] | 'all_pending', actor: string, reason: string, nowUs: number, fromBuild?: string): { version: number; added: BaselineEntryRef[]; unpoisoned: string[] } {
    if (fromBuild !== undefined && this.s.buildPipeline.get(fromBuild) !== pipeline) throw new BaselineError('NOT_FOUND', 'no such build in this pipeline');
    const entries = refs === 'all_pending'
      ? this.entries(pipeline).filter((e) => e.state === 'pending').map(({ kind, value }) => ({ kind, value }))
      : refs.map((r) => {
        const e = normaliseEntry(r.kind, r.value);
        if (!e) throw new BaselineError('BAD_ENTRY', `not a valid ${r.kind} entry: ${JSON.stringify(r.value).slice(0, 80)}`);
        return e;
      });
    // Each entry read once: what is already active is not approved again.
    const todo = entries.map((e) => ({ e, row: this.s.entry.get(pipeline, e.kind, e.value) as EntryRow | undefined }))
      .filter(({ row }) => row?.state !== 'active');
    if (todo.length === 0) throw new BaselineError('NOTHING_TO_APPROVE', 'every entry named is already in the baseline');
    const added = todo.map(({ e }) => e);
    const builds = [...new Set(todo.map(({ row }) => row?.build_id ?? fromBuild).filter((b): b is string => b !== undefined))].sort();
    const version = this.addVersion(pipeline, { createdUs: nowUs, cause: 'approved', actor, reason, builds, added, removed: [] });
    for (const { e, row } of todo) {
      // An operator's word outranks a poisoning: the domain may be learnt again (as an allowance does).
      if (e.kind === 'domain') this.s.unpoison.run(pipeline, e.value);
      if (!row) this.s.propose.run(pipeline, e.kind, e.value, 'active', fromBuild ?? 'operator', nowUs, nowUs);
      this.s.activate.run(version, nowUs, pipeline, e.kind, e.value);
    }
    return { version, added, unpoisoned: added.filter((e) => e.kind === 'domain').map((e) => e.value) };
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

  /**
   * An operator takes active entries out: one version. A domain takes its exact names with it,
   * and the allowances given for it (an allowed domain would otherwise still pass whole).
   */
  remove(pipeline: string, refs: readonly BaselineEntryRef[], actor: string, reason: string, nowUs: number):
    { version: number; removed: BaselineEntryRef[]; allowancesDropped: { domain: string; kind: string }[] } | null {
    const active = this.entries(pipeline).filter((e) => e.state === 'active');
    const asked = new Set(refs.map(entryKey));
    const domains = refs.filter((r) => r.kind === 'domain').map((r) => r.value);
    const removed = active.filter((e) => asked.has(entryKey(e)) || (e.kind === 'name' && domains.some((d) => isUnder(e.value, d))))
      .map(({ kind, value }) => ({ kind, value })).sort(compareEntries);
    if (!removed.some((e) => asked.has(entryKey(e)))) return null;
    for (const r of removed) this.s.deleteEntry.run(pipeline, r.kind, r.value);
    const allowancesDropped = domains.flatMap((domain) => (this.s.dropAllowances.all(pipeline, domain) as { kind: string }[]).map((a) => ({ domain, kind: a.kind })));
    return { version: this.addVersion(pipeline, { createdUs: nowUs, cause: 'removed', actor, reason, builds: [], added: [], removed }), removed, allowancesDropped };
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
   * Entries no build used for `maxIdleUs` before the pipeline's newest build leave its
   * baseline, one version per pipeline, so a baseline shrinks back when a dependency goes
   * away. Measured on the builds' own clock: a pipeline that has not built for a while, or a
   * collector that was down, loses nothing. Entries a running build is teaching stay.
   */
  expire(nowUs: number, maxIdleUs: number): { pipeline: string; version: number; removed: BaselineEntryRef[] }[] {
    return this.db.transaction(() => {
      const out: { pipeline: string; version: number; removed: BaselineEntryRef[] }[] = [];
      for (const { pipeline, newest } of this.s.newestBuild.all() as { pipeline: string; newest: number }[]) {
        const removed = (this.s.idle.all(pipeline, newest - maxIdleUs) as EntryRow[]).map((r) => ({ kind: r.kind, value: r.value })).sort(compareEntries);
        if (removed.length === 0) continue;
        for (const r of removed) this.s.deleteEntry.run(pipeline, r.kind, r.value);
        const days = Math.round(maxIdleUs / 86_400e6 * 10) / 10;
        const version = this.addVersion(pipeline, { createdUs: nowUs, cause: 'expired', actor: 'telltale', reason: `unused by the builds of the last ${days} days`, builds: [], added: [], removed });
        out.push({ pipeline, version, removed });
      }
      return out;
    })();
  }

  /** Domains an operator allowed whole that the baseline still holds (a removed or expired one no longer passes). */
  private allowedDomains(pipeline: string, entries: readonly StoredEntry[]): string[] {
    const active = new Set(entries.filter((e) => e.kind === 'domain' && e.state === 'active').map((e) => e.value));
    // Only names a policy can carry (an allowance may name a domain with odd bytes: `\000x.example`).
    return (this.s.allowedDomains.all(pipeline) as string[]).filter((d) => active.has(d) && normaliseName(d) === d);
  }

  /** The baseline as a policy sees it: exact names, operator-allowed domains, destinations. */
  policyBaseline(pipeline: string, defaultLearningBuilds: number, nowUs: number): PolicyBaseline {
    const st = this.settings(pipeline);
    const entries = this.entries(pipeline);
    const active = entries.filter((e) => e.state === 'active');
    const learningBuilds = st.learningBuilds ?? defaultLearningBuilds;
    const learning = st.mode === 'supervised' ? st.version === 0 : st.learnedBuilds < learningBuilds;
    const destinations: PolicyDestination[] = [];
    for (const e of active) {
      if (e.kind !== 'destination') continue;
      const d = parseDestination(e.value);
      if (d) destinations.push(d);
    }
    const names = active.filter((e) => e.kind === 'name' && normaliseName(e.value) === e.value).map((e) => e.value);
    const domains = this.allowedDomains(pipeline, entries);
    // Nothing to allow is never "ready": an enforcing policy from it would refuse every connection.
    const nothing = names.length + domains.length + destinations.length === 0;
    return {
      pipeline, version: st.version, generatedAtUs: nowUs,
      readiness: learning ? 'learning' : nothing ? 'empty' : 'ready',
      learnedBuilds: st.learnedBuilds, learningBuilds: st.mode === 'supervised' ? 0 : learningBuilds,
      names, domains, destinations,
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
