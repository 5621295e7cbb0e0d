// What a build's lockfiles say about a package: its locked version, how the project reaches it,
// whether it arrived in this build (and who brought it in), and whether its name looks like a
// well-known package's. Pure: the ledger (an adapter) reads, stores and diffs the files; this
// turns its answers into alert evidence and the build's low-severity typosquat findings.
import type { LockfileEvent } from '@telltale/proto';
import type { BuildContext } from '@telltale/proto';
import {
  describeArrival, describePath, dependencyPaths, isDirect, normaliseName,
  type LockedPackage, type Lockfile, type LockfileDiff, type LockfileKind,
} from '../lockfiles/index.js';
import type { TyposquatSignal } from '../typosquat/index.js';
import type { Finding } from '../observation.js';
import type { PackageRef } from './package-of.js';

/** What became of one reported lockfile. */
export type LockfileStatus = 'parsed' | 'unparsable' | 'content_unknown' | 'too_large' | 'over_budget';

/** One lockfile of a build as the ledger resolved it; the lock and diff are shared, read-only. */
export interface BuildLockfile {
  path: string;
  kind: LockfileKind;
  sha256: string;
  status: LockfileStatus;
  /** Why it could not be parsed, for a person. */
  detail: string | null;
  lock: Lockfile | null;
  /** Against the pipeline's previous snapshot of the same path; null when this one is not parsed. */
  diff: LockfileDiff | null;
  /** The build the previous snapshot came from (null: none, the pipeline's first). */
  previousBuildId: string | null;
  /** Typosquat signals of the packages this build added, by package id. */
  typosquat: ReadonlyMap<string, readonly TyposquatSignal[]>;
}

/** The collector's side of lockfiles, implemented by an adapter that stores and diffs them. */
export interface LockfilePort {
  /** Stores the snapshot (content by hash) and resolves it; a string is a drop reason. */
  snapshot(context: BuildContext, e: LockfileEvent, nowUs: number): BuildLockfile | string;
  judge(ecosystem: Lockfile['ecosystem'], name: string): readonly TyposquatSignal[];
}

/**
 * Signals strong enough to raise a finding on a pipeline's first lockfile, where every package
 * counts as added: look-alike characters and scope confusion are rarely innocent, while an edit
 * or an affix away from a well-known name is common among real packages (5-8% of them, measured
 * in typosquat/README.md), so those wait for a package that actually arrives in a later build.
 */
const STRONG_ON_FIRST: ReadonlySet<TyposquatSignal['kind']> = new Set(['confusable', 'scope_confusion']);

/** At most this many typosquat findings per lockfile snapshot; the build's lockfile view lists them all. */
const MAX_TYPOSQUAT_FINDINGS = 20;

/** Low-severity findings for added packages whose names resemble well-known ones, raised before anything runs. */
export function typosquatFindings(build: { buildId: string; rootPid: number }, view: BuildLockfile): Finding[] {
  if (!view.lock || !view.diff) return [];
  const out: Finding[] = [];
  for (const p of view.diff.added) {
    const signals = (view.typosquat.get(p.id) ?? []).filter((s) => !view.diff!.first || STRONG_ON_FIRST.has(s.kind));
    if (signals.length === 0) continue;
    if (out.length >= MAX_TYPOSQUAT_FINDINGS) break;
    out.push({
      kind: 'typosquat_package', severity: 'low', dedupeKey: `typosquat_package:${view.lock.ecosystem}:${p.name}@${p.version}`,
      buildId: build.buildId, pid: build.rootPid, qname: null, domain: null, address: null,
      evidence: {
        package: { ecosystem: view.lock.ecosystem, name: p.name, version: p.version || null },
        signals: signals.map(signalJson),
        lockfile: view.path,
        arrival: describeArrival(view.diff, p.id),
        dependencyPaths: pathsOf(view.lock, p.name, p.version),
        ...(p.hasBuildScript ? { runsInstallScript: true } : {}),
      },
    });
  }
  return out;
}

/** Evidence for an alert's package: what the build's lockfiles say about it, added to what the process said. */
export function packageEvidence(lockfiles: readonly BuildLockfile[] | undefined, ref: PackageRef, judge: LockfilePort['judge'] | null): Record<string, unknown> {
  const evidence: Record<string, unknown> = { ...ref };
  const signals = judge ? judge(ref.ecosystem, ref.name) : [];
  if (signals.length) evidence.typosquat = signals.map(signalJson);
  const found = locate(lockfiles ?? [], ref);
  if (!found) {
    if (lockfiles?.some((l) => l.lock?.ecosystem === ref.ecosystem)) evidence.lockfile = null; // locked nowhere: worth saying
    return evidence;
  }
  const { view, pkg, versions } = found;
  const lock = view.lock!;
  evidence.version = ref.version ?? pkg?.version ?? null;
  if (!ref.version && versions.length > 1) evidence.lockedVersions = versions;
  evidence.lockfile = view.path;
  const version = typeof evidence.version === 'string' && evidence.version !== '' ? evidence.version : undefined;
  evidence.direct = isDirect(lock, ref.name, version);
  evidence.dependencyPaths = pathsOf(lock, ref.name, version);
  if (view.diff && pkg) {
    const arrival = describeArrival(view.diff, pkg.id);
    evidence.arrivedInThisBuild = view.diff.first ? null : arrival !== null;
    if (arrival) evidence.arrival = arrival;
    if (arrival) evidence.lockfileChange = changeSummary(view);
  }
  return evidence;
}

