// Reads what the tracker and assembler need from /proc: a process's parent and its cwd.
// Both return null when the process is gone (or hidden from us), never throw.
import { readFileSync, readlinkSync } from 'node:fs';
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
 * A process's initial environment block as bytes, at most `maxBytes`; null when gone. The
 * caller parses it in memory and drops it: it may hold secrets, so it is never logged or stored.
 */
export function readEnvironBytes(pid: number, maxBytes = 1024 * 1024, procRoot = '/proc'): Uint8Array | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const bytes = readFileSync(`${procRoot}/${pid}/environ`);
    return bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
  } catch {
    return null;
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
