// What a build's lockfiles say about a package: its locked version, how the project reaches it,
// whether it arrived or changed in this build (and who brought it in), and whether its name looks
// like a well-known package's. Pure: the ledger (an adapter) reads, stores, diffs and caches the
// files; a build holds only small references, resolved when a lockfile arrives or a finding asks.
import type { BuildContext, LockfileEvent } from '@telltale/proto';
import {
  describeArrival, describePath, dependencyGraph, dependencyPaths, isDirect, normaliseName,
  type DependencyGraph, type Ecosystem, type LockedPackage, type Lockfile, type LockfileDiff, type LockfileKind,
} from '../lockfiles/index.js';
import type { TyposquatSignal } from '../typosquat/index.js';
import type { Finding } from '../observation.js';
import type { PackageRef } from './package-of.js';

/** What became of one reported lockfile. */
export type LockfileStatus = 'parsed' | 'unparsable' | 'content_unknown' | 'too_large' | 'over_budget';

/** One lockfile of a build, as a reference (a few strings): the ledger resolves it on demand. */
export interface BuildLockfile {
  path: string;
  kind: LockfileKind;
  sha256: string;
  status: LockfileStatus;
  /** Why it could not be parsed, for a person. */
  detail: string | null;
  /** The snapshot it was diffed against: the previous build's (null: none, the pipeline's first). */
  previousBuildId: string | null;
  previousSha256: string | null;
  /** The agent's scan of the workspace stopped at a bound: other lockfiles may exist unreported. */
  scanIncomplete?: true;
}

/** A parsed snapshot, its diff against its base, and the typosquat signals of what it added (by package id). Shared, read-only. */
export interface ResolvedLockfile {
  lock: Lockfile;
  diff: LockfileDiff;
  typosquat: ReadonlyMap<string, readonly TyposquatSignal[]>;
}

/** Resolves a parsed snapshot; null when it is not parsed or cannot be read. Never throws. */
export type ResolveLockfile = (ref: BuildLockfile) => ResolvedLockfile | null;

/** The collector's side of lockfiles, implemented by an adapter that stores, diffs and caches them. */
export interface LockfilePort {
  /** Stores the snapshot (content by hash) and returns its reference; a string is a drop reason. Never throws. */
  snapshot(context: BuildContext, e: LockfileEvent, nowUs: number): BuildLockfile | string;
  resolve: ResolveLockfile;
  judge(ecosystem: Lockfile['ecosystem'], name: string): readonly TyposquatSignal[];
}

const ECOSYSTEM_OF: Readonly<Record<LockfileKind, Ecosystem>> = {
  'cargo-lock': 'cargo', 'npm-lock': 'npm', 'poetry-lock': 'pypi', 'requirements-txt': 'pypi', 'go-sum': 'go',
};

/**
 * Signals strong enough to raise a finding on a pipeline's first lockfile, where every package
 * counts as added: look-alike characters and scope confusion are rarely innocent, while an edit
 * or an affix away from a well-known name is common among real packages (5-8% of them, measured
 * in typosquat/README.md), so those wait for a package that actually arrives in a later build.
 */
const STRONG_ON_FIRST: ReadonlySet<TyposquatSignal['kind']> = new Set(['confusable', 'scope_confusion']);

/** At most this many typosquat findings per lockfile snapshot; the build's lockfile view lists them all. */
const MAX_TYPOSQUAT_FINDINGS = 20;
/** Flagged packages of a lockfile change that carry their dependency paths (the first ones). */
export const FLAGGED_WITH_PATHS = 20;

/** Low-severity findings for added packages whose names resemble well-known ones, raised before anything runs. */
export function typosquatFindings(build: { buildId: string; rootPid: number }, ref: BuildLockfile, resolved: ResolvedLockfile | null): Finding[] {
  if (!resolved) return [];
  const { lock, diff, typosquat } = resolved;
  const out: Finding[] = [];
  let graph: DependencyGraph | null | undefined;
  for (const p of diff.added) {
    const signals = (typosquat.get(p.id) ?? []).filter((s) => !diff.first || STRONG_ON_FIRST.has(s.kind));
    if (signals.length === 0) continue;
    if (out.length >= MAX_TYPOSQUAT_FINDINGS) break;
    graph ??= dependencyGraph(lock);
    out.push({
      // Per build: alerts' dedupe keys are unique across the store, and every build adding it must say so.
      kind: 'typosquat_package', severity: 'low', dedupeKey: `typosquat_package:${build.buildId}:${lock.ecosystem}:${p.name}@${p.version}`,
      buildId: build.buildId, pid: build.rootPid, qname: null, domain: null, address: null,
      evidence: {
        package: { ecosystem: lock.ecosystem, name: p.name, version: p.version || null },
        signals: signals.map(signalJson),
        lockfile: ref.path,
        arrival: describeArrival(diff, p.id),
        dependencyPaths: pathsOf(lock, p.name, p.version, graph),
        ...(p.hasBuildScript ? { runsInstallScript: true } : {}),
      },
    });
  }
  return out;
}

