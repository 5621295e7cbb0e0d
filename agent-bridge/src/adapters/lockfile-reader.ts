// Finds and reads the lockfiles in a build's workspace. It runs in a child process with the
// build's own uid and gid (lockfile-scanner.ts), so it can read nothing the build could not;
// still, the workspace belongs to a possibly hostile build: nothing here follows a symbolic
// link under a lockfile's name, a file that resolves outside the workspace is refused, FIFOs
// and devices are skipped, and the walk, the files, the bytes hashed and the bytes kept are
// bounded. Credentials in URLs (`https://user:token@host`, `?token=`, as requirements.txt and
// private registries' resolved URLs carry them) are masked before anything is hashed or kept:
// they never leave the host (a file too large to send is hashed as it is, and never sent).
import { closeSync, constants, fstatSync, opendirSync, openSync, readlinkSync, readSync, type Dir, type Dirent } from 'node:fs';
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

/** Query parameters whose values are credentials (`?token=`, AWS presigned URLs' signatures...). */
const SECRET_PARAM = /^(?:[\w.-]*(?:token|key|secret|signature|sig|password|passwd|auth|credential)[\w.-]*)$/i;
/** What ends a URL's authority (`//user:pass@host`) and its query values. */
const AUTHORITY_END = new Set(['/', '?', '#', ' ', '\t', '\r', '\n', '"', "'", '<', '>', '`']);

/**
 * Masks credentials in URLs: `scheme://user:token@host` → `scheme://***@host` (up to the last
 * `@` of the authority, as pip and requests read it) and the values of query parameters named
 * like credentials (`?token=…`, `X-Amz-Signature=…`) → `***`. Linear in the input (each
 * authority ends at the next `/`, so no byte is scanned twice); every other byte is kept
 * (latin1: one character a byte).
 */
export function maskUrlCredentials(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    const from = at + 3;
    let end = from;
    let lastAt = -1;
    for (; end < text.length && !AUTHORITY_END.has(text[end]!); end++) if (text[end] === '@') lastAt = end;
    if (lastAt >= from) {
      out += `${text.slice(copied, from)}***`;
      copied = lastAt;
    }
  }
  out += text.slice(copied);
  // Query values: `?name=value` or `&name=value` with a credential-like name.
  const masked = out.replace(/([?&])([\w.-]{1,64})=([^&#\s"'<>`;,]*)/g, (m, sep: string, name: string, value: string) =>
    (value && SECRET_PARAM.test(name) ? `${sep}${name}=***` : m));
  return masked === text ? bytes : Buffer.from(masked, 'latin1');
}

/**
 * Scans `workspace`: a path, or `/proc/self/fd/N` for a folder the agent opened and handed
 * over. What every file read resolves to must lie under what the workspace itself resolves to,
 * both as the kernel names them (`/proc/self/fd`): a folder swapped for a link mid-walk is caught.
 */
export function scanWorkspace(workspace: string, known: KnownLockfiles = NOTHING_KNOWN, limits: LockfileScanLimits = LOCKFILE_SCAN_LIMITS): LockfileScan | null {
  let root: string;
  let fd: number | undefined;
  try {
    fd = openSync(workspace, constants.O_RDONLY | constants.O_DIRECTORY);
    root = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const under = root === '/' ? '/' : `${root}/`;
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
    // A folder's own lockfiles before its subfolders': the project's lockfile at the top is read
    // first, and a pile of decoys in `a/` cannot use up the file bound before it.
    const folders: Dirent[] = [];
    for (const d of list) {
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        folders.push(d);
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
      const file = readLockfile(`${dir}/${d.name}`, relPath, under, known, limits, budget);
      if (file === 'skip') scan.skipped++;
      else if (file === 'stop') scan.truncated = true;
      else if (file) scan.files.push(file);
    }
    for (const d of folders) {
      if (depth >= limits.maxDepth || d.name.startsWith('.') || SKIPPED_DIRS.has(d.name) || budget.entries >= limits.maxEntries) continue;
      if (scan.files.length >= limits.maxFiles) {
        scan.truncated = true; // folders left unread may hold more
        return;
      }
      walk(`${dir}/${d.name}`, rel ? `${rel}/${d.name}` : d.name, depth + 1);
    }
  };
  walk(workspace, '', 0);
  scan.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return scan;
}

/** null: reported in this build already, unchanged; 'skip': not readable as a lockfile; 'stop': over the hash budget. */
function readLockfile(path: string, relPath: string, under: string, known: KnownLockfiles, limits: LockfileScanLimits,
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
    if (!readlinkSync(`/proc/self/fd/${fd}`).startsWith(under)) return 'skip';
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
    // A file too large to send goes by hash alone (of its bytes as read: they never leave).
    const tooLarge = (sha256: string, bytes: number) =>
      (known.reported.get(relPath) === sha256 ? null : { path: relPath, sha256, size: bytes, content: null, omitted: 'too_large' as const });
    if (size > limits.maxFileBytes) return tooLarge(raw.digest('hex'), size);
    // What is hashed is what would be sent: the file with URL credentials masked.
    const content = maskUrlCredentials(Buffer.concat(chunks, size));
    const sha256 = createHash('sha256').update(content).digest('hex');
    // Masking can lengthen a file (`a@` → `***@`): what is sent must still fit.
    if (content.length > limits.maxFileBytes) return tooLarge(sha256, content.length);
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
