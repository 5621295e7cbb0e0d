// poetry.lock (2.0 and 1.1 layouts) and requirements*.txt (pip-compile output and hand-kept files),
// written by hand to the tools' formats, and hostile ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCKFILE_ERROR_CODES, pep503Name, type Lockfile, type LockfileParse } from './lockfile.js';
import { parsePoetryLock, parseRequirementsTxt } from './python-lock.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/python/${name}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}
const pkg = (l: Lockfile, id: string) => l.packages.find((p) => p.id === id);
function golden(name: string, actual: unknown): void {
  const url = new URL(`./testdata/python/${name}.expected.json`, import.meta.url);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(actual).toEqual(JSON.parse(readFileSync(url, 'utf8')));
}

describe('pep503Name', () => {
  it('lowercases and folds runs of - _ . into one -', () => {
    expect(['Flask_Login', 'zope.interface', 'A-_.b', 'PySocks', 'typing_extensions'].map(pep503Name))
      .toEqual(['flask-login', 'zope-interface', 'a-b', 'pysocks', 'typing-extensions']);
  });
});

describe('parsePoetryLock', () => {
  it('reads packages, their dependencies (string, table, alternatives) and a synthetic project', () => {
    const l = lock(parsePoetryLock(fixture('svc-after.poetry.lock')));
    golden('svc-after.poetry.lock', l);
    expect(l).toMatchObject({ ecosystem: 'pypi', format: 'poetry.lock 2.0', graph: 'roots_inferred', roots: ['(project)'] });
    expect(pkg(l, '(project)')!.dependencies).toEqual(['git-helper@0.3.0', 'py-utilities@2.1.1', 'svc-tools@1.0.0']);
    expect(pkg(l, 'requests@2.31.0')!.dependencies).toEqual(['certifi@2024.2.2', 'charset-normalizer@3.3.2', 'idna@3.6', 'pysocks@1.7.1', 'urllib3@2.2.1']);
    expect(pkg(l, 'svc-tools@1.0.0')!.dependencies).toEqual(['numpy@1.24.4', 'numpy@1.26.4', 'requests@2.31.0']);
    expect(l.notes.map((n) => n.code)).toEqual(['roots_inferred']);
  });

  it('knows a package must be built when only an sdist or a git checkout is locked', () => {
    const l = lock(parsePoetryLock(fixture('svc-after.poetry.lock')));
    expect(pkg(l, 'url-parsr@0.1.0')).toMatchObject({ hasBuildScript: true, source: 'registry' });
    expect(pkg(l, 'git-helper@0.3.0')).toMatchObject({
      hasBuildScript: true, source: 'git', sourceDetail: 'https://example.test/git-helper.git#8b2623dd9266d2c3ea309052ee3cd0e11244ade5',
    });
    expect(pkg(l, 'requests@2.31.0')!.hasBuildScript).toBeNull();
  });

  it('reads the 1.1 layout, files under [metadata.files], to the same packages', () => {
    const old = lock(parsePoetryLock(fixture('svc-after.poetry-1.1.lock')));
    expect(old.format).toBe('poetry.lock 1.1');
    expect(old.packages).toEqual(lock(parsePoetryLock(fixture('svc-after.poetry.lock'))).packages);
  });

  it('notes a missing required dependency, not a missing optional one', () => {
    const l = lock(parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\n[package.dependencies]\nb = "*"\nc = {version = "1", optional = true}\n'));
    expect(l.notes).toContainEqual({ code: 'unresolved_dependency', subject: 'a 1', detail: 'b' });
    expect(l.notes.filter((n) => n.code === 'unresolved_dependency')).toHaveLength(1);
  });

  it('refuses hostile input with a code', () => {
    expect(parsePoetryLock('[[package]]\nname = "a"\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\nfiles = "x"\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\n[package.dependencies]\nb = 3\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = 7\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parsePoetryLock('[metadata]\nlock-version = 2\n')).toMatchObject({ ok: false, code: 'bad_shape' });
    expect(parsePoetryLock(fixture('svc-after.poetry.lock').slice(0, 500))).toMatchObject({ ok: false, code: 'syntax' });
    expect(parsePoetryLock(fixture('svc-after.poetry.lock'), { maxPackages: 4 })).toMatchObject({ ok: false, code: 'too_many_packages' });
    expect(lock(parsePoetryLock('[metadata]\nlock-version = "3.0"\n')).notes[0]).toMatchObject({ code: 'unknown_version' });
    const proto = lock(parsePoetryLock('[[package]]\nname = "__proto__"\nversion = "1"\n[package.dependencies]\nconstructor = "1"\n[[package]]\nname = "constructor"\nversion = "1"\n'));
    expect(pkg(proto, '-proto-@1')!.dependencies).toEqual(['constructor@1']);
  });
});

describe('parseRequirementsTxt', () => {
  it('reads pip-compile output: pins, hashes, and the edges from # via', () => {
    const l = lock(parseRequirementsTxt(fixture('requirements-compiled-after.txt')));
    golden('requirements-compiled-after.txt', l);
    expect(l).toMatchObject({ format: 'requirements.txt', graph: 'complete', roots: ['(project)'] });
    expect(pkg(l, '(project)')!.dependencies).toEqual(['py-utilities@2.1.1', 'requests@2.31.0', 'svc-tools@1.0.0']);
    expect(pkg(l, 'py-utilities@2.1.1')!.dependencies).toEqual(['idna@3.6', 'url-parsr@0.1.0']);
    expect(pkg(l, 'svc-tools@1.0.0')!.dependencies).toEqual(['requests@2.31.0']);
    expect(pkg(l, 'url-parsr@0.1.0')!.checksum).toMatch(/^sha256:[0-9a-f]{64} sha256:[0-9a-f]{64}$/);
    expect(l.notes).toEqual([{ code: 'option', subject: '--index-url', detail: 'https://pypi.org/simple' }]);
  });

  it('reads a hand-kept file: extras, markers, unpinned, includes, URLs, editables', () => {
    const l = lock(parseRequirementsTxt(fixture('requirements-hand.txt')));
    golden('requirements-hand.txt', l);
    expect(l.graph).toBe('flat');
    expect(l.packages.map((p) => p.id)).toEqual([
      '(project)', 'attrs@23.2.0', 'celery', 'cryptography@42.0.5', 'django@4.2.11', 'flask-login', 'internal-lib', 'local-pkg',
      'numpy', 'pytz@2024.1', 'requests@2.31.0', 'typing-extensions', 'zope-interface@6.2',
    ]);
    expect(pkg(l, 'internal-lib')).toMatchObject({ source: 'git', sourceDetail: 'git+https://git.example/internal-lib.git@v1.4.0#egg=internal-lib' });
    expect(pkg(l, 'local-pkg')).toMatchObject({ source: 'path' });
    expect(l.notes).toEqual([
      { code: 'include', subject: 'requirements-base.txt', detail: 'requirement' },
      { code: 'include', subject: 'constraints.txt', detail: 'constraint' },
      { code: 'option', subject: '--extra-index-url', detail: 'https://pypi.internal.example/simple' },
      { code: 'unpinned', subject: 'flask-login', detail: '>=0.6.3' },
      { code: 'unpinned', subject: 'celery', detail: '~= 5.3' },
      { code: 'unpinned', subject: 'typing-extensions', detail: 'any version' },
      { code: 'unpinned', subject: 'numpy', detail: '==1.24.*' },
      { code: 'direct_url', subject: './vendored/thing', detail: 'editable' },
      { code: 'direct_url', subject: 'https://files.example/pkg-1.0.tar.gz' },
    ]);
  });

  it('takes the older one-line `# via a, b` form, and notes a via that names nothing', () => {
    const l = lock(parseRequirementsTxt('a==1.0  # via -r requirements.in\nb==2.0  # via a, ghost\n'));
    expect(pkg(l, 'a@1.0')!.dependencies).toEqual(['b@2.0']);
    expect(pkg(l, '(project)')!.dependencies).toEqual(['a@1.0']);
    expect(l.notes).toEqual([{ code: 'unresolved_dependency', subject: 'ghost', detail: 'b' }]);
  });

  it('counts pyproject-named vias as the project', () => {
    const l = lock(parseRequirementsTxt('a==1.0\n    # via my-app (pyproject.toml)\n'));
    expect(pkg(l, '(project)')!.dependencies).toEqual(['a@1.0']);
  });

  it('refuses a line that is not a requirement, with its line', () => {
    expect(parseRequirementsTxt('a==1\nthis is not one\n')).toMatchObject({ ok: false, code: 'syntax', line: 2 });
    expect(parseRequirementsTxt('a =! 1\n')).toMatchObject({ ok: false, code: 'syntax', line: 1 });
    expect(parseRequirementsTxt('[extra]==1\n')).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseRequirementsTxt('a==1\n'.repeat(5), { maxChars: 10 })).toMatchObject({ ok: false, code: 'too_large' });
    expect(parseRequirementsTxt('a==1\nb==1\nc==1\n', { maxPackages: 2 })).toMatchObject({ ok: false, code: 'too_many_packages' });
    expect(parseRequirementsTxt('__proto__==1\n')).toMatchObject({ ok: false, code: 'syntax' });
    expect(lock(parseRequirementsTxt('hasOwnProperty==1\nconstructor==2\n')).packages.map((p) => p.id)).toEqual(['(project)', 'constructor@2', 'hasownproperty@1']);
    expect(lock(parseRequirementsTxt('')).packages).toHaveLength(1);
    expect(lock(parseRequirementsTxt('a==1 \\')).packages.map((p) => p.id)).toContain('a@1');
    const manyVias = lock(parseRequirementsTxt(`a==1  # via ${'x,'.repeat(400_000)}\nb==1\n    # via\n${'    #   a\n'.repeat(200_000)}`));
    expect(manyVias.notes[0]).toMatchObject({ code: 'unresolved_dependency', subject: 'x' });
    expect(manyVias.packages.find((p) => p.id === 'a@1')!.dependencies).toEqual(['b@1']);
  });

  it('never throws (property)', () => {
    const real = fixture('requirements-hand.txt');
    const check = (text: string) => {
      for (const r of [parseRequirementsTxt(text), parsePoetryLock(text)]) if (!r.ok) expect(LOCKFILE_ERROR_CODES).toContain(r.code);
    };
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 8 }), (at, cut, junk) => {
      check(real.slice(0, at) + junk + real.slice(Math.max(at, cut)));
    }), { numRuns: 500 });
  });
});