/** How a package's entry in the lockfile changed since the previous build's. */
export type PackageChange = 'added' | 'upgraded' | 'downgraded' | 'changed_in_place' | 'unchanged';

/** Evidence for an alert's package: what the build's lockfiles say about it, added to what the process said. */
export function packageEvidence(lockfiles: readonly BuildLockfile[] | undefined, ref: PackageRef, resolve: ResolveLockfile,
  judge: LockfilePort['judge'] | null): Record<string, unknown> {
  const evidence: Record<string, unknown> = { ...ref };
  const signals = judge ? judge(ref.ecosystem, ref.name) : [];
  if (signals.length) evidence.typosquat = signals.map(signalJson);
  const { found, sawEcosystem } = locate(lockfiles ?? [], ref, resolve);
  if (!found) {
    // Locked nowhere is worth saying, but only when the agent read the whole workspace.
    if (lockfiles?.some((l) => l.scanIncomplete)) evidence.lockfilesIncomplete = true;
    else if (sawEcosystem) evidence.lockfile = null;
    return withProcMacros(evidence, lockfiles, ref, resolve, judge);
  }
  const { view, resolved, pkg, versions } = found;
  const { lock, diff } = resolved;
  evidence.version = ref.version ?? pkg?.version ?? null;
  if (!ref.version && versions.length > 1) evidence.lockedVersions = versions;
  evidence.lockfile = view.path;
  const version = typeof evidence.version === 'string' && evidence.version !== '' ? evidence.version : undefined;
  evidence.direct = isDirect(lock, ref.name, version);
  evidence.dependencyPaths = pathsOf(lock, ref.name, version, undefined);
  if (pkg) {
    const change = diff.first ? null : changeOf(diff, pkg);
    evidence.arrivedInThisBuild = change ? change.kind === 'added' : null;
    evidence.changeInThisBuild = change?.kind ?? null;
    if (change?.previousVersion) evidence.previousVersion = change.previousVersion;
    const arrival = change?.kind === 'added' ? describeArrival(diff, pkg.id) : null;
    if (arrival) evidence.arrival = arrival;
    if (change && change.kind !== 'unchanged') evidence.lockfileChange = changeSummary(view, diff);
  }
  return withProcMacros(evidence, lockfiles, ref, resolve, judge);
}

/** Proc-macros a rustc loaded, at most this many described (the code that ran is one of theirs). */
const MAX_PROC_MACROS = 8;

/**
 * A rustc that loaded proc-macros ran their code, not the crate's: each is described from the
 * lockfile as the crate is (version, how it is reached, whether it changed in this build).
 */
function withProcMacros(evidence: Record<string, unknown>, lockfiles: readonly BuildLockfile[] | undefined, ref: PackageRef, resolve: ResolveLockfile,
  judge: LockfilePort['judge'] | null): Record<string, unknown> {
  if (!ref.procMacros?.length) return evidence;
  evidence.procMacroPackages = ref.procMacros.slice(0, MAX_PROC_MACROS).map((name) => {
    const { from: _from, procMacros: _none, ...macro } = packageEvidence(lockfiles, { ecosystem: 'cargo', name, version: null, from: 'rustc --extern' }, resolve, judge);
    return macro;
  });
  return evidence;
}

/** Added, upgraded or downgraded (from which version), changed in place, or not changed at all. */
function changeOf(diff: LockfileDiff, pkg: LockedPackage): { kind: PackageChange; previousVersion?: string } {
  if (diff.added.some((p) => p.id === pkg.id)) return { kind: 'added' };
  const up = diff.upgraded.find((c) => c.toId === pkg.id);
  if (up) return { kind: 'upgraded', previousVersion: up.from };
  const down = diff.downgraded.find((c) => c.toId === pkg.id);
  if (down) return { kind: 'downgraded', previousVersion: down.from };
  if (diff.changedInPlace.some((c) => c.id === pkg.id)) return { kind: 'changed_in_place' };
  return { kind: 'unchanged' };
}

interface Located { view: BuildLockfile; resolved: ResolvedLockfile; pkg: LockedPackage | null; versions: string[] }

/**
 * The lockfile that locks the package (the one with a version match first), and the package.
 * Only parsed lockfiles of the package's ecosystem are resolved. `sawEcosystem`: one of them was read.
 */
