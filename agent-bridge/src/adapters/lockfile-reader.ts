// Finds and reads the lockfiles in a build's workspace. It runs in a child process with the
// build's own uid and gid (lockfile-scanner.ts), so it can read nothing the build could not;
// still, the workspace belongs to a possibly hostile build: nothing here follows a symbolic
// link under a lockfile's name, a file that resolves outside the workspace is refused, FIFOs
// and devices are skipped, and the walk, the files, the bytes hashed and the bytes kept are
// bounded. Credentials in URLs (`https://user:token@host`, as requirements.txt and private
// registries' resolved URLs carry them) are masked before anything is hashed or kept: they
// never leave the host.
import { closeSync, constants, fstatSync, opendirSync, openSync, readlinkSync, readSync, realpathSync, type Dir, type Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import { LIMITS, lockfileKind, type LockfileOmission } from '@telltale/proto';
import type { KnownLockfiles } from '../core/lockfile-memory.js';

export interface LockfileScanLimits {
  /** Directory levels below the workspace walked (0: the workspace itself only). */
  maxDepth: number;
  /** Directory entries looked at, over the whole walk. */
  maxEntries: number;
  maxFiles: number;
  /** A bigger file is reported by hash only (`too_large`). */
  maxFileBytes: number;
  /** Content kept over the whole scan; past it, files are reported by hash only (`over_budget`). */
  maxTotalBytes: number;
  /** A file bigger than this is not even hashed (counted as skipped). */
  maxHashBytes: number;
  /** Bytes hashed over the whole scan; past it, files are skipped. */
  maxTotalHashBytes: number;
}

export const LOCKFILE_SCAN_LIMITS: Readonly<LockfileScanLimits> = Object.freeze({
  maxDepth: 3, maxEntries: 5000, maxFiles: 32, maxFileBytes: LIMITS.lockfileBytes, maxTotalBytes: 16 * 1024 * 1024,
  maxHashBytes: 64 * 1024 * 1024, maxTotalHashBytes: 256 * 1024 * 1024,
});

/** Folders that hold other people's code or build output, never the project's lockfiles. */
const SKIPPED_DIRS = new Set(['node_modules', 'target', 'vendor', 'venv', '__pycache__', 'site-packages', 'bower_components', 'dist']);

export interface ScannedLockfile {
  path: string;
  sha256: string;
  size: number;
  /** null when already sent, too large or over the scan's budget (`omitted` says which of the last two). */
  content: Buffer | null;
  omitted: LockfileOmission | null;
}

export interface LockfileScan {
  files: ScannedLockfile[];
  /** Files passed over: links, not regular files, outside the workspace, unreadable, too big to hash, bad names. */
  skipped: number;
  /** The walk stopped at a bound (entries, files or bytes hashed): there may be more. */
  truncated: boolean;
}


const NOTHING_KNOWN: KnownLockfiles = { sent: new Map(), reported: new Map() };

/** `https://user:token@host` → `https://***@host`, byte for byte elsewhere (latin1 keeps every byte). */
export function maskUrlCredentials(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const masked = text.replace(/([a-z][a-z0-9+.-]{0,31}:\/\/)[^/\s@'"<>]{1,512}@/gi, '$1***@');
  return masked === text ? bytes : Buffer.from(masked, 'latin1');
}

export function scanWorkspace(workspace: string, known: KnownLockfiles = NOTHING_KNOWN, limits: LockfileScanLimits = LOCKFILE_SCAN_LIMITS): LockfileScan | null {
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch {
    return null;
  }
  const scan: LockfileScan = { files: [], skipped: 0, truncated: false };
  const budget = { entries: 0, kept: 0, hashed: 0 };
  const walk = (dir: string, rel: string, depth: number): void => {
    // Read lazily: a folder of a million entries (a home directory, a cache) stops the walk at
    // the bound instead of being listed whole first.
    const list: Dirent[] = [];
    let handle: Dir | undefined;
    try {
      handle = opendirSync(dir);
      for (let d = handle.readSync(); d !== null; d = handle.readSync()) {
        if (++budget.entries > limits.maxEntries) {
          scan.truncated = true;
          break;
        }
        list.push(d);
      }
    } catch {
      return;
    } finally {
      handle?.closeSync();
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of list) {
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (depth < limits.maxDepth && !d.name.startsWith('.') && !SKIPPED_DIRS.has(d.name) && budget.entries < limits.maxEntries) walk(`${dir}/${d.name}`, relPath, depth + 1);
        continue;
      }
      if (lockfileKind(d.name) === null || d.name === '.package-lock.json') continue;
      // What the collector would refuse (control characters, over-long paths) is not sent at all.
      if (!d.isFile() || relPath.length > LIMITS.lockfilePathChars || /[\x00-\x1f\x7f]/.test(relPath)) {
        scan.skipped++; // a link or a special file under a lockfile's name, or a name the wire refuses
        continue;
      }
      if (scan.files.length >= limits.maxFiles) {
        scan.truncated = true;
        return;
      }
      const file = readLockfile(`${dir}/${d.name}`, relPath, root, known, limits, budget);
      if (file === 'skip') scan.skipped++;
      else if (file === 'stop') scan.truncated = true;
      else if (file) scan.files.push(file);
    }
  };
  walk(root, '', 0);
  scan.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return scan;
}

/** null: reported in this build already, unchanged; 'skip': not readable as a lockfile; 'stop': over the hash budget. */
function readLockfile(path: string, relPath: string, root: string, known: KnownLockfiles, limits: LockfileScanLimits,
  budget: { kept: number; hashed: number }): ScannedLockfile | null | 'skip' | 'stop' {
  let fd: number;
  try {
    // O_NOFOLLOW: the name itself may have become a link since the walk; O_NONBLOCK: a FIFO
    // put there must not hang the scan (fstat then refuses it).
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return 'skip';
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > limits.maxHashBytes) return 'skip';
    if (budget.hashed + st.size > limits.maxTotalHashBytes) return 'stop';
    // A folder on the way may have been swapped for a link after the walk listed it: what was
    // opened must still be inside the workspace.
    if (!readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${root}/`)) return 'skip';
    // Kept whole while it fits (to be masked and sent); beyond that only hashed as it streams.
    const chunks: Buffer[] = [];
    const raw = createHash('sha256');
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let size = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      budget.hashed += n;
      if (size > limits.maxHashBytes) return 'skip'; // grew while read
      if (size <= limits.maxFileBytes) chunks.push(Buffer.from(chunk.subarray(0, n)));
      else {
        if (chunks.length) {
          for (const c of chunks) raw.update(c);
          chunks.length = 0;
        }
        raw.update(chunk.subarray(0, n));
      }
    }
    if (size > limits.maxFileBytes) {
      const sha256 = raw.digest('hex');
      return known.reported.get(relPath) === sha256 ? null : { path: relPath, sha256, size, content: null, omitted: 'too_large' };
    }
    // What is hashed is what would be sent: the file with URL credentials masked.
    const content = maskUrlCredentials(Buffer.concat(chunks, size));
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (known.reported.get(relPath) === sha256) return null;
    if (known.sent.get(relPath) === sha256) return { path: relPath, sha256, size: content.length, content: null, omitted: null };
    if (budget.kept + content.length > limits.maxTotalBytes) return { path: relPath, sha256, size: content.length, content: null, omitted: 'over_budget' };
    budget.kept += content.length;
    return { path: relPath, sha256, size: content.length, content, omitted: null };
  } catch {
    return 'skip';
  } finally {
    closeSync(fd);
  }
}
