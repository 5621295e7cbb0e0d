// What changed between a pipeline's previous build's lockfile and this build's: packages added,
// removed, upgraded and downgraded, matched by (name as the ecosystem compares it, source) so
// several versions of one name (Cargo allows that) pair up sensibly; and for each added package, which changed packages
// brought it in. Synthetic project stand-ins and go.mod-only go.sum entries are not packages here.
import { normaliseName, type LockedPackage, type Lockfile, type PackageSource } from './lockfile.js';
import { compareVersions, compatibilityClass } from './version-order.js';

export interface VersionChange {
  name: string;
  source: PackageSource;
  from: string;
  to: string;
  fromId: string;
  toId: string;
}

/** Same name and version, different content: a re-published artifact or a moved git ref. */
export interface InPlaceChange {
  id: string;
  name: string;
  version: string;
  what: 'checksum' | 'source';
  from: string | null;
  to: string | null;
}

export interface Introducer {
  id: string;
  name: string;
  version: string;
  /** new: it arrived in this build too; version: its version changed; dependencies: same version, newly depends on it. */
  change: 'new' | 'version' | 'dependencies';
  previousVersion: string | null;
  /** The project stand-in of a lockfile that does not name the project. */
  synthetic?: true;
  /** The project itself or one of its workspace members (a root of the lockfile): a direct dependency. */
  root?: true;
}

export interface Arrival {
  id: string;
  broughtInBy: Introducer[];
  /** Versions of the same name and source locked in the previous build. */
  otherVersionsBefore: string[];
}

export interface LockfileDiff {
  /** No previous lockfile (or one of another ecosystem): everything is `added`, nothing is attributed. */
  first: boolean;
  added: LockedPackage[];
  removed: LockedPackage[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  changedInPlace: InPlaceChange[];
  /** Added packages known to run a build or install script. */
  newWithScripts: LockedPackage[];
  /** Upgraded or downgraded packages whose new version runs a script and whose old one did not. */
  scriptsGained: VersionChange[];
  /** One per added package, in the order of `added`. */
  arrivals: Arrival[];
}

const MAX_INTRODUCERS = 20;
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const counted = (l: Lockfile) => l.packages.filter((p) => !p.synthetic && !p.metadataOnly);

export function diffLockfiles(before: Lockfile | null, after: Lockfile): LockfileDiff {
  const diff: LockfileDiff = {
    first: false, added: [], removed: [], upgraded: [], downgraded: [], changedInPlace: [], newWithScripts: [], scriptsGained: [], arrivals: [],
  };
  if (!before || before.ecosystem !== after.ecosystem) {
    diff.first = true;
    diff.added = counted(after).sort(byId);
    diff.newWithScripts = diff.added.filter((p) => p.hasBuildScript === true);
    return diff;
  }

  const groups = new Map<string, { b: LockedPackage[]; a: LockedPackage[] }>();
  const group = (p: LockedPackage) => {
    const key = nameKey(after, p);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { b: [], a: [] }));
    return g;
  };
  for (const p of counted(before)) group(p).b.push(p);
  for (const p of counted(after)) group(p).a.push(p);

  const previous = new Map<string, LockedPackage>(); // after id → the before package it continues
  for (const { b, a } of groups.values()) {
    const pairs = pairUp(b, a);
    for (const [from, to] of pairs) {
      previous.set(to.id, from);
      if (from.version === to.version) {
        const what = from.sourceDetail !== to.sourceDetail ? 'source'
          : from.checksum !== undefined && to.checksum !== undefined && from.checksum !== to.checksum ? 'checksum' : null;
        if (what === 'source') diff.changedInPlace.push({ id: to.id, name: to.name, version: to.version, what, from: from.sourceDetail ?? null, to: to.sourceDetail ?? null });
        if (what === 'checksum') diff.changedInPlace.push({ id: to.id, name: to.name, version: to.version, what, from: from.checksum!, to: to.checksum! });
        continue;
      }
      const change = { name: to.name, source: to.source, from: from.version, to: to.version, fromId: from.id, toId: to.id };
      (compareVersions(to.version, from.version) >= 0 ? diff.upgraded : diff.downgraded).push(change);
      if (to.hasBuildScript === true && from.hasBuildScript !== true) diff.scriptsGained.push(change);
    }
    const paired = new Set(pairs.flat());
    for (const p of a) if (!paired.has(p)) diff.added.push(p);
    for (const p of b) if (!paired.has(p)) diff.removed.push(p);
  }

  const byChange = (x: VersionChange, y: VersionChange) => (x.toId < y.toId ? -1 : x.toId > y.toId ? 1 : 0);
  for (const list of [diff.upgraded, diff.downgraded, diff.scriptsGained]) list.sort(byChange);
  diff.added.sort(byId);
  diff.removed.sort(byId);
  diff.changedInPlace.sort(byId);
  diff.newWithScripts = diff.added.filter((p) => p.hasBuildScript === true);
  diff.arrivals = arrivals(before, after, diff.added, previous);
  return diff;
}