function locate(lockfiles: readonly BuildLockfile[], ref: PackageRef, resolve: ResolveLockfile): { found: Located | null; sawEcosystem: boolean } {
  let fallback: Located | null = null;
  let sawEcosystem = false;
  for (const view of lockfiles) {
    if (view.status !== 'parsed' || ECOSYSTEM_OF[view.kind] !== ref.ecosystem) continue;
    const resolved = resolve(view);
    if (!resolved || resolved.lock.ecosystem !== ref.ecosystem) continue;
    sawEcosystem = true;
    const { lock, diff } = resolved;
    const wanted = normaliseName(lock.ecosystem, ref.name);
    const same = lock.packages.filter((p) => !p.synthetic && normaliseName(lock.ecosystem, p.name) === wanted);
    if (same.length === 0) continue;
    const versions = [...new Set(same.map((p) => p.version))].sort();
    if (ref.version) {
      const pkg = same.find((p) => p.version === ref.version);
      if (pkg) return { found: { view, resolved, pkg, versions }, sawEcosystem };
      continue;
    }
    // A name locked once is the package; several versions: the one that arrived in this build,
    // else the only one that changed in it.
    const arrived = same.find((p) => diff.added.some((a) => a.id === p.id));
    const changed = diff.first ? [] : same.filter((p) => changeOf(diff, p).kind !== 'unchanged');
    const pick = same.length === 1 ? same[0]! : arrived ?? (changed.length === 1 ? changed[0]! : null);
    if (pick) return { found: { view, resolved, pkg: pick, versions }, sawEcosystem };
    fallback ??= { view, resolved, pkg: null, versions };
  }
  return { found: fallback, sawEcosystem };
}

function pathsOf(lock: Lockfile, name: string, version: string | undefined, graph: DependencyGraph | null | undefined): string[] {
  return dependencyPaths(lock, name, version || undefined, graph).slice(0, 3).map((p) => describePath(lock, p, graph?.byId));
}

function changeSummary(view: BuildLockfile, diff: LockfileDiff): Record<string, unknown> {
  return {
    lockfile: view.path,
    previousBuildId: view.previousBuildId,
    added: diff.added.length,
    removed: diff.removed.length,
    upgraded: diff.upgraded.slice(0, 10).map((c) => `${c.name} ${c.from} → ${c.to}`),
    downgraded: diff.downgraded.slice(0, 10).map((c) => `${c.name} ${c.from} → ${c.to}`),
    changedInPlace: diff.changedInPlace.slice(0, 10).map((c) => `${c.name} ${c.version} (new ${c.what})`),
  };
}

function signalJson(s: TyposquatSignal): Record<string, unknown> {
  return { kind: s.kind, resembles: s.resembles, evidence: s.evidence };
}

/**
 * The lockfile's change for the API and the console: bounded lists, sentences where a person
 * reads them. Only the first FLAGGED_WITH_PATHS flagged packages carry dependency paths (one
 * walk of the graph for all of them); `flaggedPathsShown` says how many do.
 */
export function diffSummary(view: BuildLockfile, resolved: ResolvedLockfile | null, limit = 500): Record<string, unknown> | null {
  if (!resolved) return null;
  const { lock, diff, typosquat } = resolved;
  const flagged = diff.added.filter((p) => (typosquat.get(p.id) ?? []).length > 0).slice(0, limit);
  const shown = Math.min(flagged.length, FLAGGED_WITH_PATHS);
  const graph = shown > 0 ? dependencyGraph(lock) : null;
  return {
    first: diff.first,
    previousBuildId: view.previousBuildId,
    counts: {
      added: diff.added.length, removed: diff.removed.length, upgraded: diff.upgraded.length, downgraded: diff.downgraded.length,
      changedInPlace: diff.changedInPlace.length, newWithScripts: diff.newWithScripts.length, scriptsGained: diff.scriptsGained.length,
    },
    added: diff.first ? [] : diff.added.slice(0, limit).map((p) => ({
      name: p.name, version: p.version || null, source: p.source, hasBuildScript: p.hasBuildScript ?? null,
      arrival: describeArrival(diff, p.id), typosquat: (typosquat.get(p.id) ?? []).map(signalJson),
    })),
    // On a first lockfile nothing "arrived"; only the strong look-alikes are listed.
    flagged: flagged.map((p, i) => ({
      name: p.name, version: p.version || null, typosquat: (typosquat.get(p.id) ?? []).map(signalJson),
      dependencyPaths: i < shown ? pathsOf(lock, p.name, p.version, graph) : [],
    })),
    flaggedPathsShown: shown,
    removed: diff.first ? [] : diff.removed.slice(0, limit).map((p) => ({ name: p.name, version: p.version || null })),
    upgraded: diff.upgraded.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
    downgraded: diff.downgraded.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
    changedInPlace: diff.changedInPlace.slice(0, limit).map((c) => ({ name: c.name, version: c.version, what: c.what })),
    scriptsGained: diff.scriptsGained.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
  };
}
