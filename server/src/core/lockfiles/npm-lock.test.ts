// package-lock.json v1/v2/v3 fixtures written by hand to npm's documented format
// (docs/lib/content/configuring-npm/package-lock-json.md), and hostile ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCKFILE_ERROR_CODES, type Lockfile, type LockfileParse } from './lockfile.js';
import { parseNpmLock } from './npm-lock.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/npm/${name}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}
const pkg = (l: Lockfile, id: string) => l.packages.find((p) => p.id === id);
function golden(name: string, actual: unknown): void {
  const url = new URL(`./testdata/npm/${name}.expected.json`, import.meta.url);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(actual).toEqual(JSON.parse(readFileSync(url, 'utf8')));
}
const v3 = (packages: Record<string, unknown>) => JSON.stringify({ lockfileVersion: 3, packages });

describe('parseNpmLock: v2 and v3 (the packages map)', () => {
  it('reads the project, a workspace and nested copies as Node resolves them', () => {
    const l = lock(parseNpmLock(fixture('web-app-after.v3.json')));
    golden('web-app-after.v3.json', l);
    expect(l).toMatchObject({ ecosystem: 'npm', format: 'package-lock.json v3', graph: 'complete', notes: [] });
    expect(l.roots).toEqual(['@web-app/shared@0.2.0', 'web-app@1.0.0']);
    expect(pkg(l, 'web-app@1.0.0')).toMatchObject({ source: 'path', dependencies: ['debug@4.3.4', 'ms@2.1.3', 'native-thing@1.0.0', 'string-utils@2.1.1'] });
    expect(pkg(l, 'debug@4.3.4')!.dependencies).toEqual(['ms@2.1.2']);
    expect(pkg(l, '@web-app/shared@0.2.0')).toMatchObject({ source: 'path', sourceDetail: 'packages/shared', dependencies: ['debug@2.6.9'] });
    expect(pkg(l, 'debug@2.6.9')!.dependencies).toEqual(['ms@2.0.0']);
    expect(l.packages.filter((p) => p.name === 'ms').map((p) => p.version)).toEqual(['2.0.0', '2.1.2', '2.1.3']);
  });

  it('carries hasInstallScript, resolved and integrity', () => {
    const l = lock(parseNpmLock(fixture('web-app-after.v3.json')));
    expect(pkg(l, 'url-parsr@0.1.0')).toMatchObject({
      source: 'registry', hasBuildScript: true, sourceDetail: 'https://registry.npmjs.org/url-parsr/-/url-parsr-0.1.0.tgz',
      checksum: expect.stringMatching(/^sha512-/),
    });
    expect(pkg(l, 'native-thing@1.0.0')).toMatchObject({ hasBuildScript: true });
    expect(pkg(l, 'native-thing@1.0.0')!.dependencies).toEqual(['@native-thing/darwin-arm64@1.0.0', '@native-thing/linux-x64@1.0.0']);
    expect(pkg(l, 'ms@2.1.3')).toMatchObject({ hasBuildScript: false });
  });

  it('reads v2 from its packages map and ignores the legacy section', () => {
    const v2 = lock(parseNpmLock(fixture('web-app-after.v2.json')));
    expect(v2.format).toBe('package-lock.json v2');
    expect(v2.packages).toEqual(lock(parseNpmLock(fixture('web-app-after.v3.json'))).packages);
  });

  it('survives a cycle', () => {
    const l = lock(parseNpmLock(fixture('cycle.v3.json')));
    expect(pkg(l, 'cycle-b@1.0.0')!.dependencies).toEqual(['cycle-a@1.0.0', 'cycle-c@1.0.0']);
    expect(pkg(l, 'cycle-c@1.0.0')!.dependencies).toEqual(['cycle-a@1.0.0']);
    expect(l.roots).toEqual(['cyclic@0.0.1']);
  });

  it('classifies git, file and tarball sources, and takes an alias\'s real name', () => {
    const l = lock(parseNpmLock(v3({
      '': { name: 'p', version: '1.0.0', dependencies: { g: 'github:o/g', f: 'file:../f', t: 'https://x.test/t.tgz', alias: 'npm:real@1.0.0' } },
      'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/g.git#0123456789abcdef0123456789abcdef01234567' },
      'node_modules/f': { resolved: '../f', link: true },
      '../f': { name: 'f', version: '0.0.1' },
      'node_modules/t': { version: '2.0.0', resolved: 'https://x.test/t.tgz' },
      'node_modules/alias': { name: 'real', version: '1.0.0', resolved: 'https://registry.npmjs.org/real/-/real-1.0.0.tgz' },
    })));
    expect(pkg(l, 'p@1.0.0')!.dependencies).toEqual(['f@0.0.1', 'g@1.0.0', 'real@1.0.0', 't@2.0.0']);
    expect([pkg(l, 'g@1.0.0')!.source, pkg(l, 'f@0.0.1')!.source, pkg(l, 't@2.0.0')!.source, pkg(l, 'real@1.0.0')!.source])
      .toEqual(['git', 'path', 'unknown', 'registry']);
    expect(l.roots).toEqual(['p@1.0.0']);
  });

  it('merges copies of one package at several locations, notes a missing dependency', () => {
    const l = lock(parseNpmLock(v3({
      '': { name: 'p', version: '1.0.0', dependencies: { a: '1', b: '1' }, optionalDependencies: { fsevents: '2' } },
      'node_modules/a': { version: '1.0.0', dependencies: { c: '1' } },
      'node_modules/a/node_modules/c': { version: '1.0.0', dependencies: { ghost: '1' } },
      'node_modules/b': { version: '1.0.0', dependencies: { c: '1' } },
      'node_modules/b/node_modules/c': { version: '1.0.0' },
    })));
    expect(l.packages.map((p) => p.id)).toEqual(['a@1.0.0', 'b@1.0.0', 'c@1.0.0', 'p@1.0.0']);
    expect(l.notes).toEqual([{ code: 'unresolved_dependency', subject: 'c 1.0.0', detail: 'ghost' }]);
  });

  it('follows link entries a bounded number of hops, and survives a link loop', () => {
    const l = lock(parseNpmLock(v3({
      '': { name: 'p', version: '1.0.0', dependencies: { a: '1', loop: '1' } },
      'node_modules/a': { resolved: 'node_modules/b', link: true },
      'node_modules/b': { resolved: 'libs/b', link: true },
      'libs/b': { name: 'b', version: '2.0.0' },
      'node_modules/loop': { resolved: 'node_modules/loop', link: true },
    })));
    expect(pkg(l, 'p@1.0.0')!.dependencies).toEqual(['b@2.0.0']);
    expect(l.notes).toEqual([{ code: 'unresolved_dependency', subject: 'p 1.0.0', detail: 'loop' }]);
  });

  it('stands in a synthetic project for a root without a name', () => {
    const l = lock(parseNpmLock(v3({ '': { dependencies: { a: '1' } }, 'node_modules/a': { version: '1.0.0' } })));
    expect(l.roots).toEqual(['(project)']);
    expect(pkg(l, '(project)')).toMatchObject({ synthetic: true, dependencies: ['a@1.0.0'] });
  });
});

