// The scan in its own process, as the build's user: real child processes, real uid switches
// (the tests run as root, as the agent does).
import { chmodSync, chownSync, lchownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAnswer, pathOwner, scanLockfilesOf, SCANNER_DEFAULTS } from './lockfile-scanner.js';

const NOBODY = 65534;
const none = { sent: new Map<string, string>(), reported: new Map<string, string>() };
let dirs: string[] = [];
const kids: { kill(): void }[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const k of kids) k.kill();
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'telltale-scan-'));
  chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}
/** A process running as `uid`, standing in for a build step. */
async function processAs(uid: number): Promise<number> {
  const p = spawn('sleep', ['30'], { uid, gid: uid, stdio: 'ignore' });
  kids.push(p);
  await new Promise((r) => p.once('spawn', r));
  return p.pid!;
}

describe('scanLockfilesOf', () => {
  it.runIf(process.getuid?.() === 0)('reads as the build\'s user: a root-only file linked into its workspace is not read', async () => {
    const secret = tempDir();
    writeFileSync(join(secret, 'requirements.txt'), 'private==1.0\n');
    chmodSync(join(secret, 'requirements.txt'), 0o600);
    const ws = tempDir();
    writeFileSync(join(ws, 'Cargo.lock'), 'version = 4\n');
    symlinkSync(secret, join(ws, 'linked'));
    chownSync(ws, NOBODY, NOBODY);
    const step = await processAs(NOBODY);
    const r = await scanLockfilesOf(step, ws, none);
    expect(r.ok && r.scan.files.map((f) => f.path)).toEqual(['Cargo.lock']);
    // The folder scanned for root, whose path root owns, is read: the walk is not what stopped it.
    const asRoot = await scanLockfilesOf(process.pid, secret, none);
    expect(asRoot.ok && asRoot.scan.files.map((f) => f.path)).toEqual(['requirements.txt']);
  });

  it.runIf(process.getuid?.() === 0)('a root build whose workspace path passes through a user\'s link or folder scans as that user', async () => {
    const ws = tempDir();
    expect(pathOwner(ws)).toEqual({ uid: 0, gid: 0 });
    chownSync(ws, NOBODY, NOBODY);
    expect(pathOwner(join(ws, 'sub'))).toEqual({ uid: NOBODY, gid: NOBODY });
    const secret = tempDir();
    writeFileSync(join(secret, 'go.sum'), 'x');
    chmodSync(join(secret, 'go.sum'), 0o600);
    const link = join(tempDir(), 'ws');
    symlinkSync(secret, link);
    lchownSync(link, NOBODY, NOBODY);
    const r = await scanLockfilesOf(process.pid, link, none);
    expect(r.ok && r.scan.files).toEqual([]);
  });

  it('says why when there is nothing to read', async () => {
    expect(await scanLockfilesOf(process.pid, '/nonexistent/telltale-ws', none)).toEqual({ ok: false, reason: 'no_workspace' });
    expect(await scanLockfilesOf(2 ** 22 + 12345, tempDir(), none)).toEqual({ ok: false, reason: 'process_gone' });
    expect(await scanLockfilesOf(process.pid, tempDir(), none, { ...SCANNER_DEFAULTS, timeoutMs: 1 })).toEqual({ ok: false, reason: 'timeout' });
  });

  it('round-trips content through the child, byte for byte', async () => {
    const ws = tempDir();
    const bytes = Buffer.from([...Buffer.from('# lock\n'), 0xc3, 0xa9, 0xff, 0x00, 0x0a]);
    writeFileSync(join(ws, 'poetry.lock'), bytes);
    const r = await scanLockfilesOf(process.pid, ws, none);
    expect(r.ok && r.scan.files[0]!.content!.equals(bytes)).toBe(true);
  });
});

describe('parseAnswer', () => {
  const ok = { path: 'Cargo.lock', sha256: 'a'.repeat(64), size: 1, omitted: null, content: Buffer.from('x').toString('base64') };
  it('takes a well-formed answer', () => {
    expect(parseAnswer(JSON.stringify({ files: [ok], skipped: 0, truncated: false }))?.files[0]!.content!.toString()).toBe('x');
    expect(parseAnswer('null')).toBeNull();
  });
  it.each([
    ['not JSON', 'nope'],
    ['no files', JSON.stringify({ skipped: 0, truncated: false })],
    ['a bad hash', JSON.stringify({ files: [{ ...ok, sha256: 'zz' }], skipped: 0, truncated: false })],
    ['content of another size', JSON.stringify({ files: [{ ...ok, size: 5 }], skipped: 0, truncated: false })],
    ['an unknown omission', JSON.stringify({ files: [{ ...ok, omitted: 'lazy', content: null }], skipped: 0, truncated: false })],
    ['a negative size', JSON.stringify({ files: [{ ...ok, size: -1, content: null }], skipped: 0, truncated: false })],
  ])('refuses %s', (_, text) => {
    expect(parseAnswer(text)).toBeUndefined();
  });
});
