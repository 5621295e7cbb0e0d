// Finds and reads the lockfiles in a build's workspace. The agent runs as root and the
// workspace belongs to the build, which may be hostile: nothing here follows a symbolic link
// (a `Cargo.lock` pointing at /etc/shadow must not be read and shipped), a file that resolves
// outside the workspace is refused, FIFOs and devices are skipped, and the walk, the number of
// files and the bytes read are bounded.
import { closeSync, constants, fstatSync, opendirSync, openSync, readlinkSync, readSync, realpathSync, type Dir, type Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import { LIMITS, lockfileKind, type LockfileOmission } from '@telltale/proto';

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
}

export const LOCKFILE_SCAN_LIMITS: Readonly<LockfileScanLimits> = Object.freeze({
  maxDepth: 3, maxEntries: 5000, maxFiles: 32, maxFileBytes: LIMITS.lockfileBytes, maxTotalBytes: 16 * 1024 * 1024, maxHashBytes: 256 * 1024 * 1024,
});

/** Folders that hold other people's code or build output, never the project's lockfiles. */
const SKIPPED_DIRS = new Set(['node_modules', 'target', 'vendor', 'venv', '__pycache__', 'site-packages', 'bower_components', 'dist']);

export interface ScannedLockfile {
  path: string;
  sha256: string;
  size: number;
  /** null when too large or over the scan's budget (`omitted` says which). */
  content: Buffer | null;
  omitted: LockfileOmission | null;
}

export interface LockfileScan {
  files: ScannedLockfile[];
  /** Files passed over: links, not regular files, outside the workspace, unreadable, over maxHashBytes. */
  skipped: number;
  /** The walk stopped at a bound (entries or files): there may be more. */
  truncated: boolean;
}

export function scanWorkspace(workspace: string, limits: LockfileScanLimits = LOCKFILE_SCAN_LIMITS): LockfileScan | null {
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch {
    return null;
  }
  const scan: LockfileScan = { files: [], skipped: 0, truncated: false };
  let entries = 0;
  let kept = 0;
  const walk = (dir: string, rel: string, depth: number): void => {
    // Read lazily: a folder of a million entries (a home directory, a cache) stops the walk at
    // the bound instead of being listed whole first.
    const list: Dirent[] = [];
    let handle: Dir | undefined;
    try {
      handle = opendirSync(dir);
      for (let d = handle.readSync(); d !== null; d = handle.readSync()) {
        if (++entries > limits.maxEntries) {
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
        if (depth < limits.maxDepth && !d.name.startsWith('.') && !SKIPPED_DIRS.has(d.name) && entries < limits.maxEntries) walk(`${dir}/${d.name}`, relPath, depth + 1);
        continue;
      }
      if (lockfileKind(d.name) === null || d.name === '.package-lock.json') continue;
      if (!d.isFile()) {
        scan.skipped++; // a link or a special file under a lockfile's name
        continue;
      }
      if (scan.files.length >= limits.maxFiles) {
        scan.truncated = true;
        return;
      }
      const file = readLockfile(`${dir}/${d.name}`, root, limits, limits.maxTotalBytes - kept);
      if (!file) {
        scan.skipped++;
        continue;
      }
      if (file.content) kept += file.content.length;
      scan.files.push({ path: relPath, ...file });
    }
  };
  walk(root, '', 0);
  scan.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return scan;
}

function readLockfile(path: string, root: string, limits: LockfileScanLimits, budget: number): Omit<ScannedLockfile, 'path'> | null {
  let fd: number;
  try {
    // O_NOFOLLOW: the name itself may have become a link since the walk; O_NONBLOCK: a FIFO
    // put there must not hang the agent (fstat then refuses it).
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > limits.maxHashBytes) return null;
    // A folder on the way may have been swapped for a link after the walk listed it: what was
    // opened must still be inside the workspace.
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    if (!real.startsWith(`${root}/`)) return null;
    const hash = createHash('sha256');
    const keep = st.size <= limits.maxFileBytes && st.size <= budget;
    const chunks: Buffer[] = [];
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let size = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > limits.maxHashBytes) return null; // grew while read
      hash.update(chunk.subarray(0, n));
      if (keep) chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    const fits = keep && size <= limits.maxFileBytes && size <= budget;
    return {
      sha256: hash.digest('hex'), size,
      content: fits ? Buffer.concat(chunks, size) : null,
      omitted: fits ? null : size > limits.maxFileBytes ? 'too_large' : 'over_budget',
    };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