/**
 * Pairs the versions of one (name, source) before and after: the same version and source first,
 * then the same version, then newest with newest within a compatibility class (1.x with 1.x),
 * then newest with newest across classes. What stays unpaired was added or removed.
 */
function pairUp(before: LockedPackage[], after: LockedPackage[]): Array<[LockedPackage, LockedPackage]> {
  const pairs: Array<[LockedPackage, LockedPackage]> = [];
  const used = new Set<LockedPackage>();
  const stage = (keyOf: (p: LockedPackage) => string, sorted: boolean) => {
    const newestFirst = (x: LockedPackage, y: LockedPackage) => compareVersions(y.version, x.version);
    const queues = new Map<string, { items: LockedPackage[]; next: number }>();
    const left = before.filter((p) => !used.has(p));
    if (sorted) left.sort(newestFirst);
    for (const p of left) {
      const q = queues.get(keyOf(p));
      if (q) q.items.push(p);
      else queues.set(keyOf(p), { items: [p], next: 0 });
    }
    const want = after.filter((p) => !used.has(p));
    if (sorted) want.sort(newestFirst);
    for (const to of want) {
      const q = queues.get(keyOf(to));
      const from = q?.items[q.next++];
      if (!from) continue;
      used.add(from).add(to);
      pairs.push([from, to]);
    }
  };
  stage((p) => `${p.version}\u0000${p.sourceDetail ?? ''}`, false);
  stage((p) => p.version, false);
  stage((p) => compatibilityClass(p.version), true);
  stage(() => '', true);
  return pairs;
}

/** Which (name, source) a package belongs to: `Django` and `django`, `my_crate` and `my-crate` are one. */
function nameKey(lock: Lockfile, p: LockedPackage): string {
  return `${normaliseName(lock.ecosystem, p.name)}\u0000${p.source}`;
}

function arrivals(before: Lockfile, after: Lockfile, added: LockedPackage[], previous: Map<string, LockedPackage>): Arrival[] {
  const beforeById = new Map(before.packages.map((p) => [p.id, p]));
  const dependents = new Map<string, LockedPackage[]>();
  for (const p of after.packages) {
    for (const dep of p.dependencies) {
      const list = dependents.get(dep);
      if (list) list.push(p);
      else dependents.set(dep, [p]);
    }
  }
  const addedIds = new Set(added.map((p) => p.id));
  const versionsBefore = new Map<string, string[]>();
  for (const b of counted(before)) {
    const key = nameKey(before, b);
    const list = versionsBefore.get(key);
    if (list) list.push(b.version);
    else versionsBefore.set(key, [b.version]);
  }
  const beforeSynthetic = before.packages.find((p) => p.synthetic);
  const sameName = (x: LockedPackage | undefined, y: LockedPackage) => x !== undefined && normaliseName(after.ecosystem, x.name) === normaliseName(after.ecosystem, y.name);
  const roots = new Set(after.roots);
  const rank = { version: 0, new: 1, dependencies: 2 } as const;

  return added.map((p) => {
    const broughtInBy: Introducer[] = [];
    for (const d of dependents.get(p.id) ?? []) {
      const was = d.synthetic ? beforeSynthetic : previous.get(d.id);
      let change: Introducer['change'] | null = null;
      if (addedIds.has(d.id)) change = 'new';
      else if (was && was.version !== d.version) change = 'version';
      else if (was && !was.dependencies.some((id) => sameName(beforeById.get(id), p))) change = 'dependencies';
      if (change === null) continue;
      const who: Introducer = { id: d.id, name: d.name, version: d.version, change, previousVersion: change === 'new' ? null : was!.version };
      if (d.synthetic) who.synthetic = true;
      else if (roots.has(d.id)) who.root = true;
      broughtInBy.push(who);
    }
    broughtInBy.sort((x, y) => rank[x.change] - rank[y.change] || byId(x, y));
    const otherVersionsBefore = [...(versionsBefore.get(nameKey(after, p)) ?? [])].sort(compareVersions);
    return { id: p.id, broughtInBy: broughtInBy.slice(0, MAX_INTRODUCERS), otherVersionsBefore };
  });
}
