// What a build's lockfile references say about a package, resolved only when asked: cargo's
// `-`/`_` spellings are one crate, only lockfiles of the package's ecosystem are read, a
// several-version name picks the version that changed, and a change summary walks the
// dependency graph once for the paths it shows.
import { describe, expect, it } from 'vitest';
import { diffLockfiles, type LockedPackage, type Lockfile } from '../lockfiles/index.js';
import type { TyposquatSignal } from '../typosquat/index.js';
import { diffSummary, FLAGGED_WITH_PATHS, packageEvidence, typosquatFindings, type BuildLockfile, type ResolvedLockfile } from './build-lockfiles.js';

function cargo(ids: string[], deps: Record<string, string[]>, roots = ['my-app@0.1.0']): Lockfile {
  const packages = ids.map((id): LockedPackage => {
    const [name, version] = id.split('@') as [string, string];
    return { id, name, version, source: roots.includes(id) ? 'path' : 'registry', dependencies: deps[id] ?? [], hasBuildScript: null };
  });
  return { ecosystem: 'cargo', format: 'test', packages, roots, graph: 'complete', notes: [] };
}
const ref = (path: string, kind: BuildLockfile['kind'] = 'cargo-lock'): BuildLockfile => ({
  path, kind, sha256: path, status: 'parsed', detail: null, previousBuildId: 'b0', previousSha256: `${path}-before`,
});
const resolved = (before: Lockfile | null, after: Lockfile, typosquat = new Map<string, TyposquatSignal[]>()): ResolvedLockfile =>
  ({ lock: after, diff: diffLockfiles(before, after), typosquat });
const signal: TyposquatSignal = { kind: 'edit_distance', resembles: 'serde', evidence: '1 edit' } as TyposquatSignal;

describe('packageEvidence', () => {
  const before = cargo(['my-app@0.1.0', 'my-macros@0.1.0', 'itoa@1.0.0', 'itoa@0.4.8'],
    { 'my-app@0.1.0': ['my-macros@0.1.0', 'itoa@1.0.0', 'itoa@0.4.8'] });
  const after = cargo(['my-app@0.1.0', 'my-macros@0.1.0', 'itoa@1.0.1', 'itoa@0.4.8'],
    { 'my-app@0.1.0': ['my-macros@0.1.0', 'itoa@1.0.1', 'itoa@0.4.8'] });

  it('finds a cargo package under the other spelling of its name: rustc\'s --crate-name has underscores', () => {
    const lock = ref('Cargo.lock');
    const evidence = packageEvidence([lock], { ecosystem: 'cargo', name: 'my_macros', version: null, from: 'rustc arguments' }, () => resolved(before, after), null);
    expect(evidence).toMatchObject({
      name: 'my_macros', version: '0.1.0', lockfile: 'Cargo.lock', direct: true, dependencyPaths: ['my-app 0.1.0 → my-macros 0.1.0'],
      arrivedInThisBuild: false, changeInThisBuild: 'unchanged',
    });
  });

  it('a name locked in several versions, none given: the version that changed in this build', () => {
    const evidence = packageEvidence([ref('Cargo.lock')], { ecosystem: 'cargo', name: 'itoa', version: null, from: 'build script path' }, () => resolved(before, after), null);
    expect(evidence).toMatchObject({ version: '1.0.1', lockedVersions: ['0.4.8', '1.0.1'], changeInThisBuild: 'upgraded', previousVersion: '1.0.0' });
  });

  it('a rustc that loaded proc-macros: each macro (whose code ran) is described from the lockfile too', () => {
    const macroBefore = cargo(['my-app@0.1.0', 'my-macros@0.1.0'], { 'my-app@0.1.0': ['my-macros@0.1.0'] });
    const macroAfter = cargo(['my-app@0.1.0', 'my-macros@0.2.0', 'serde-derivee@1.0.0'], { 'my-app@0.1.0': ['my-macros@0.2.0', 'serde-derivee@1.0.0'] });
    const evidence = packageEvidence([ref('Cargo.lock')], {
      ecosystem: 'cargo', name: 'my_app', version: null, from: 'rustc arguments', procMacros: ['my_macros', 'serde_derivee'],
    }, () => resolved(macroBefore, macroAfter), (_, name) => (name === 'serde_derivee' ? [signal] : []));
    expect(evidence).toMatchObject({ name: 'my_app', version: '0.1.0', changeInThisBuild: 'unchanged', procMacros: ['my_macros', 'serde_derivee'] });
    expect(evidence.procMacroPackages).toEqual([
      expect.objectContaining({ name: 'my_macros', version: '0.2.0', changeInThisBuild: 'upgraded', previousVersion: '0.1.0', direct: true }),
      expect.objectContaining({ name: 'serde_derivee', version: '1.0.0', changeInThisBuild: 'added', arrivedInThisBuild: true,
        typosquat: [{ kind: 'edit_distance', resembles: 'serde', evidence: '1 edit' }] }),
    ]);
  });

  it('a scan that stopped at a bound never says locked nowhere: other lockfiles may exist', () => {
    const incomplete: BuildLockfile = { ...ref('Cargo.lock'), scanIncomplete: true };
    const evidence = packageEvidence([incomplete], { ecosystem: 'cargo', name: 'stranger', version: null, from: 'build script path' }, () => resolved(before, after), null);
    expect(evidence).toMatchObject({ name: 'stranger', lockfilesIncomplete: true });
    expect(evidence).not.toHaveProperty('lockfile');
    expect(packageEvidence([ref('Cargo.lock')], { ecosystem: 'cargo', name: 'stranger', version: null, from: 'build script path' }, () => resolved(before, after), null))
      .toMatchObject({ lockfile: null });
  });

  it('resolves only parsed lockfiles of the package\'s ecosystem; one of them read and none locks it: locked nowhere', () => {
    const asked: string[] = [];
    const refs = [ref('web/package-lock.json', 'npm-lock'), { ...ref('other/Cargo.lock'), status: 'too_large' as const }, ref('Cargo.lock')];
    const evidence = packageEvidence(refs, { ecosystem: 'cargo', name: 'ghost', version: null, from: 'build script path' }, (r) => {
      asked.push(r.path);
      return resolved(null, after);
    }, null);
    expect(asked).toEqual(['Cargo.lock']);
    expect(evidence).toMatchObject({ lockfile: null });
    expect(packageEvidence(refs.slice(0, 2), { ecosystem: 'cargo', name: 'ghost', version: null, from: 'x' }, () => null, null)).not.toHaveProperty('lockfile');
  });
});

