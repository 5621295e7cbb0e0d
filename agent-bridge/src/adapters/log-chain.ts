// The files a rotating log is made of, oldest first: which names in its directory belong to it,
// which of them are one file seen twice, and opening and reading each, gzipped or plain, from an offset.
//
// Rotation: lumberjack, which Tetragon's export uses, renames the file to
// <stem>-<2006-01-02T15-04-05.000><ext> and creates a new one, gzipping backups later;
// logrotate's numbered <name>.1, <name>.2.gz (Falco file_output setups), by rename or copytruncate.
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { FINGERPRINT_MAX, fingerprintOf, type LineCursor } from '../core/log-lines.js';

export const CHUNK = 64 * 1024;

/** The hash a file's fingerprint is made with. */
export const hashHead = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 32);

interface GzipReader { src: Readable; gunzip: Gunzip; iter: AsyncIterator<Buffer>; pos: number; done: boolean }

export interface OpenFile {
  path: string;
  dev: bigint;
  ino: bigint;
  fh: FileHandle;
  cursor: LineCursor;
  gz: GzipReader | null;
  /** Not found among the backups any more (logged once). */
  gone?: boolean;
}

export interface ChainEntry { path: string; dev: bigint; ino: bigint; size: bigint; gz: boolean; live: boolean; fp: string | null; empty: boolean }

const LUMBERJACK_STAMP = '\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const errno = (err: unknown) => (err as { code?: string }).code;

/**
 * The chain once two listings in a row agree: logrotate shifts .1 to .2 by renames, and a listing
 * taken across them can miss a file. Null after a few tries; the caller waits a poll.
 */
export async function stableChain(path: string): Promise<ChainEntry[] | null> {
  let prev = await listChain(path);
  for (let i = 0; i < 4; i++) {
    const next = await listChain(path);
    if (prev && next && sameChain(prev, next)) return next;
    prev = next;
    await new Promise((r) => setTimeout(r, 2));
  }
  return null;
}

/**
 * The rotated backups oldest first, then the live file; null while the directory is mid-change (a file
 * gone between readdir and stat, a .gz whose head does not decompress yet: logrotate's gzip writes in place). Names: lumberjack `backupName` (cilium/lumberjack
 * lumberjack.go, used by tetragon cmd/tetragon/main.go startExporter without LocalTime, so UTC stamps
 * that sort as text); logrotate numbered (.1 newest). `.gz.tmp` (lumberjack mid-compress) is left out.
 */
async function listChain(path: string): Promise<ChainEntry[] | null> {
  const dir = dirname(path);
  const base = basename(path);
  const ext = extname(base);
  const stamped = new RegExp(`^${escapeRe(base.slice(0, base.length - ext.length))}-(${LUMBERJACK_STAMP})${escapeRe(ext)}(\\.gz)?$`);
  const numbered = new RegExp(`^${escapeRe(base)}\\.(\\d+)(\\.gz)?$`);
  let names: string[] = [];
  try { names = await readdir(dir); } catch { /* no directory yet */ }
  const found: { name: string; order: [number, string | number]; gz: boolean }[] = [];
  for (const name of names) {
    const s = stamped.exec(name);
    const n = s ? null : numbered.exec(name);
    if (s) found.push({ name, order: [0, s[1]!], gz: s[2] !== undefined });
    else if (n) found.push({ name, order: [1, -Number(n[1])], gz: n[2] !== undefined });
  }
  found.sort((a, b) => a.order[0] - b.order[0] || (a.order[1] < b.order[1] ? -1 : a.order[1] > b.order[1] ? 1 : Number(b.gz) - Number(a.gz)));
  const entries: ChainEntry[] = [];
  for (const f of [...found.map((x) => ({ ...x, live: false })), { name: base, gz: false, live: true }]) {
    const p = join(dir, f.name);
    try {
      const st = await stat(p, { bigint: true });
      if (!st.isFile()) continue;
      // read every time: a freed inode is reused at once, with the same size and a coarse mtime
      const head = await readHead(p, f.gz);
      if (head === null) return null;
      const fp = fingerprintOf(head, !f.live, hashHead)?.fp ?? null;
      entries.push({ path: p, dev: st.dev, ino: st.ino, size: st.size, gz: f.gz, live: f.live, fp, empty: head.length === 0 });
    } catch (err) {
      if (errno(err) === 'ENOENT' && !f.live) return null; // renamed or removed while listing
    }
  }
  return dedupe(entries);
}

