// go.sum fixtures in go's line format (hashes made up, shapes real), and hostile ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseGoSum } from './go-sum.js';
import { LOCKFILE_ERROR_CODES, type Lockfile, type LockfileParse } from './lockfile.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/go/${name}`, import.meta.url), 'utf8');
function lock(r: LockfileParse): Lockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.code}: ${r.message}`);
  return r.lock;
}
const pkg = (l: Lockfile, id: string) => l.packages.find((p) => p.id === id);

describe('parseGoSum', () => {
  it('gives one package per module version, go.mod-only versions marked', () => {
    const l = lock(parseGoSum(fixture('after.go.sum')));
    expect(l).toMatchObject({ ecosystem: 'go', format: 'go.sum', graph: 'none', roots: [], notes: [] });
    expect(l.packages).toHaveLength(12);
    expect(pkg(l, 'github.com/example/url-parsr@v0.1.0')).toEqual({
      id: 'github.com/example/url-parsr@v0.1.0', name: 'github.com/example/url-parsr', version: 'v0.1.0', source: 'registry',
      checksum: 'h1:4KIyKoa/dPpUMzs3Nhie92eZTpvULoIgtwf3SxbwV/E=', dependencies: [], hasBuildScript: false,
    });
    expect(pkg(l, 'golang.org/x/net@v0.23.0')).toMatchObject({ metadataOnly: true });
    expect(pkg(l, 'golang.org/x/net@v0.24.0')!.metadataOnly).toBeUndefined();
    expect(pkg(l, 'github.com/blang/semver@v3.5.1+incompatible')).toBeDefined();
    expect(pkg(l, 'github.com/cespare/xxhash/v2@v2.3.0')).toBeDefined();
    expect(pkg(l, 'golang.org/x/net@v0.0.0-20190620200207-3b0461eec859')).toMatchObject({ metadataOnly: true });
  });

  it('reads CRLF, blank lines and repeated lines; notes two hashes for one module version', () => {
    const l = lock(parseGoSum('a.test/m v1.0.0 h1:AAAA=\r\n\r\na.test/m v1.0.0 h1:AAAA=\r\na.test/m v1.0.0 h1:BBBB=\r\n'));
    expect(l.packages.map((p) => p.id)).toEqual(['a.test/m@v1.0.0']);
    expect(l.notes).toEqual([{ code: 'conflicting_hash', subject: 'a.test/m@v1.0.0', detail: 'h1:AAAA= h1:BBBB=' }]);
  });

  it('refuses a line that is not a go.sum line, with its line', () => {
    expect(parseGoSum('a.test/m v1.0.0 h1:AAAA=\nnot a line\n')).toMatchObject({ ok: false, code: 'syntax', line: 2 });
    expect(parseGoSum('a.test/m 1.0.0 h1:AAAA=\n')).toMatchObject({ ok: false, code: 'syntax', line: 1 });
    expect(parseGoSum('a.test/m v1.0.0 sha256:AAAA=\n')).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseGoSum('a.test/m v1.0.0/go.mod\n')).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseGoSum(fixture('after.go.sum'), { maxPackages: 5 })).toMatchObject({ ok: false, code: 'too_many_packages' });
    expect(lock(parseGoSum('__proto__ v1.0.0 h1:AAAA=\n')).packages[0]!.id).toBe('__proto__@v1.0.0');
  });

  it('counts past 100k module versions under the size cap', () => {
    const many = Array.from({ length: 100_001 }, (_, i) => `m.test/p${i} v1.0.0 h1:AAAA=`).join('\n');
    expect(parseGoSum(many)).toMatchObject({ ok: false, code: 'too_many_packages' });
  });

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      const r = parseGoSum(text);
      if (!r.ok) expect(LOCKFILE_ERROR_CODES).toContain(r.code);
    }), { numRuns: 500 });
  });
});