describe('typosquatFindings', () => {
  it('are keyed per build: two builds adding the same look-alike raise one each', () => {
    const before = cargo(['my-app@0.1.0'], {});
    const after = cargo(['my-app@0.1.0', 'serdf@1.0.0'], { 'my-app@0.1.0': ['serdf@1.0.0'] });
    const r = resolved(before, after, new Map([['serdf@1.0.0', [signal]]]));
    const keys = ['b1', 'b2'].map((buildId) => typosquatFindings({ buildId, rootPid: 1 }, ref('Cargo.lock'), r).map((f) => f.dedupeKey));
    expect(keys).toEqual([['typosquat_package:b1:cargo:serdf@1.0.0'], ['typosquat_package:b2:cargo:serdf@1.0.0']]);
  });
});

describe('diffSummary', () => {
  it('gives dependency paths to the first flagged packages only, and says how many', () => {
    const names = Array.from({ length: 25 }, (_, i) => `serd${String.fromCharCode(97 + i)}@1.0.0`);
    const after = cargo(['my-app@0.1.0', 'hub@1.0.0', ...names], { 'my-app@0.1.0': ['hub@1.0.0'], 'hub@1.0.0': names });
    const summary = diffSummary(ref('Cargo.lock'), resolved(cargo(['my-app@0.1.0'], {}), after, new Map(names.map((id) => [id, [signal]]))))!;
    const flagged = summary.flagged as { name: string; dependencyPaths: string[] }[];
    expect(flagged).toHaveLength(25);
    expect(summary.flaggedPathsShown).toBe(FLAGGED_WITH_PATHS);
    expect(flagged[0]!.dependencyPaths).toEqual(['my-app 0.1.0 → hub 1.0.0 → serda 1.0.0']);
    expect(flagged.filter((f) => f.dependencyPaths.length > 0)).toHaveLength(FLAGGED_WITH_PATHS);
    expect(flagged[FLAGGED_WITH_PATHS]!.dependencyPaths).toEqual([]);
  });

  it('is null for a reference that did not resolve', () => {
    expect(diffSummary(ref('Cargo.lock'), null)).toBeNull();
  });
});
