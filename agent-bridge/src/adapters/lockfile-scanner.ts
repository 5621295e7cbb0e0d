// Scans a build's workspace for lockfiles as the build itself: the agent (root) opens the
// workspace folder as the build sees it (through /proc/<pid>/root across mount namespaces) and
// hands it to a child process running with the build's real uid and gid (see scanPlan), so the
// walk can read nothing the build could not; with a time limit (a hung network filesystem must
// not hold the agent), a host-wide bound on scans at once, and every bound checked again on
// the child's answer. The agent's event loop never blocks on the walk or the hashing.
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readlinkSync } from 'node:fs';
import { LIMITS } from '@telltale/proto';
import { fileURLToPath } from 'node:url';
import { LOCKFILE_SCAN_LIMITS, type LockfileScan, type ScannedLockfile } from './lockfile-reader.js';
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

export type ScanOutcome = { ok: true; scan: LockfileScan } | { ok: false; reason: 'process_gone' | 'no_workspace' | 'timeout' | 'failed' | 'bad_answer' | 'busy' };

/** Real uid and gid of a process, from /proc/<pid>/status; null when it is gone. */
export function processCredentials(pid: number, procRoot = '/proc'): { uid: number; gid: number } | null {
  try {
    const status = readFileSync(`${procRoot}/${pid}/status`, 'utf8');
    // The real ids, not the effective ones: a build step running a setuid program (passwd
    // waiting for input) has root's effective uid, and must not lend it to the scan.
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    const gid = /^Gid:\s+(\d+)/m.exec(status)?.[1];
    return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Where the scan opens the workspace and whom it reads as. The path goes through the build's
 * root when the build lives in another mount namespace than the agent (a container job, or the
 * agent's own private mounts under systemd). A build running as a user is scanned as that
 * user; a root build on the host as root (it could read anything itself); a root build in a
 * container as nobody: a link in its workspace path could point into the host's files, and
 * nobody reads only what anyone may.
 */
export function scanPlan(pid: number, workspace: string, procRoot = '/proc'): { path: string; as: { uid: number; gid: number } } | null {
  const creds = processCredentials(pid, procRoot);
  if (!creds) return null;
  let theirs: string;
  let ours: string;
  try {
    theirs = readlinkSync(`${procRoot}/${pid}/ns/mnt`);
    ours = readlinkSync(`${procRoot}/self/ns/mnt`);
  } catch {
    return null;
  }
  const path = theirs === ours ? workspace : `${procRoot}/${pid}/root${workspace}`;
  if (creds.uid !== 0) return { path, as: creds };
  // The host's namespace is init's; where init cannot be read (the agent itself in a sandbox),
  // the agent's own.
  let host = ours;
  try {
    host = readlinkSync(`${procRoot}/1/ns/mnt`);
  } catch { /* keep the agent's */ }
  return { path, as: theirs === host ? creds : NOBODY };
}

/** Scans running at once, host-wide: a child stuck on a hung network filesystem cannot be killed, and must not pile up. */
const MAX_RUNNING = 4;
let running = 0;

export function scanLockfilesOf(pid: number, workspace: string, known: KnownLockfiles, options: ScannerOptions = SCANNER_DEFAULTS): Promise<ScanOutcome> {
  const plan = scanPlan(pid, workspace, options.procRoot);
  if (!plan) return Promise.resolve({ ok: false, reason: 'process_gone' });
  if (running >= MAX_RUNNING) return Promise.resolve({ ok: false, reason: 'busy' });
  // The folder is opened here, once, and handed to the child: it walks from what was opened.
  let dir: number;
  try {
    dir = openSync(plan.path, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch {
    return Promise.resolve({ ok: false, reason: 'no_workspace' });
  }
  // Only root can become another user; an agent that is not root reads with its own rights.
  const asBuild = process.getuid?.() === 0 ? { uid: plan.as.uid, gid: plan.as.gid } : {};
  running++;
  return new Promise<ScanOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: ScanOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      child?.kill('SIGKILL');
      done({ ok: false, reason: 'timeout' });
    }, options.timeoutMs);
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawn(process.execPath, [CHILD], { ...asBuild, cwd: '/', env: {}, stdio: ['pipe', 'pipe', 'ignore', dir] });
    } catch {
      // EPERM: the agent lacks CAP_SETUID/CAP_SETGID (see deploy/README.md).
      closeSync(dir);
      running--;
      done({ ok: false, reason: 'failed' });
      return;
    }
    closeSync(dir);
    const out: Buffer[] = [];
    let bytes = 0;
    child.stdout!.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > options.maxAnswerBytes) {
        child!.kill('SIGKILL');
        done({ ok: false, reason: 'bad_answer' });
        return;
      }
      out.push(c);
    });
    child.on('error', () => done({ ok: false, reason: 'failed' }));
    child.on('close', (code) => {
      running--;
      if (code !== 0) return done({ ok: false, reason: 'failed' });
      const scan = parseAnswer(Buffer.concat(out).toString('utf8'));
      done(scan === undefined ? { ok: false, reason: 'bad_answer' } : scan === null ? { ok: false, reason: 'no_workspace' } : { ok: true, scan });
    });
    child.stdin!.on('error', () => undefined); // a child that died early: its exit says so
    child.stdin!.end(JSON.stringify({ workspace: '/proc/self/fd/3', sent: [...known.sent], reported: [...known.reported] }));
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
  // The child ran as the build's user, who may have tampered with it: every bound again.
  if (a.files.length > LOCKFILE_SCAN_LIMITS.maxFiles) return undefined;
  const files: ScannedLockfile[] = [];
  let kept = 0;
  for (const f of a.files) {
    if (typeof f !== 'object' || f === null) return undefined;
    const { path, sha256, size, omitted, content } = f as Record<string, unknown>;
    if (typeof path !== 'string' || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(size) || (size as number) < 0) return undefined;
    if (!OMISSIONS.has(omitted as null) || (content !== null && typeof content !== 'string')) return undefined;
    if (path.length === 0 || path.length > LIMITS.lockfilePathChars || /[\x00-\x1f\x7f]/.test(path) || path.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return undefined;
    const bytes = typeof content === 'string' ? Buffer.from(content, 'base64') : null;
    if (bytes && (bytes.length !== size || bytes.length > LOCKFILE_SCAN_LIMITS.maxFileBytes)) return undefined;
    kept += bytes?.length ?? 0;
    if (kept > LOCKFILE_SCAN_LIMITS.maxTotalBytes) return undefined;
    files.push({ path, sha256, size: size as number, content: bytes, omitted: omitted as ScannedLockfile['omitted'] });
  }
  return { files, skipped: a.skipped as number, truncated: a.truncated };
}
