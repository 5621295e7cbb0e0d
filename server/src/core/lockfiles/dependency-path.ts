// How the project reaches a package, read from the lockfile the build used: the shortest chains
// of package ids from a root (the project or a workspace member) to it. Breadth-first, safe on
// cycles, bounded: at most 5 paths, none longer than 64 steps. One walk from the roots serves
// every package asked about (dependencyGraph), so a lockfile with many look-alikes costs one BFS.
import { displayName, normaliseName, type LockedPackage, type Lockfile } from './lockfile.js';

export const MAX_PATHS = 5;
export const MAX_PATH_DEPTH = 64;

/** The shortest-path parents of every package reachable from the roots (within the depth). */
export interface DependencyGraph {
  lock: Lockfile;
  byId: ReadonlyMap<string, LockedPackage>;
  depth: ReadonlyMap<string, number>;
  /** Every parent at the shortest distance, so all shortest paths can be walked back; roots have none. */
  parents: ReadonlyMap<string, readonly string[]>;
}

/** One breadth-first walk from the lockfile's roots; null when the lockfile has no graph (go.sum). */
export function dependencyGraph(lock: Lockfile): DependencyGraph | null {
  if (lock.graph === 'none') return null;
  const byId = new Map(lock.packages.map((p) => [p.id, p]));
  const depth = new Map<string, number>();
  const parents = new Map<string, string[]>();
  let frontier = [...new Set(lock.roots)].filter((id) => byId.has(id)).sort();
  for (const id of frontier) depth.set(id, 0);
  for (let d = 1; d <= MAX_PATH_DEPTH && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const dep of byId.get(id)!.dependencies) {
        if (!byId.has(dep)) continue;
        const seen = depth.get(dep);
        if (seen === undefined) {
          depth.set(dep, d);
          parents.set(dep, [id]);
          next.push(dep);
        } else if (seen === d) {
          parents.get(dep)!.push(id);
        }
      }
    }
    frontier = next.sort();
  }
  return { lock, byId, depth, parents };
}

/**
 * Shortest paths (ids, root first) to every locked version of `packageName` (or only `version`),
 * shortest first. [] when the package is absent, unreachable within the depth, or the lockfile
 * has no graph (go.sum). A root that is itself the package is a path of one. Pass `graph` (from
 * dependencyGraph of the same lockfile) when asking about several packages.
 */
export function dependencyPaths(lock: Lockfile, packageName: string, version?: string, graph?: DependencyGraph | null): string[][] {
  if (lock.graph === 'none') return [];
  const wanted = normaliseName(lock.ecosystem, packageName);
  const isTarget = (p: LockedPackage) => !p.synthetic && normaliseName(lock.ecosystem, p.name) === wanted && (version === undefined || p.version === version);
  const targets = lock.packages.filter(isTarget);
  if (targets.length === 0) return [];
  const g = graph ?? dependencyGraph(lock);
  if (!g) return [];
  const found = [...new Set(targets.map((p) => p.id))].filter((id) => g.depth.has(id));

  const paths: string[][] = [];
  const walk = (id: string, tail: string[]) => {
    if (paths.length >= MAX_PATHS) return;
    const up = g.parents.get(id);
    if (!up) {
      paths.push([id, ...tail]);
      return;
    }
    for (const parent of [...up].sort()) walk(parent, [id, ...tail]);
  };
  found.sort((a, b) => g.depth.get(a)! - g.depth.get(b)! || (a < b ? -1 : 1));
  for (const id of found) walk(id, []);
  return paths.slice(0, MAX_PATHS);
}

/**
 * Whether the project depends on the package itself (some root lists it). null when the lockfile
 * cannot say (go.sum has no graph).
 */
export function isDirect(lock: Lockfile, packageName: string, version?: string): boolean | null {
  if (lock.graph === 'none') return null;
  const byId = new Map(lock.packages.map((p) => [p.id, p]));
  const wanted = normaliseName(lock.ecosystem, packageName);
  return lock.roots.some((root) => (byId.get(root)?.dependencies ?? []).some((id) => {
    const p = byId.get(id);
    return p !== undefined && normaliseName(lock.ecosystem, p.name) === wanted && (version === undefined || p.version === version);
  }));
}

/** A path for a person: "app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0". */
export function describePath(lock: Lockfile, path: string[], byId: ReadonlyMap<string, LockedPackage> = new Map(lock.packages.map((p) => [p.id, p]))): string {
  return path.map((id) => {
    const p = byId.get(id);
    return p ? displayName(p) : id;
  }).join(' → ');
}
