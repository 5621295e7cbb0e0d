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
