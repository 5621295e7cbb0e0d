// Real Cargo.lock files (testdata/cargo/README.md says how each was generated) and hostile ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCargoLock } from './cargo-lock.js';
import { LOCKFILE_ERROR_CODES, type Lockfile, type LockfileParse } from './lockfile.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/cargo/${name}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}
const pkg = (l: Lockfile, id: string) => l.packages.find((p) => p.id === id);

/** The parse of a fixture against its `.expected.json` beside it; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: unknown): void {
  const url = new URL(`./testdata/cargo/${name}.expected.json`, import.meta.url);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(actual).toEqual(JSON.parse(readFileSync(url, 'utf8')));
}

describe('parseCargoLock', () => {
  it('reads the e2e cargo-exfil workspace: path packages, app the root', () => {
    const l = lock(parseCargoLock(fixture('cargo-exfil.v4.lock')));
    golden('cargo-exfil.v4.lock', l);
    expect(l.format).toBe('Cargo.lock v4');
    expect(l.roots).toEqual(['app@0.1.0']);
    expect(l.packages.every((p) => p.source === 'path' && p.hasBuildScript === null)).toBe(true);
    expect(pkg(l, 'rust-utilities@0.1.0')!.dependencies).toEqual(['url-parsr@0.1.0']);
  });

  it('reads registry, git and path packages and two versions of one crate', () => {
    const l = lock(parseCargoLock(fixture('registry-after.v4.lock')));
    golden('registry-after.v4.lock', l);
    expect(l.roots).toEqual(['app@0.1.0']);
    expect(pkg(l, 'app@0.1.0')!.dependencies).toEqual(['git-helper@0.3.0', 'rust-utilities@2.1.1', 'serde_json@1.0.87', 'tools@0.1.0']);
    expect(pkg(l, 'rust-utilities@2.1.1')).toMatchObject({
      source: 'registry', sourceDetail: 'registry+https://github.com/rust-lang/crates.io-index',
      checksum: 'a3741612e5992df6350b855ac3557756cef889c025d4f0a19b85c2463f3410f5',
      dependencies: ['itoa@0.4.8', 'url-parsr@0.1.0'],
    });
    expect(pkg(l, 'serde_json@1.0.87')!.dependencies).toEqual(['itoa@1.0.1', 'ryu@1.0.2', 'serde@1.0.152']);
    expect(pkg(l, 'git-helper@0.3.0')).toMatchObject({ source: 'git', sourceDetail: expect.stringMatching(/^git\+file:.*#[0-9a-f]{40}$/) });
    expect(pkg(l, 'tools@0.1.0')).toMatchObject({ source: 'path', dependencies: ['itoa@1.0.1'] });
    expect(l.notes).toEqual([]);
  });

  it('reads v1, v2 and v3 files of the same workspace as v4', () => {
    const packages = (file: string) => lock(parseCargoLock(fixture(file))).packages;
    expect(packages('registry-after.v3.lock')).toEqual(packages('registry-after.v4.lock'));
    expect(packages('registry-after.v2.lock')).toEqual(packages('registry-after.v4.lock'));
    const v1 = lock(parseCargoLock(fixture('registry-before.v1.lock')));
    expect(v1.format).toBe('Cargo.lock v1');
    expect(v1.packages).toEqual(lock(parseCargoLock(fixture('registry-before.v4.lock'))).packages);
    expect(lock(parseCargoLock(fixture('registry-after.v2.lock'))).format).toBe('Cargo.lock v2');
  });

  it('survives a dependency cycle (a dev-dependency back edge) and still finds the root', () => {
    const l = lock(parseCargoLock(fixture('path-cycle.v4.lock')));
    expect(pkg(l, 'url-parsr@0.1.0')!.dependencies).toEqual(['rust-utilities@0.1.0']);
    expect(l.roots).toEqual(['app@0.1.0']);
  });

  it('gives one name@version from two sources two ids, and resolves the long dependency form', () => {
    const l = lock(parseCargoLock(fixture('same-version-two-sources.v4.lock')));
    expect(l.packages.map((p) => p.id)).toEqual([
      'app@0.1.0',
      'url-parsr@0.1.0 (git+https://example.test/url-parsr?branch=main#0123456789abcdef0123456789abcdef01234567)',
      'url-parsr@0.1.0 (registry+https://github.com/rust-lang/crates.io-index)',
    ]);
    expect(pkg(l, 'app@0.1.0')!.dependencies).toHaveLength(2);
  });

  it('reads the oldest v1 form, with the project in [root]', () => {
    const l = lock(parseCargoLock('[root]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "a 1.0.0 (registry+x)",\n]\n\n'
      + '[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+x"\n\n[metadata]\n"checksum a 1.0.0 (registry+x)" = "<none>"\n'));
    expect(l.roots).toEqual(['app@0.1.0']);
    expect(pkg(l, 'a@1.0.0')).toEqual({ id: 'a@1.0.0', name: 'a', version: '1.0.0', source: 'registry', sourceDetail: 'registry+x', dependencies: [], hasBuildScript: null });
  });

  it('notes a dependency that names nothing, or several packages, and goes on', () => {
    const text = 'version = 3\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["ghost", "dup"]\n'
      + '[[package]]\nname = "dup"\nversion = "1.0.0"\nsource = "registry+x"\n[[package]]\nname = "dup"\nversion = "2.0.0"\nsource = "registry+x"\n';
    const l = lock(parseCargoLock(text));
    expect(l.notes).toEqual([
      { code: 'unresolved_dependency', subject: 'app 0.1.0', detail: 'ghost' },
      { code: 'ambiguous_dependency', subject: 'app 0.1.0', detail: 'dup' },
    ]);
  });

  it('reads a newer format version with a note, refuses a nonsense one', () => {
    expect(lock(parseCargoLock('version = 5\n')).notes[0]).toMatchObject({ code: 'unknown_version' });
    expect(parseCargoLock('version = "4"\n')).toMatchObject({ ok: false, code: 'unsupported_version' });
    expect(parseCargoLock('version = 0\n')).toMatchObject({ ok: false, code: 'unsupported_version' });
  });

  it('refuses hostile input with a code, never a throw', () => {
    const real = fixture('registry-after.v4.lock');
    expect(parseCargoLock(real.slice(0, real.indexOf('checksum') + 15))).toMatchObject({ ok: false, code: 'syntax', line: 24 });
    expect(parseCargoLock('[[package]]\nname = 3\nversion = "1"\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseCargoLock('[[package]]\nname = "a"\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseCargoLock('package = "all of them"\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseCargoLock('[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseCargoLock('[metadata]\n"checksum a" = 1\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parseCargoLock(`# ${'x'.repeat(64)}\n`, { maxChars: 64 })).toMatchObject({ ok: false, code: 'too_large' });
    expect(parseCargoLock(real, { maxPackages: 3 })).toMatchObject({ ok: false, code: 'too_many_packages' });
    expect(parseCargoLock(real, { maxDependencies: 3 })).toMatchObject({ ok: false, code: 'too_many_dependencies' });
    expect(parseCargoLock(`x = ${'['.repeat(70)}`)).toMatchObject({ ok: false, code: 'too_deep' });
    expect(parseCargoLock(undefined as unknown as string)).toMatchObject({ ok: false, code: 'bad_shape' });
  });

  it('keeps __proto__ as a crate name and nothing more', () => {
    const l = lock(parseCargoLock('[[package]]\nname = "__proto__"\nversion = "1.0.0"\ndependencies = ["constructor"]\n'
      + '[[package]]\nname = "constructor"\nversion = "1.0.0"\n'));
    expect(l.packages.map((p) => p.id)).toEqual(['__proto__@1.0.0', 'constructor@1.0.0']);
    expect(l.roots).toEqual(['__proto__@1.0.0']);
  });

  it('refuses the default 10 MB cap and counts 100k packages', () => {
    expect(parseCargoLock(' '.repeat(10 * 1024 * 1024 + 1))).toMatchObject({ ok: false, code: 'too_large' });
    const many = Array.from({ length: 100_001 }, (_, i) => `[[package]]\nname = "p${i}"\nversion = "1"\n`).join('');
    expect(parseCargoLock(many)).toMatchObject({ ok: false, code: 'too_many_packages' });
  });

  it('never throws on mangled lockfiles (property)', () => {
    const real = fixture('registry-after.v4.lock');
    const check = (text: string) => {
      const r = parseCargoLock(text);
      if (!r.ok) expect(LOCKFILE_ERROR_CODES).toContain(r.code);
    };
    fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 8 }), (at, cut, junk) => {
      check(real.slice(0, at) + junk + real.slice(Math.max(at, cut)));
    }), { numRuns: 500 });
  });
});
