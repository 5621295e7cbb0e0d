// Scans a build's workspace for lockfiles as the build itself: in a child process with the
// uid and gid of the build's process (the agent runs as root; the workspace, and any link in
// it, is the build's to choose, so the scan can read nothing the build could not), seeing the
// build's mount namespace (a container job's workspace path is the container's), with a time
// limit (a hung network filesystem must not hold the agent) and a bound on what it may answer.
// The agent's event loop never blocks on the walk or the hashing.
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LockfileScan, ScannedLockfile } from './lockfile-reader.js';
import type { KnownLockfiles } from '../core/lockfile-memory.js';

/** The compiled child, found from src (tests) and dist alike. */
const CHILD = fileURLToPath(new URL('../../dist/adapters/lockfile-scan-child.js', import.meta.url));

export interface ScannerOptions {
  timeoutMs: number;
  /** The child's answer (JSON, content in base64) is refused past this. */
  maxAnswerBytes: number;
  procRoot: string;
}

export const SCANNER_DEFAULTS: Readonly<ScannerOptions> = Object.freeze({ timeoutMs: 15_000, maxAnswerBytes: 40 * 1024 * 1024, procRoot: '/proc' });

export type ScanOutcome = { ok: true; scan: LockfileScan } | { ok: false; reason: 'process_gone' | 'no_workspace' | 'timeout' | 'failed' | 'bad_answer' };

/** Effective uid and gid of a process, from /proc/<pid>/status; null when it is gone. */
export function processCredentials(pid: number, procRoot = '/proc'): { uid: number; gid: number } | null {
  try {
    const status = readFileSync(`${procRoot}/${pid}/status`, 'utf8');
    const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
    const gid = /^Gid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
    return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

/**
 * Who the scan runs as when the build's process is root (a `telltale run` as root handing the
 * build to another user, a CI snippet's setpriv): the deepest owner other than root of any part
 * of the workspace's path, links included. Whoever owns a part of the path can point it
 * anywhere, so the scan gets that user's rights, not root's. Root when root owns it all.
 */
export function pathOwner(path: string): { uid: number; gid: number } {
  let owner = { uid: 0, gid: 0 };
  let prefix = '';
  for (const part of path.split('/').filter(Boolean)) {
    prefix += `/${part}`;
    try {
      const st = lstatSync(prefix);
      if (st.uid !== 0) owner = { uid: st.uid, gid: st.gid };
    } catch {
      break;
    }
  }
  return owner;
}

/** The workspace path as this process can open it: through the build's root when it lives in another mount namespace. */
function reachable(pid: number, workspace: string, procRoot: string): string | null {
  try {
    const theirs = readlinkSync(`${procRoot}/${pid}/ns/mnt`);
    return theirs === readlinkSync(`${procRoot}/self/ns/mnt`) ? workspace : `${procRoot}/${pid}/root${workspace}`;
  } catch {
    return null;
  }
}

export function scanLockfilesOf(pid: number, workspace: string, known: KnownLockfiles, options: ScannerOptions = SCANNER_DEFAULTS): Promise<ScanOutcome> {
  const creds = processCredentials(pid, options.procRoot);
  const path = reachable(pid, workspace, options.procRoot);
  if (!creds || !path) return Promise.resolve({ ok: false, reason: 'process_gone' });
  // Only root can become another user; an agent that is not root reads with its own rights.
  const as = creds.uid === 0 ? pathOwner(path) : creds;
  const asBuild = process.getuid?.() === 0 ? { uid: as.uid, gid: as.gid } : {};
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: ScanOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const child = spawn(process.execPath, [CHILD], { ...asBuild, cwd: '/', env: {}, stdio: ['pipe', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ok: false, reason: 'timeout' });
    }, options.timeoutMs);
    const out: Buffer[] = [];
    let bytes = 0;
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > options.maxAnswerBytes) {
        child.kill('SIGKILL');
        done({ ok: false, reason: 'bad_answer' });
        return;
      }
      out.push(c);
    });
    child.on('error', () => done({ ok: false, reason: 'failed' }));
    child.on('close', (code) => {
      if (code !== 0) return done({ ok: false, reason: 'failed' });
      const scan = parseAnswer(Buffer.concat(out).toString('utf8'));
      done(scan === undefined ? { ok: false, reason: 'bad_answer' } : scan === null ? { ok: false, reason: 'no_workspace' } : { ok: true, scan });
    });
    child.stdin.on('error', () => undefined); // a child that died early: its exit says so
    child.stdin.end(JSON.stringify({ workspace: path, sent: [...known.sent], reported: [...known.reported] }));
  });
}

const OMISSIONS = new Set([null, 'too_large', 'over_budget']);

/** The child's answer, checked field by field (it ran as the build's user); undefined when malformed. */
export function parseAnswer(text: string): LockfileScan | null | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null) return null;
  if (typeof v !== 'object' || !Array.isArray((v as { files?: unknown }).files)) return undefined;
  const a = v as { files: unknown[]; skipped?: unknown; truncated?: unknown };
  if (!Number.isSafeInteger(a.skipped) || typeof a.truncated !== 'boolean') return undefined;
  const files: ScannedLockfile[] = [];
  for (const f of a.files) {
    if (typeof f !== 'object' || f === null) return undefined;
    const { path, sha256, size, omitted, content } = f as Record<string, unknown>;
    if (typeof path !== 'string' || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(size) || (size as number) < 0) return undefined;
    if (!OMISSIONS.has(omitted as null) || (content !== null && typeof content !== 'string')) return undefined;
    const bytes = typeof content === 'string' ? Buffer.from(content, 'base64') : null;
    if (bytes && bytes.length !== size) return undefined;
    files.push({ path, sha256, size: size as number, content: bytes, omitted: omitted as ScannedLockfile['omitted'] });
  }
  return { files, skipped: a.skipped as number, truncated: a.truncated };
}