describe('parseNpmLock: v1 (the dependencies tree)', () => {
  it('resolves requires through the nested tree and infers the project\'s own dependencies', () => {
    const l = lock(parseNpmLock(fixture('web-app-after.v1.json')));
    golden('web-app-after.v1.json', l);
    expect(l).toMatchObject({ format: 'package-lock.json v1', graph: 'roots_inferred', roots: ['web-app@1.0.0'] });
    expect(l.notes.map((n) => n.code)).toEqual(['roots_inferred']);
    expect(pkg(l, 'debug@4.3.4')!.dependencies).toEqual(['ms@2.1.2']);
    expect(pkg(l, 'string-utils@2.1.1')!.dependencies).toEqual(['url-parsr@0.1.0']);
    expect(pkg(l, 'web-app@1.0.0')!.dependencies).toEqual(['debug@4.3.4', 'ms@2.1.3', 'native-thing@1.0.0', 'string-utils@2.1.1']);
    expect(l.packages.every((p) => p.hasBuildScript === null)).toBe(true);
  });

  it('reads a git dependency whose version is its spec', () => {
    const l = lock(parseNpmLock(JSON.stringify({
      name: 'p', version: '1.0.0', lockfileVersion: 1,
      dependencies: { g: { version: 'git+https://example.test/g.git#0123456789abcdef0123456789abcdef01234567', from: 'git+https://example.test/g.git' } },
    })));
    expect(l.packages.find((p) => p.name === 'g')).toMatchObject({ source: 'git', sourceDetail: expect.stringMatching(/^git\+https/) });
  });
});

