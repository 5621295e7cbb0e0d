import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessRunning, readCwd, readEnvironBytes, readParentPid } from './proc-reader.js';

describe('proc-reader', () => {
  it('reads the parent and cwd of a live process, even with a hostile comm', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'telltale proc ')));
    // exec -a sets argv0; the comm comes from the file name, so copy sleep under a nasty name.
    const child = spawn('sh', ['-c', 'cp "$(command -v sleep)" "./x) 1 (y" && exec "./x) 1 (y" 30'], { cwd: dir });
    try {
      const pid = child.pid as number;
      const comm = () => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return ''; } };
      for (let i = 0; i < 100 && comm() !== 'x) 1 (y'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(comm()).toBe('x) 1 (y');
      expect(readParentPid(pid)).toBe(process.pid);
      expect(readCwd(pid)).toBe(dir);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns null for a process that is gone or a bad pid', () => {
    expect(readParentPid(4_194_304 + 1)).toBeNull();
    expect(readCwd(4_194_304 + 1)).toBeNull();
    expect(readParentPid(-1)).toBeNull();
    expect(readParentPid(1.5)).toBeNull();
  });

  it('reads an environment block whole into bytes of its own, and tells a live process from a gone one', async () => {
    const big = 'x'.repeat(40_000); // past the first read buffer: it grows
    const child = spawn('sleep', ['30'], { env: { A_TOKEN: 'abc', BIG: big } });
    try {
      const pid = child.pid as number;
      for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('sleep'); i++) await new Promise((r) => setTimeout(r, 20));
      const bytes = readEnvironBytes(pid)!;
      expect(bytes.toString('latin1')).toBe(readFileSync(`/proc/${pid}/environ`, 'latin1'));
      expect(bytes.toString('latin1')).toContain(`BIG=${big}\0`);
      expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length); // not a slice of Node's shared 8 KiB pool
      expect(bytes.buffer.byteLength).toBeGreaterThan(8192);
      expect(readEnvironBytes(pid, 100)).toHaveLength(100);
      expect(isProcessRunning(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(isProcessRunning(child.pid as number)).toBe(false);
    expect(readEnvironBytes(child.pid as number)).toBeNull();
    expect(readEnvironBytes(4_194_304 + 1)).toBeNull();
    expect(isProcessRunning(-1)).toBe(false);
  });
});
