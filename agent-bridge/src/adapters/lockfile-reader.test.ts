import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCKFILE_SCAN_LIMITS, maskUrlCredentials, scanWorkspace } from './lockfile-reader.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'telltale-ws-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('scanWorkspace', () => {
  it('finds the lockfiles of the project and its members, with hash, size and content', () => {
    const root = workspace({
      'Cargo.lock': 'version = 4\n', 'web/package-lock.json': '{}', 'svc/py/requirements-dev.txt': 'a==1\n', 'tools/go.sum': '',
      'Cargo.toml': '[package]', 'web/node_modules/left-pad/package-lock.json': '{}', 'target/debug/Cargo.lock': 'x',
      'web/node_modules/.package-lock.json': '{}', '.git/Cargo.lock': 'x', 'a/b/c/d/Cargo.lock': 'too deep',
    });
    const scan = scanWorkspace(root)!;
    expect(scan.files.map((f) => f.path)).toEqual(['Cargo.lock', 'svc/py/requirements-dev.txt', 'tools/go.sum', 'web/package-lock.json']);
    expect(scan.files[0]).toMatchObject({ sha256: sha('version = 4\n'), size: 12, omitted: null });
    expect(scan.files[0]!.content!.toString()).toBe('version = 4\n');
    expect(scan.truncated).toBe(false);
  });

  it('never follows a link: a lockfile name pointing elsewhere, or a folder that is a link', () => {
    const root = workspace({ 'app/Cargo.lock': 'ok' });
    const outside = workspace({ 'Cargo.lock': 'secret', 'sub/go.sum': 'secret' });
    symlinkSync('/etc/passwd', join(root, 'package-lock.json'));
    symlinkSync(join(outside, 'sub'), join(root, 'linked'));
    const scan = scanWorkspace(root)!;
    expect(scan.files.map((f) => f.path)).toEqual(['app/Cargo.lock']);
    expect(scan.skipped).toBe(1);
    expect(JSON.stringify(scan.files.map((f) => f.content?.toString()))).not.toContain('root:');
  });

  it('skips a FIFO under a lockfile name without hanging', () => {
    const root = workspace({ 'Cargo.lock': 'ok' });
    execFileSync('mkfifo', [join(root, 'go.sum')]);
    const scan = scanWorkspace(root)!;
    expect(scan.files.map((f) => f.path)).toEqual(['Cargo.lock']);
    expect(scan.skipped).toBe(1);
  });

  it('reports big files by hash only, and content past the budget as over_budget', () => {
    const big = 'x'.repeat(100);
    const root = workspace({ 'a/Cargo.lock': big, 'b/Cargo.lock': 'y'.repeat(40), 'c/Cargo.lock': 'z'.repeat(40) });
    const scan = scanWorkspace(root, undefined, { ...LOCKFILE_SCAN_LIMITS, maxFileBytes: 64, maxTotalBytes: 60 })!;
    expect(scan.files.map((f) => [f.path, f.omitted, f.content?.length ?? null, f.sha256 === sha(f.path.startsWith('a') ? big : f.path.startsWith('b') ? 'y'.repeat(40) : 'z'.repeat(40))]))
      .toEqual([['a/Cargo.lock', 'too_large', null, true], ['b/Cargo.lock', null, 40, true], ['c/Cargo.lock', 'over_budget', null, true]]);
  });

  it('stops at its bounds and says so', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`m${i}/Cargo.lock`] = `${i}`;
    const scan = scanWorkspace(workspace(files), undefined, { ...LOCKFILE_SCAN_LIMITS, maxFiles: 3 })!;
    expect(scan.files).toHaveLength(3);
    expect(scan.truncated).toBe(true);
  });

  it('stops listing a huge folder at the entry bound', () => {
    const files: Record<string, string> = { 'Cargo.lock': 'x' };
    for (let i = 0; i < 50; i++) files[`f${i}.txt`] = '';
    const scan = scanWorkspace(workspace(files), undefined, { ...LOCKFILE_SCAN_LIMITS, maxEntries: 10 })!;
    expect(scan.truncated).toBe(true);
    expect(scan.files.length).toBeLessThanOrEqual(1);
  });

  it('leaves out what the build reported unchanged, and sends by hash what the pipeline\'s collector has', () => {
    const root = workspace({ 'Cargo.lock': 'a', 'go.sum': 'b', 'requirements.txt': 'c' });
    const scan = scanWorkspace(root, { sent: new Map([['go.sum', sha('b')]]), reported: new Map([['Cargo.lock', sha('a')]]) })!;
    expect(scan.files.map((f) => [f.path, f.content?.toString() ?? null])).toEqual([['go.sum', null], ['requirements.txt', 'c']]);
  });

  it('masks credentials in URLs before hashing: they never leave the host', () => {
    const text = '--extra-index-url https://deploy:s3cr3t-token@pypi.example/simple\nflask==3.0.0 \\\n  # via git+https://ghp_abc123@github.example/x.git\n';
    const root = workspace({ 'requirements.txt': text });
    const [f] = scanWorkspace(root)!.files;
    const masked = '--extra-index-url https://***@pypi.example/simple\nflask==3.0.0 \\\n  # via git+https://***@github.example/x.git\n';
    expect(f!.content!.toString()).toBe(masked);
    expect(f).toMatchObject({ sha256: sha(masked), size: masked.length });
    // Bytes that are not URLs pass through untouched, UTF-8 included.
    const other = Buffer.from('name = "café"\nemail = "a@b.example"\n');
    expect(maskUrlCredentials(other).equals(other)).toBe(true);
  });

  it('reads a folder\'s own lockfiles before its subfolders\': decoys cannot crowd out the project\'s', () => {
    const files: Record<string, string> = { 'package-lock.json': '{}' };
    for (let i = 0; i < 40; i++) files[`a/requirements-${i}.txt`] = `x==${i}\n`;
    const scan = scanWorkspace(workspace(files))!;
    expect(scan.files.map((f) => f.path)).toContain('package-lock.json');
    expect(scan.truncated).toBe(true);
  });

  it('masks every credential shape it knows, in linear time', () => {
    const mask = (t: string) => maskUrlCredentials(Buffer.from(t, 'latin1')).toString('latin1');
    expect(mask('https://me@corp.com:TOPSECRET@host/x')).toBe('https://***@host/x');
    expect(mask(`https://u:${'t'.repeat(2000)}@host/simple`)).toBe('https://***@host/simple');
    expect(mask('https://h/a.whl?X-Amz-Signature=abc&X-Amz-Credential=def&x=1#sha256=ff')).toBe('https://h/a.whl?X-Amz-Signature=***&X-Amz-Credential=***&x=1#sha256=ff');
    expect(mask('https://h/p?token=s3cr3t')).toBe('https://h/p?token=***');
    expect(mask('git+ssh://git@github.example/x.git')).toBe('git+ssh://***@github.example/x.git');
    expect(mask('"resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"')).toBe('"resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"');
    // A hostile file of schemes without delimiters (quadratic for a regex scanning each to its
    // end) goes through whole and unchanged within the test's time limit.
    const hostile = Buffer.from(`${'a://'.repeat(1024 * 1024)}@x`, 'latin1');
    expect(maskUrlCredentials(hostile).toString('latin1').endsWith('a://***@x')).toBe(true);
  });

  it('a workspace that does not exist is null', () => {
    expect(scanWorkspace('/nonexistent/telltale-ws')).toBeNull();
  });
});