describe('parseNpmLock: hostile input', () => {
  it('refuses with a code, never a throw', () => {
    const real = fixture('web-app-after.v3.json');
    expect(parseNpmLock(real.slice(0, real.length / 2))).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseNpmLock('[]')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock('null')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock('{"lockfileVersion": 4}')).toMatchObject({ ok: false, code: 'unsupported_version' });
    expect(parseNpmLock('{"lockfileVersion": "3"}')).toMatchObject({ ok: false, code: 'unsupported_version' });
    expect(parseNpmLock(v3({ 'node_modules/a': 'yes' }))).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock(v3({ 'node_modules/a': { version: 1 } }))).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock(v3({ 'node_modules/a': { dependencies: ['b'] } }))).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock(v3({ 'node_modules/a': { dependencies: { b: 1 } } }))).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock(v3({ 'node_modules/a': { hasInstallScript: 'yes' } }))).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock('{"packages": 7}')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock('{"dependencies": {"a": {"requires": {"b": {}}}}}')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseNpmLock(real, { maxPackages: 3 })).toMatchObject({ ok: false, code: 'too_many_packages' });
    expect(parseNpmLock(real, { maxChars: 100 })).toMatchObject({ ok: false, code: 'too_large' });
    expect(parseNpmLock(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toMatchObject({ ok: false, code: 'bad_shape' });
  });

  it('refuses a v1 tree nested past the cap', () => {
    let entry: Record<string, unknown> = { version: '1.0.0' };
    for (let i = 0; i < 100; i++) entry = { version: '1.0.0', dependencies: { [`d${i}`]: entry } };
    expect(parseNpmLock(JSON.stringify({ lockfileVersion: 1, dependencies: { top: entry } }))).toMatchObject({ ok: false, code: 'too_deep' });
  });

  it('keeps __proto__ and constructor as package names and nothing more', () => {
    const text = '{"lockfileVersion":3,"packages":{"":{"name":"p","version":"1.0.0","dependencies":{"__proto__":"1","constructor":"1"}},'
      + '"node_modules/__proto__":{"version":"1.0.0","hasInstallScript":true},"node_modules/constructor":{"version":"2.0.0"},'
      + '"__proto__":{"name":"x","version":"9.9.9"}}}';
    const l = lock(parseNpmLock(text));
    expect(pkg(l, 'p@1.0.0')!.dependencies).toEqual(['__proto__@1.0.0', 'constructor@2.0.0']);
    expect(pkg(l, '__proto__@1.0.0')!.hasBuildScript).toBe(true);
    expect(({} as Record<string, unknown>).version).toBeUndefined();
    const v1 = lock(parseNpmLock('{"lockfileVersion":1,"dependencies":{"__proto__":{"version":"1.0.0","requires":{"toString":"1"}}}}'));
    expect(v1.notes).toContainEqual({ code: 'unresolved_dependency', subject: '__proto__ 1.0.0', detail: 'toString' });
  });

  it('never throws on mangled lockfiles (property)', () => {
    const real = fixture('web-app-after.v3.json');
    const check = (text: string) => {
      const r = parseNpmLock(text);
      if (!r.ok) expect(LOCKFILE_ERROR_CODES).toContain(r.code);
    };
    fc.assert(fc.property(fc.json(), check), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify({ lockfileVersion: 3, packages: { '': v, 'node_modules/a': v } }))), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify({ lockfileVersion: 1, dependencies: { a: v } }))), { numRuns: 300 });
    fc.assert(fc.property(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 8 }), (at, cut, junk) => {
      check(real.slice(0, at) + junk + real.slice(Math.max(at, cut)));
    }), { numRuns: 300 });
  });
});
