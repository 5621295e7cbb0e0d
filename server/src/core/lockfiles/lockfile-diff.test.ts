// The scenario in every ecosystem: a dependency's patch release (rust-utilities 2.1.0 →
// 2.1.1) brings a new package (url-parsr 0.1.0); and the pairing rules for several versions.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeArrival } from './arrival-text.js';
import { parseCargoLock } from './cargo-lock.js';
import { parseGoSum } from './go-sum.js';
import type { LockedPackage, Lockfile, LockfileParse } from './lockfile.js';
import { diffLockfiles } from './lockfile-diff.js';
import { parseNpmLock } from './npm-lock.js';
import { parsePoetryLock, parseRequirementsTxt } from './python-lock.js';

const read = (path: string) => readFileSync(new URL(`./testdata/${path}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}

/** A small cargo lockfile: `name@version` ids, `deps` by id, `extra` per id. */
function cargo(ids: string[], deps: Record<string, string[]> = {}, extra: Record<string, Partial<LockedPackage>> = {}): Lockfile {
  const packages = ids.map((id): LockedPackage => {
    const [name, version] = id.split('@') as [string, string];
    return { id, name, version, source: name === 'app' ? 'path' : 'registry', dependencies: deps[id] ?? [], hasBuildScript: null, ...extra[id] };
  });
  return { ecosystem: 'cargo', format: 'test', packages, roots: ['app@0.1.0'], graph: 'complete', notes: [] };
}

describe('diffLockfiles: a patch release brings a new package', () => {
  it('Cargo.lock (real files): names the culprit and who brought it', () => {
    const d = diffLockfiles(lock(parseCargoLock(read('cargo/registry-before.v4.lock'))), lock(parseCargoLock(read('cargo/registry-after.v4.lock'))));
    expect(d.first).toBe(false);
    expect(d.added.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(d.removed).toEqual([]);
    expect(d.upgraded).toEqual([{
      name: 'rust-utilities', source: 'registry', from: '2.1.0', to: '2.1.1', fromId: 'rust-utilities@2.1.0', toId: 'rust-utilities@2.1.1',
    }]);
    expect(d.downgraded).toEqual([]);
    expect(d.changedInPlace).toEqual([]);
    expect(d.newWithScripts).toEqual([]); // Cargo.lock cannot tell
    expect(d.arrivals).toEqual([{
      id: 'url-parsr@0.1.0', otherVersionsBefore: [],
      broughtInBy: [{ id: 'rust-utilities@2.1.1', name: 'rust-utilities', version: '2.1.1', change: 'version', previousVersion: '2.1.0' }],
    }]);
    expect(describeArrival(d, 'url-parsr@0.1.0')).toBe('url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1');
    expect(describeArrival(d, 'rust-utilities@2.1.1')).toBeNull();
  });

  it('Cargo.lock: a v1 file before and a v4 file after compare the same', () => {
    const d = diffLockfiles(lock(parseCargoLock(read('cargo/registry-before.v1.lock'))), lock(parseCargoLock(read('cargo/registry-after.v4.lock'))));
    expect(describeArrival(d, 'url-parsr@0.1.0')).toBe('url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1');
    expect(d.changedInPlace).toEqual([]);
  });

  it('Cargo.lock (e2e workspace): a workspace member that newly depends on a crate', () => {
    const d = diffLockfiles(lock(parseCargoLock(read('cargo/cargo-exfil-without-shim.v4.lock'))), lock(parseCargoLock(read('cargo/cargo-exfil.v4.lock'))));
    expect(d.added.map((p) => p.id)).toEqual(['telemetry-shim@0.1.0']);
    expect(describeArrival(d, 'telemetry-shim@0.1.0')).toBe('telemetry-shim 0.1.0 first appeared in this build, brought in by the project (app) directly');
  });

  it('package-lock.json: the new package runs an install script', () => {
    const d = diffLockfiles(lock(parseNpmLock(read('npm/web-app-before.v3.json'))), lock(parseNpmLock(read('npm/web-app-after.v3.json'))));
    expect(d.newWithScripts.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(d.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['string-utils 2.1.0 → 2.1.1']);
    expect(describeArrival(d, 'url-parsr@0.1.0')).toBe('url-parsr 0.1.0 first appeared in this build, brought in by string-utils 2.1.0 → 2.1.1');
  });

  it('package-lock.json v1 before, v3 after', () => {
    const before = lock(parseNpmLock(read('npm/web-app-after.v1.json')));
    const d = diffLockfiles(before, lock(parseNpmLock(read('npm/web-app-after.v3.json'))));
    expect(d.added.map((p) => p.id)).toEqual(['@web-app/shared@0.2.0', 'debug@2.6.9', 'ms@2.0.0']); // the new workspace
    expect(d.newWithScripts).toEqual([]);
    expect(d.scriptsGained).toEqual([]); // same versions: v1 could not tell, v3 can; not a change of the package
  });

  it('poetry.lock: an sdist-only arrival must be built', () => {
    const d = diffLockfiles(lock(parsePoetryLock(read('python/svc-before.poetry.lock'))), lock(parsePoetryLock(read('python/svc-after.poetry.lock'))));
    expect(d.newWithScripts.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(describeArrival(d, 'url-parsr@0.1.0')).toBe('url-parsr 0.1.0 first appeared in this build, brought in by py-utilities 2.1.0 → 2.1.1');
  });

  it('requirements.txt from pip-compile', () => {
    const d = diffLockfiles(
      lock(parseRequirementsTxt(read('python/requirements-compiled-before.txt'))),
      lock(parseRequirementsTxt(read('python/requirements-compiled-after.txt'))),
    );
    expect(describeArrival(d, 'url-parsr@0.1.0')).toBe('url-parsr 0.1.0 first appeared in this build, brought in by py-utilities 2.1.0 → 2.1.1');
  });

  it('requirements.txt without annotations: a new line is a new direct dependency', () => {
    const d = diffLockfiles(lock(parseRequirementsTxt('a==1.0\n')), lock(parseRequirementsTxt('a==1.0\nb==2.0\n')));
    expect(describeArrival(d, 'b@2.0')).toBe('b 2.0 first appeared in this build, brought in by the project directly');
  });

  it('go.sum: no graph, so no one to name; go.mod-only versions are not packages', () => {
    const d = diffLockfiles(lock(parseGoSum(read('go/before.go.sum'))), lock(parseGoSum(read('go/after.go.sum'))));
    expect(d.added.map((p) => p.id)).toEqual(['github.com/example/url-parsr@v0.1.0']);
    expect(d.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual([
      'github.com/example/go-utilities v1.4.0 → v1.4.1', 'golang.org/x/net v0.23.0 → v0.24.0',
    ]);
    expect(describeArrival(d, 'github.com/example/url-parsr@v0.1.0')).toBe('github.com/example/url-parsr v0.1.0 first appeared in this build');
  });
});

describe('diffLockfiles: pairing and kinds of change', () => {
  it('pairs several versions of one name within their compatibility class', () => {
    const d = diffLockfiles(cargo(['app@0.1.0', 'itoa@0.4.8', 'itoa@1.0.1']), cargo(['app@0.1.0', 'itoa@0.4.9', 'itoa@1.0.2']));
    expect(d.upgraded.map((c) => `${c.from} → ${c.to}`)).toEqual(['0.4.8 → 0.4.9', '1.0.1 → 1.0.2']);
    expect([d.added, d.removed]).toEqual([[], []]);
  });

  it('pairs newest with newest across classes, the rest added or removed', () => {
    const d = diffLockfiles(cargo(['app@0.1.0', 'itoa@0.4.8', 'itoa@1.0.1']), cargo(['app@0.1.0', 'itoa@2.0.0']));
    expect(d.upgraded.map((c) => `${c.from} → ${c.to}`)).toEqual(['1.0.1 → 2.0.0']);
    expect(d.removed.map((p) => p.id)).toEqual(['itoa@0.4.8']);
  });

  it('says which versions were locked before when a second version arrives', () => {
    const d = diffLockfiles(
      cargo(['app@0.1.0', 'itoa@1.0.1', 'old@1.0.0'], { 'app@0.1.0': ['itoa@1.0.1', 'old@1.0.0'] }),
      cargo(['app@0.1.0', 'itoa@1.0.1', 'old@1.1.0', 'itoa@0.4.8'], { 'app@0.1.0': ['itoa@1.0.1', 'old@1.1.0'], 'old@1.1.0': ['itoa@0.4.8'] }),
    );
    expect(describeArrival(d, 'itoa@0.4.8')).toBe('itoa 0.4.8 first appeared in this build (1.0.1 locked before), brought in by old 1.0.0 → 1.1.0');
  });

  it('names a chain: a new package brought by another new one', () => {
    const d = diffLockfiles(
      cargo(['app@0.1.0', 'a@1.0.0'], { 'app@0.1.0': ['a@1.0.0'] }),
      cargo(['app@0.1.0', 'a@1.0.1', 'b@1.0.0', 'c@1.0.0'], { 'app@0.1.0': ['a@1.0.1'], 'a@1.0.1': ['b@1.0.0'], 'b@1.0.0': ['c@1.0.0'], 'c@1.0.0': ['b@1.0.0'] }),
    );
    expect(describeArrival(d, 'b@1.0.0')).toBe('b 1.0.0 first appeared in this build, brought in by a 1.0.0 → 1.0.1, c 1.0.0 (also new)');
    expect(describeArrival(d, 'c@1.0.0')).toBe('c 1.0.0 first appeared in this build, brought in by b 1.0.0 (also new)');
  });

  it('reports downgrades, re-published checksums and moved sources', () => {
    const d = diffLockfiles(
      cargo(['app@0.1.0', 'a@2.0.0', 'b@1.0.0', 'c@1.0.0'], {}, { 'b@1.0.0': { checksum: 'aaa' }, 'c@1.0.0': { source: 'git', sourceDetail: 'git+x#1' } }),
      cargo(['app@0.1.0', 'a@1.9.0', 'b@1.0.0', 'c@1.0.0'], {}, { 'b@1.0.0': { checksum: 'bbb' }, 'c@1.0.0': { source: 'git', sourceDetail: 'git+x#2' } }),
    );
    expect(d.downgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['a 2.0.0 → 1.9.0']);
    expect(d.changedInPlace).toEqual([
      { id: 'b@1.0.0', name: 'b', version: '1.0.0', what: 'checksum', from: 'aaa', to: 'bbb' },
      { id: 'c@1.0.0', name: 'c', version: '1.0.0', what: 'source', from: 'git+x#1', to: 'git+x#2' },
    ]);
    expect([d.added, d.removed, d.upgraded]).toEqual([[], [], []]);
  });

  it('a crate swapped for a git fork of the same version is one removed, one added', () => {
    const d = diffLockfiles(cargo(['app@0.1.0', 'a@1.0.0']), cargo(['app@0.1.0', 'a@1.0.0'], {}, { 'a@1.0.0': { source: 'git', sourceDetail: 'git+fork#1' } }));
    expect(d.added.map((p) => p.source)).toEqual(['git']);
    expect(d.removed.map((p) => p.source)).toEqual(['registry']);
  });

  it('pairs the two spellings of a cargo crate name (- and _ are one crate)', () => {
    const d = diffLockfiles(cargo(['app@0.1.0', 'my_macros@0.1.0'], { 'app@0.1.0': ['my_macros@0.1.0'] }),
      cargo(['app@0.1.0', 'my-macros@0.2.0'], { 'app@0.1.0': ['my-macros@0.2.0'] }));
    expect([d.added, d.removed]).toEqual([[], []]);
    expect(d.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['my-macros 0.1.0 → 0.2.0']);
  });

  it('catches a version that gains an install script', () => {
    const d = diffLockfiles(
      cargo(['app@0.1.0', 'a@1.0.0'], {}, { 'a@1.0.0': { hasBuildScript: false } }),
      cargo(['app@0.1.0', 'a@1.0.1'], {}, { 'a@1.0.1': { hasBuildScript: true } }),
    );
    expect(d.scriptsGained.map((c) => c.toId)).toEqual(['a@1.0.1']);
  });

  it('with no previous build, everything is added and nothing is attributed', () => {
    const after = lock(parsePoetryLock(read('python/svc-after.poetry.lock')));
    for (const before of [null, lock(parseCargoLock(read('cargo/registry-before.v4.lock')))]) {
      const d = diffLockfiles(before, after);
      expect(d.first).toBe(true);
      expect(d.added.map((p) => p.id)).not.toContain('(project)');
      expect(d.added).toHaveLength(after.packages.length - 1);
      expect(d.newWithScripts.map((p) => p.id)).toEqual(['git-helper@0.3.0', 'url-parsr@0.1.0']);
      expect(describeArrival(d, 'url-parsr@0.1.0')).toBeNull();
    }
  });

  it('stays fast with thousands of versions of one name', () => {
    const ids = (n: number, minor: number) => Array.from({ length: n }, (_, i) => `x@${i}.${minor}.0`);
    const started = Date.now();
    const d = diffLockfiles(cargo(['app@0.1.0', ...ids(20_000, 0)]), cargo(['app@0.1.0', ...ids(20_000, 1)]));
    expect(d.upgraded).toHaveLength(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
