// Reads what the tracker and assembler need from /proc: a process's parent and its cwd.
// Both return null when the process is gone (or hidden from us), never throw.
import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { parseStatPpid } from '../core/proc-stat.js';

export function readParentPid(pid: number, procRoot = '/proc'): number | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return parseStatPpid(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function readCwd(pid: number, procRoot = '/proc'): string | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return readlinkSync(`${procRoot}/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** A process's initial environment block (/proc/<pid>/environ), at most `maxBytes`; null when gone. */
export function readEnviron(pid: number, maxBytes = 256 * 1024, procRoot = '/proc'): string | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const text = readFileSync(`${procRoot}/${pid}/environ`, 'latin1');
    return text.length > maxBytes ? text.slice(0, maxBytes) : text;
  } catch {
    return null;
  }
}

/**
 * A process's initial environment block as bytes, at most `maxBytes`; null when gone (or a
 * zombie, whose block reads empty). The bytes are the only copy, in a buffer of their own (never
 * Node's shared pool): the caller parses them in memory and zeroes them with `fill(0)`. They may
 * hold secrets, so they are never logged or stored.
 */
export function readEnvironBytes(pid: number, maxBytes = 1024 * 1024, procRoot = '/proc'): Buffer | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  let fd: number;
  try {
    fd = openSync(`${procRoot}/${pid}/environ`, 'r');
  } catch {
    return null;
  }
  let buf = Buffer.alloc(Math.min(16 * 1024, maxBytes));
  let length = 0;
  try {
    for (;;) {
      if (length === buf.length) {
        if (buf.length >= maxBytes) break;
        const bigger = Buffer.alloc(Math.min(buf.length * 4, maxBytes));
        buf.copy(bigger);
        buf.fill(0);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
  } catch {
    buf.fill(0);
    return null;
  } finally {
    closeSync(fd);
  }
  if (length === 0 && !isProcessRunning(pid, procRoot)) return null;
  return buf.subarray(0, length);
}

/** A live process (not a zombie) has this pid now. */
export function isProcessRunning(pid: number, procRoot = '/proc'): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
    const close = stat.lastIndexOf(')');
    return stat.slice(close + 2, close + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A process's executable and argv; null when gone. */
export function readImage(pid: number, procRoot = '/proc'): { exe: string; argv: string[] } | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const argv = readFileSync(`${procRoot}/${pid}/cmdline`).toString('utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return { exe: readlinkSync(`${procRoot}/${pid}/exe`), argv: argv.slice(0, 64) };
  } catch {
    return null;
  }
}