/** A backup seen twice (plain and .gz mid-compress, or a copytruncate copy of the live file): keep one. */
function dedupe(entries: ChainEntry[]): ChainEntry[] {
  const rank = (e: ChainEntry) => (e.live ? 2 : e.gz ? 0 : 1);
  const best = new Map<string, ChainEntry>();
  for (const e of entries) {
    if (e.fp === null || e.empty) continue;
    const b = best.get(e.fp);
    if (!b || rank(e) > rank(b)) best.set(e.fp, e);
  }
  return entries.filter((e) => e.fp === null || e.empty || best.get(e.fp) === e);
}

function sameChain(a: ChainEntry[], b: ChainEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => {
    const o = b[i]!;
    return e.path === o.path && e.dev === o.dev && e.ino === o.ino && e.fp === o.fp && (e.live || e.size === o.size);
  });
}

async function readHead(path: string, gz: boolean): Promise<Buffer | null> {
  const fh = await open(path, 'r');
  try {
    return await headOf(fh, gz);
  } finally {
    await fh.close();
  }
}

/** The first bytes, decompressed; null for a .gz cut short before a whole first line came out. */
async function headOf(fh: FileHandle, gz: boolean): Promise<Buffer | null> {
  if (!gz) {
    const buf = Buffer.alloc(FINGERPRINT_MAX);
    const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_MAX, 0);
    return buf.subarray(0, bytesRead);
  }
  const z = gunzipOf(fh);
  const parts: Buffer[] = [];
  let n = 0;
  let cut = false;
  try {
    for (let r = await z.iter.next(); !r.done && n < FINGERPRINT_MAX; r = await z.iter.next()) {
      parts.push(r.value);
      n += r.value.length;
    }
  } catch {
    cut = true; // still being written
  }
  z.gunzip.destroy();
  z.src.destroy();
  const head = Buffer.concat(parts).subarray(0, FINGERPRINT_MAX);
  return cut && fingerprintOf(head, false, hashHead) === null ? null : head;
}

/** Compressed bytes by position; the reader never owns the handle (a FileHandle stream closes it when destroyed). */
async function* compressedChunks(fh: FileHandle): AsyncGenerator<Buffer> {
  for (let pos = 0; ;) {
    const buf = Buffer.alloc(CHUNK);
    const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

function gunzipOf(fh: FileHandle): GzipReader {
  const src = Readable.from(compressedChunks(fh));
  const gunzip = createGunzip();
  pipeline(src, gunzip, () => {}); // errors surface through the iterator
  return { src, gunzip, iter: gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>, pos: 0, done: false };
}

/**
 * Opens a chain entry if it is still the file that was listed: same inode and same first line, as a
 * freed inode is soon reused (gzip, unlink, new copy). `anyFile`: whatever the path names now.
 * Reads start at cursor.readPos.
 */
export async function openEntry(e: Pick<ChainEntry, 'path' | 'dev' | 'ino' | 'gz' | 'live' | 'fp'>, cursor: LineCursor, anyFile = false): Promise<OpenFile | null> {
  let fh: FileHandle;
  try { fh = await open(e.path, 'r'); } catch { return null; }
  const st = await fh.stat({ bigint: true });
  const head = st.isFile() ? await headOf(fh, e.gz) : null;
  const same = anyFile || (st.dev === e.dev && st.ino === e.ino && (e.fp === null || fingerprintOf(head ?? Buffer.alloc(0), !e.live, hashHead)?.fp === e.fp));
  if (!head || !same) { await fh.close(); return null; } // renamed or replaced under us: list again
  cursor.noteHead(0, head);
  return { path: e.path, dev: st.dev, ino: st.ino, fh, cursor, gz: e.gz ? gunzipOf(fh) : null };
}

export async function closeFile(f: OpenFile): Promise<void> {
  f.gz?.gunzip.destroy();
  f.gz?.src.destroy();
  await f.fh.close().catch(() => {});
}

/** The next bytes from the cursor's offset, or null at end of file (for now, if plain). */
export async function readChunk(f: OpenFile, buf: Buffer): Promise<Buffer | null> {
  if (!f.gz) {
    const { bytesRead } = await f.fh.read(buf, 0, buf.length, f.cursor.readPos);
    return bytesRead === 0 ? null : buf.subarray(0, bytesRead);
  }
  const z = f.gz;
  while (!z.done) {
    const r = await z.iter.next().catch((err: unknown) => { z.done = true; throw err; });
    if (r.done) { z.done = true; break; }
    const at = z.pos;
    z.pos += r.value.length;
    f.cursor.noteHead(at, r.value);
    if (z.pos <= f.cursor.readPos) continue; // resuming: skip what was committed
    return at < f.cursor.readPos ? r.value.subarray(f.cursor.readPos - at) : r.value;
  }
  return null;
}
