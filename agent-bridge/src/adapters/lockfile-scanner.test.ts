// The scan in its own process, as the build's user: real child processes, real uid switches
// (the tests run as root, as the agent does).
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAnswer, scanLockfilesOf, scanPlan, SCANNER_DEFAULTS } from './lockfile-scanner.js';

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

  it.runIf(process.getuid?.() === 0)('reads as the real uid; a root build on the host as root, a root build in a container as nobody', async () => {
    const ws = tempDir();
    expect(scanPlan(await processAs(NOBODY), ws)).toEqual({ path: ws, as: { uid: NOBODY, gid: NOBODY } });
    expect(scanPlan(process.pid, ws)).toEqual({ path: ws, as: { uid: 0, gid: 0 } });
    // A root process in a mount namespace of its own: its path is read through its root, as nobody.
    const contained = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '30'], { stdio: 'ignore' });
    kids.push(contained);
    await new Promise((r) => setTimeout(r, 200));
    const sleeper = Number(readFileSync(`/proc/${contained.pid}/task/${contained.pid}/children`, 'utf8').trim().split(' ')[0]) || contained.pid!;
    expect(scanPlan(sleeper, ws)).toEqual({ path: `/proc/${sleeper}/root${ws}`, as: { uid: NOBODY, gid: NOBODY } });
  });

  it.runIf(process.getuid?.() === 0)('a root build in a container whose workspace is a link out to the host reads only what anyone may', async () => {
    const hostDir = tempDir();
    writeFileSync(join(hostDir, 'requirements.txt'), 'private==1.0\n');
    chmodSync(join(hostDir, 'requirements.txt'), 0o600);
    writeFileSync(join(hostDir, 'Cargo.lock'), 'version = 4\n');
    const link = join(tempDir(), 'ws');
    symlinkSync(hostDir, link);
    const contained = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '30'], { stdio: 'ignore' });
    kids.push(contained);
    await new Promise((r) => setTimeout(r, 200));
    const sleeper = Number(readFileSync(`/proc/${contained.pid}/task/${contained.pid}/children`, 'utf8').trim().split(' ')[0]) || contained.pid!;
    const r = await scanLockfilesOf(sleeper, link, none);
    expect(r.ok && r.scan.files.map((f) => f.path)).toEqual(['Cargo.lock']);
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
    ['a path climbing out', JSON.stringify({ files: [{ ...ok, path: '../etc/Cargo.lock' }], skipped: 0, truncated: false })],
    ['more files than a scan reads', JSON.stringify({ files: Array.from({ length: 33 }, () => ({ ...ok, content: null })), skipped: 0, truncated: false })],
    ['content over the file bound', JSON.stringify({ files: [{ ...ok, size: 9 * 1024 * 1024, content: Buffer.alloc(9 * 1024 * 1024).toString('base64') }], skipped: 0, truncated: false })],
  ])('refuses %s', (_, text) => {
    expect(parseAnswer(text)).toBeUndefined();
  });
});