/** The lockfile that locks the package (the one with a version match first), and the package. */
function locate(lockfiles: readonly BuildLockfile[], ref: PackageRef): { view: BuildLockfile; pkg: LockedPackage | null; versions: string[] } | null {
  let fallback: { view: BuildLockfile; pkg: LockedPackage | null; versions: string[] } | null = null;
  for (const view of lockfiles) {
    const lock = view.lock;
    if (!lock || lock.ecosystem !== ref.ecosystem) continue;
    const wanted = normaliseName(lock.ecosystem, ref.name);
    const same = lock.packages.filter((p) => !p.synthetic && normaliseName(lock.ecosystem, p.name) === wanted);
    if (same.length === 0) continue;
    const versions = [...new Set(same.map((p) => p.version))].sort();
    if (ref.version) {
      const pkg = same.find((p) => p.version === ref.version);
      if (pkg) return { view, pkg, versions };
      continue;
    }
    // A name locked once is the package; several versions: the one that arrived in this build, if one did.
    const arrived = same.find((p) => view.diff?.added.some((a) => a.id === p.id));
    const pick = same.length === 1 ? same[0]! : arrived ?? null;
    if (pick) return { view, pkg: pick, versions };
    fallback ??= { view, pkg: null, versions };
  }
  return fallback;
}

function pathsOf(lock: Lockfile, name: string, version: string | undefined): string[] {
  return dependencyPaths(lock, name, version || undefined).slice(0, 3).map((p) => describePath(lock, p));
}

function changeSummary(view: BuildLockfile): Record<string, unknown> {
  const diff = view.diff!;
  return {
    lockfile: view.path,
    previousBuildId: view.previousBuildId,
    added: diff.added.length,
    removed: diff.removed.length,
    upgraded: diff.upgraded.slice(0, 10).map((c) => `${c.name} ${c.from} → ${c.to}`),
    downgraded: diff.downgraded.slice(0, 10).map((c) => `${c.name} ${c.from} → ${c.to}`),
  };
}

function signalJson(s: TyposquatSignal): Record<string, unknown> {
  return { kind: s.kind, resembles: s.resembles, evidence: s.evidence };
}

/** The lockfile's change for the API and the console: bounded lists, sentences where a person reads them. */
export function diffSummary(view: BuildLockfile, limit = 500): Record<string, unknown> | null {
  const diff = view.diff;
  if (!diff || !view.lock) return null;
  const lock = view.lock;
  return {
    first: diff.first,
    previousBuildId: view.previousBuildId,
    counts: {
      added: diff.added.length, removed: diff.removed.length, upgraded: diff.upgraded.length, downgraded: diff.downgraded.length,
      changedInPlace: diff.changedInPlace.length, newWithScripts: diff.newWithScripts.length, scriptsGained: diff.scriptsGained.length,
    },
    added: diff.first ? [] : diff.added.slice(0, limit).map((p) => ({
      name: p.name, version: p.version || null, source: p.source, hasBuildScript: p.hasBuildScript ?? null,
      arrival: describeArrival(diff, p.id), typosquat: (view.typosquat.get(p.id) ?? []).map(signalJson),
    })),
    // On a first lockfile nothing "arrived"; only the strong look-alikes are listed.
    flagged: diff.added.filter((p) => (view.typosquat.get(p.id) ?? []).length > 0).slice(0, limit).map((p) => ({
      name: p.name, version: p.version || null, typosquat: (view.typosquat.get(p.id) ?? []).map(signalJson),
      dependencyPaths: pathsOf(lock, p.name, p.version),
    })),
    removed: diff.first ? [] : diff.removed.slice(0, limit).map((p) => ({ name: p.name, version: p.version || null })),
    upgraded: diff.upgraded.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
    downgraded: diff.downgraded.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
    changedInPlace: diff.changedInPlace.slice(0, limit).map((c) => ({ name: c.name, version: c.version, what: c.what })),
    scriptsGained: diff.scriptsGained.slice(0, limit).map((c) => ({ name: c.name, from: c.from, to: c.to })),
  };
}
