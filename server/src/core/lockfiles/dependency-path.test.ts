// Paths from the project to a package in real lockfiles, on cycles, and at the bounds.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCargoLock } from './cargo-lock.js';
import { dependencyGraph, dependencyPaths, describePath, isDirect, MAX_PATH_DEPTH } from './dependency-path.js';
import { parseGoSum } from './go-sum.js';
import type { LockedPackage, Lockfile, LockfileParse } from './lockfile.js';
import { parseNpmLock } from './npm-lock.js';
import { parsePoetryLock } from './python-lock.js';

const read = (path: string) => readFileSync(new URL(`./testdata/${path}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}
/** A graph of `name@1` packages from an edge list; the root is `root@1`. */
function graph(edges: Array<[string, string]>): Lockfile {
  const names = new Set(edges.flat());
  const packages = [...names].map((n): LockedPackage => ({
    id: `${n}@1`, name: n, version: '1', source: 'registry', dependencies: edges.filter(([a]) => a === n).map(([, b]) => `${b}@1`),
  }));
  return { ecosystem: 'npm', format: 'test', packages, roots: ['root@1'], graph: 'complete', notes: [] };
}

describe('dependencyPaths', () => {
  const cargo = lock(parseCargoLock(read('cargo/registry-after.v4.lock')));

  it('finds the transitive path to the culprit in a real Cargo.lock', () => {
    const paths = dependencyPaths(cargo, 'url-parsr');
    expect(paths).toEqual([['app@0.1.0', 'rust-utilities@2.1.1', 'url-parsr@0.1.0']]);
    expect(describePath(cargo, paths[0]!)).toBe('app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0');
    expect(isDirect(cargo, 'url-parsr')).toBe(false);
    expect(isDirect(cargo, 'rust-utilities')).toBe(true);
  });

  it('finds every version of a name, or one version, through several parents', () => {
    expect(dependencyPaths(cargo, 'itoa')).toEqual([
      ['app@0.1.0', 'rust-utilities@2.1.1', 'itoa@0.4.8'],
      ['app@0.1.0', 'serde_json@1.0.87', 'itoa@1.0.1'],
      ['app@0.1.0', 'tools@0.1.0', 'itoa@1.0.1'],
    ]);
    expect(dependencyPaths(cargo, 'itoa', '0.4.8')).toEqual([['app@0.1.0', 'rust-utilities@2.1.1', 'itoa@0.4.8']]);
    expect(dependencyPaths(cargo, 'itoa', '9.9.9')).toEqual([]);
    expect(dependencyPaths(cargo, 'nothing-like-it')).toEqual([]);
    expect(isDirect(cargo, 'nothing-like-it')).toBe(false);
    expect(dependencyPaths(cargo, 'app')).toEqual([['app@0.1.0']]);
  });

  it('is safe on a cycle', () => {
    const cyclic = lock(parseCargoLock(read('cargo/path-cycle.v4.lock')));
    expect(dependencyPaths(cyclic, 'url-parsr')).toEqual([['app@0.1.0', 'rust-utilities@0.1.0', 'url-parsr@0.1.0']]);
    const npm = lock(parseNpmLock(read('npm/cycle.v3.json')));
    expect(dependencyPaths(npm, 'cycle-c')).toEqual([['cyclic@0.0.1', 'cycle-a@1.0.0', 'cycle-b@1.0.0', 'cycle-c@1.0.0']]);
  });

  it('starts from a workspace member in package-lock.json', () => {
    const npm = lock(parseNpmLock(read('npm/web-app-after.v3.json')));
    expect(dependencyPaths(npm, 'ms', '2.0.0')).toEqual([['@web-app/shared@0.2.0', 'debug@2.6.9', 'ms@2.0.0']]);
    expect(isDirect(npm, 'ms')).toBe(true);
    expect(isDirect(npm, 'ms', '2.0.0')).toBe(false);
  });

  it('compares Python names as PEP 503 does, from the synthetic project', () => {
    const poetry = lock(parsePoetryLock(read('python/svc-after.poetry.lock')));
    const paths = dependencyPaths(poetry, 'URL_Parsr');
    expect(paths).toEqual([['(project)', 'py-utilities@2.1.1', 'url-parsr@0.1.0']]);
    expect(describePath(poetry, paths[0]!)).toBe('the project → py-utilities 2.1.1 → url-parsr 0.1.0');
    expect(isDirect(poetry, 'py_utilities')).toBe(true);
  });

  it('takes cargo\'s - and _ as one crate name (rustc\'s --crate-name has underscores)', () => {
    expect(dependencyPaths(cargo, 'rust_utilities')).toEqual([['app@0.1.0', 'rust-utilities@2.1.1']]);
    expect(dependencyPaths(cargo, 'serde-json')).toEqual([['app@0.1.0', 'serde_json@1.0.87']]);
    expect(isDirect(cargo, 'rust_utilities')).toBe(true);
    expect(isDirect(cargo, 'url_parsr')).toBe(false);
    // Case still counts in cargo.
    expect(dependencyPaths(cargo, 'Rust-Utilities')).toEqual([]);
  });

  it('one walk of the graph answers for every package, as each call alone would', () => {
    const g = dependencyGraph(cargo);
    for (const name of ['itoa', 'url-parsr', 'app', 'serde', 'nothing-like-it']) expect(dependencyPaths(cargo, name, undefined, g)).toEqual(dependencyPaths(cargo, name));
    expect(dependencyGraph(lock(parseGoSum(read('go/after.go.sum'))))).toBeNull();
  });

  it('knows go.sum cannot say', () => {
    const go = lock(parseGoSum(read('go/after.go.sum')));
    expect(dependencyPaths(go, 'github.com/example/url-parsr')).toEqual([]);
    expect(isDirect(go, 'github.com/example/url-parsr')).toBeNull();
  });

  it('returns at most 5 paths, all of the shortest length', () => {
    const wide = graph([...Array.from({ length: 10 }, (_, i) => [['root', `m${i}`], [`m${i}`, 'target']] as Array<[string, string]>).flat(), ['root', 'far'], ['far', 'm0']]);
    const paths = dependencyPaths(wide, 'target');
    expect(paths).toHaveLength(5);
    expect(paths.every((p) => p.length === 3)).toBe(true);
    expect(paths[0]).toEqual(['root@1', 'm0@1', 'target@1']);
  });

  it('looks no deeper than 64 steps', () => {
    const chain = (n: number) => graph(Array.from({ length: n }, (_, i) => [i === 0 ? 'root' : `c${i}`, i === n - 1 ? 'target' : `c${i + 1}`] as [string, string]));
    expect(dependencyPaths(chain(MAX_PATH_DEPTH), 'target')[0]).toHaveLength(MAX_PATH_DEPTH + 1);
    expect(dependencyPaths(chain(MAX_PATH_DEPTH + 1), 'target')).toEqual([]);
  });

  it('ignores edges to ids the lockfile does not hold', () => {
    const l = graph([['root', 'a']]);
    l.packages[0]!.dependencies.push('ghost@1');
    expect(dependencyPaths(l, 'a')).toEqual([['root@1', 'a@1']]);
  });
});
