// Follows a JSON-lines log that another program appends to and rotates (Tetragon's JSON export,
// Falco's file_output) and hands over every complete line with its position; the caller commits a
// position once it has stored the lines durably, and a restart resumes right after it.
//
// Exactly once, given a caller that commits after storing: lines are delivered in file order, each
// with a position (the file's fingerprint and the offset just past the line). `commit` persists it
// atomically (tmp, fsync, rename, fsync dir), and start-up resumes at the committed offset of the
// file with that fingerprint, wherever rotation has moved or gzipped it. So every committed line was
// stored and is not read again; every line after it is read again. A crash between storing and
// committing re-delivers stored lines with the same positionKey(), which the caller drops. A fresh
// start (no state) saves {first file, offset 0} before its first delivery, so a crash before the
// first commit resumes there too.
//
// Limits: lines written to a renamed file after the writer has put data in a newer one are not read
// (one writer is assumed); copytruncate loses what logrotate itself loses (written between copy and
// truncate), and what was copied away before the follower read a first line of it; two files whose
// first lines are byte-identical are taken for one.
//
// Rotation (sources in listChain): lumberjack, which Tetragon's export uses, renames the file to
// <stem>-<2006-01-02T15-04-05.000><ext> and creates a new one, gzipping backups later;
// logrotate's numbered <name>.1, <name>.2.gz (Falco file_output setups), by rename or copytruncate.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

/** A file as it was read; `fingerprint` names its content across rename, gzip and restart. */
export interface FileId { dev: string; ino: string; fingerprint: string }
/** `offset`: the first byte after the line and its newline, counted in the uncompressed file. */
export interface Position { file: FileId; offset: number }
export interface FollowedLine { text: string; position: Position }

export type FollowerDropReason =
  /** A line longer than maxLineBytes, skipped to its newline. */
  | 'line_too_long'
  /** At start-up the committed file was no longer anywhere (rotated out); its unread rest is lost. */
  | 'file_gone';

export type FollowerEvent =
  | 'state_corrupt' | 'state_other_path' | 'resumed' | 'saved_file_gone' | 'finished_file_gone' | 'offset_beyond_eof'
  | 'waiting_for_file' | 'rotated' | 'truncated' | 'truncated_without_copy'
  | 'deliver_failed' | 'read_failed';

export interface LogFollowerOptions {
  path: string;
  statePath: string;
  /** Lines in file order; no further reads until the returned promise settles. A rejection re-delivers them. */
  onLines(lines: FollowedLine[]): Promise<void> | void;
  onDrop?(reason: FollowerDropReason, count: number): void;
  onLog?(level: 'info' | 'warn' | 'error', event: FollowerEvent, fields: Record<string, unknown>): void;
  /** The poll that backs up fs.watch (which misses events across renames). */
  pollMs?: number;
  maxLineBytes?: number;
  /** fs.watch on the directory to react before the next poll; default true. */
  watch?: boolean;
}

export interface LogFollowerStats {
  file: string | null;
  readOffset: number;
  deliveredLines: number;
  droppedLines: number;
  filesFinished: number;
  committed: Position | null;
}

export interface LogFollower {
  commit(position: Position): Promise<void>;
  stop(): Promise<void>;
  stats(): LogFollowerStats;
}

/** The dedupe key: the same line read again (after a crash, from its gzipped backup) gets the same key. */
export function positionKey(p: Position): string {
  return `${p.file.fingerprint}:${p.offset}`;
}

const FINGERPRINT_MAX = 4096;
const CHUNK = 64 * 1024;
const STATE_VERSION = 1;
const MAX_HOPS = 64;

/** The first line (or the first 4 KiB); once written it never changes, so neither does the name. */
function fingerprintOf(head: Buffer, complete: boolean): { fp: string; len: number } | null {
  const nl = head.indexOf(0x0a);
  const len = nl !== -1 ? nl + 1 : head.length >= FINGERPRINT_MAX ? FINGERPRINT_MAX : complete ? head.length : -1;
  if (len < 0) return null;
  return { fp: createHash('sha256').update(head.subarray(0, len)).digest('hex').slice(0, 32), len };
}

interface RawLine { bytes: Buffer; end: number }

/** Byte offsets to lines for one file; holds back a partial line, never more than maxLineBytes of it. */
class LineCursor {
  head = Buffer.alloc(0);
  private fp: { fp: string; len: number } | null = null;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;

  constructor(public readPos: number, private readonly maxLineBytes: number) {}

  /** Keeps the file's first bytes, whichever way they arrive (read ahead, skipped in a gzip). */
  noteHead(at: number, bytes: Buffer): void {
    const have = this.head.length;
    if (have >= FINGERPRINT_MAX || at > have || at + bytes.length <= have) return;
    this.head = Buffer.concat([this.head, bytes.subarray(have - at, FINGERPRINT_MAX - at)]);
  }

  fingerprint(complete: boolean): { fp: string; len: number } | null {
    if (this.fp) return this.fp;
    const found = fingerprintOf(this.head, complete);
    if (found && !complete) this.fp = found; // a finished file's fallback is not this file's final name
    return found;
  }

  push(chunk: Buffer): { lines: RawLine[]; tooLong: number } {
    const at = this.readPos;
    this.noteHead(at, chunk);
    this.readPos += chunk.length;
    const lines: RawLine[] = [];
    let tooLong = 0;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const seg = chunk.subarray(start, nl);
      if (!this.skipping) {
        if (this.partBytes + seg.length > this.maxLineBytes) tooLong++;
        else lines.push({ bytes: Buffer.concat([...this.parts, seg]), end: at + nl + 1 });
      }
      this.parts = [];
      this.partBytes = 0;
      this.skipping = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (!this.skipping && rest.length > 0) {
      if (this.partBytes + rest.length > this.maxLineBytes) {
        tooLong++;
        this.skipping = true;
        this.parts = [];
        this.partBytes = 0;
      } else {
        this.parts.push(Buffer.from(rest));
        this.partBytes += rest.length;
      }
    }
    return { lines, tooLong };
  }

  /** An unterminated last line of a finished file. */
  takeTail(): RawLine | null {
    const tail = this.skipping || this.partBytes === 0 ? null : { bytes: Buffer.concat(this.parts), end: this.readPos };
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
    return tail;
  }
}

interface GzipReader { src: Readable; gunzip: Gunzip; iter: AsyncIterator<Buffer>; pos: number; done: boolean }

interface OpenFile {
  path: string;
  dev: bigint;
  ino: bigint;
  fh: FileHandle;
  cursor: LineCursor;
  gz: GzipReader | null;
  /** Not found among the backups any more (logged once). */
  gone?: boolean;
}

interface ChainEntry { path: string; dev: bigint; ino: bigint; size: bigint; gz: boolean; live: boolean; fp: string | null; empty: boolean }

const LUMBERJACK_STAMP = '\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const errno = (err: unknown) => (err as { code?: string }).code;

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
      const fp = fingerprintOf(head, !f.live)?.fp ?? null;
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
  return cut && fingerprintOf(head, false) === null ? null : head;
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
async function openEntry(e: Pick<ChainEntry, 'path' | 'dev' | 'ino' | 'gz' | 'live' | 'fp'>, cursor: LineCursor, anyFile = false): Promise<OpenFile | null> {
  let fh: FileHandle;
  try { fh = await open(e.path, 'r'); } catch { return null; }
  const st = await fh.stat({ bigint: true });
  const head = st.isFile() ? await headOf(fh, e.gz) : null;
  const same = anyFile || (st.dev === e.dev && st.ino === e.ino && (e.fp === null || fingerprintOf(head ?? Buffer.alloc(0), !e.live)?.fp === e.fp));
  if (!head || !same) { await fh.close(); return null; } // renamed or replaced under us: list again
  cursor.noteHead(0, head);
  return { path: e.path, dev: st.dev, ino: st.ino, fh, cursor, gz: e.gz ? gunzipOf(fh) : null };
}

async function closeFile(f: OpenFile): Promise<void> {
  f.gz?.gunzip.destroy();
  f.gz?.src.destroy();
  await f.fh.close().catch(() => {});
}

/** The next bytes from the cursor's offset, or null at end of file (for now, if plain). */
async function readChunk(f: OpenFile, buf: Buffer): Promise<Buffer | null> {
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

interface SavedState { version: number; path: string; file: FileId; offset: number }

function parseState(raw: string): SavedState | null {
  let v: unknown;
  try { v = JSON.parse(raw); } catch { return null; }
  const s = v as Partial<SavedState> | null;
  const ok = typeof s === 'object' && s !== null && s.version === STATE_VERSION && typeof s.path === 'string'
    && isPosition({ file: s.file as FileId, offset: s.offset as number });
  return ok ? (s as SavedState) : null;
}

function isPosition(p: Position): boolean {
  const f = p?.file as Partial<FileId> | undefined;
  return typeof f === 'object' && f !== null && typeof f.dev === 'string' && typeof f.ino === 'string'
    && typeof f.fingerprint === 'string' && f.fingerprint.length > 0 && Number.isSafeInteger(p.offset) && p.offset >= 0;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r').catch(() => null);
  await dir?.sync().catch(() => {}); // the rename itself durable
  await dir?.close();
}

class DeliverFailed extends Error {}

class Follower implements LogFollower {
  private cur: OpenFile | null = null;
  private started = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private pending: FollowedLine[] = [];
  private readonly buf = Buffer.alloc(CHUNK);
  private readonly timer: NodeJS.Timeout;
  private watcher: FSWatcher | null = null;
  private commitQueue: Promise<void> = Promise.resolve();
  private waitingLogged = false;
  /** A state exists to resume from; until then a restart would begin at whatever file is live then. */
  private anchored = false;
  private counts = { deliveredLines: 0, droppedLines: 0, filesFinished: 0 };
  private committed: Position | null = null;

  constructor(private readonly opts: LogFollowerOptions) {
    this.timer = setInterval(this.kick, opts.pollMs ?? 250);
    this.startWatch();
    this.kick();
  }

  commit(position: Position): Promise<void> {
    if (!isPosition(position)) return Promise.reject(new TypeError('commit: not a position from this follower'));
    return this.save(position).then(() => { this.committed = position; });
  }

  private save(position: Position): Promise<void> {
    const state: SavedState = { version: STATE_VERSION, path: this.opts.path, file: position.file, offset: position.offset };
    const job = this.commitQueue.then(() => writeAtomically(this.opts.statePath, `${JSON.stringify(state)}\n`));
    this.commitQueue = job.catch(() => {});
    this.anchored = true;
    return job;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.watcher?.close();
    await this.running;
    if (this.cur) await closeFile(this.cur);
    this.cur = null;
    await this.commitQueue;
  }

  stats(): LogFollowerStats {
    return { file: this.cur?.path ?? null, readOffset: this.cur?.cursor.readPos ?? 0, ...this.counts, committed: this.committed };
  }

  private readonly kick = (): void => {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pump();
        } catch (err) {
          if (!(err instanceof DeliverFailed)) this.log('error', 'read_failed', { path: this.cur?.path, error: String(err) });
        }
      } while (this.again && !this.stopped);
    })().finally(() => { this.running = null; });
  };

  private startWatch(): void {
    if (this.opts.watch === false || this.watcher) return;
    try {
      this.watcher = watch(dirname(this.opts.path), { persistent: false }, this.kick);
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = null; });
    } catch { /* no directory yet; the poll covers it */ }
  }

  private log(level: 'info' | 'warn' | 'error', event: FollowerEvent, fields: Record<string, unknown>): void {
    this.opts.onLog?.(level, event, fields);
  }

  /**
   * The chain once two listings in a row agree: logrotate shifts .1 to .2 by renames, and a listing
   * taken across them can miss a file. Null after a few tries; the caller waits a poll.
   */
  private async chain(): Promise<ChainEntry[] | null> {
    let prev = await listChain(this.opts.path);
    for (let i = 0; i < 4; i++) {
      const next = await listChain(this.opts.path);
      if (prev && next && sameChain(prev, next)) return next;
      prev = next;
      await new Promise((r) => setTimeout(r, 2));
    }
    return null;
  }

  private async pump(): Promise<void> {
    if (this.pending.length > 0) await this.deliver(this.pending);
    if (!this.started) this.started = await this.resume();
    if (!this.started) return;
    for (let hops = 0; hops < MAX_HOPS && !this.stopped; hops++) {
      if (!this.cur) {
        this.cur = await this.openLive();
        if (!this.cur) return;
      }
      const f = this.cur;
      if (await this.drain(f)) {
        if (await this.afterTruncation(f)) continue;
        return;
      }
      const next = await this.successor(f);
      if (!next || this.stopped) { if (next) await closeFile(next); return; }
      // the writer has moved on: what it wrote to `f` before that is there now
      if (!f.gz) await this.drain(f).catch(async (err: unknown) => { await closeFile(next); throw err; });
      this.log('info', 'rotated', { from: f.path, to: next.path });
      this.cur = next;
      await this.finish(f);
    }
    if (!this.stopped) this.again = true;
  }

  /** Start-up: place the read position after the last committed line. False means try again. */
  private async resume(): Promise<boolean> {
    const state = await this.loadState();
    if (!state) return true;
    this.anchored = true;
    const chain = await this.chain();
    if (!chain) return false;
    let i = chain.findIndex((e) => e.fp === state.file.fingerprint && `${e.dev}` === state.file.dev && `${e.ino}` === state.file.ino);
    if (i === -1) i = chain.findLastIndex((e) => e.fp === state.file.fingerprint);
    if (i === -1) {
      this.log('warn', 'saved_file_gone', { fingerprint: state.file.fingerprint, offset: state.offset, next: chain[0]?.path ?? null });
      this.opts.onDrop?.('file_gone', 1);
      if (chain.length === 0) return true;
      this.cur = await openEntry(chain[0]!, this.newCursor(0));
      return this.cur !== null;
    }
    const e = chain[i]!;
    let offset = state.offset;
    if (!e.gz && BigInt(offset) > e.size) {
      this.log('warn', 'offset_beyond_eof', { path: e.path, offset, size: Number(e.size) });
      offset = Number(e.size);
    }
    this.cur = await openEntry(e, this.newCursor(offset));
    if (this.cur) this.log('info', 'resumed', { path: e.path, offset, compressed: e.gz });
    return this.cur !== null;
  }

  private async loadState(): Promise<SavedState | null> {
    let raw: string;
    try {
      raw = await readFile(this.opts.statePath, 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') return null;
      this.log('error', 'state_corrupt', { statePath: this.opts.statePath, error: String(err), action: 'start at the beginning of the live file' });
      return null;
    }
    const state = parseState(raw);
    if (!state) {
      this.log('warn', 'state_corrupt', { statePath: this.opts.statePath, action: 'start at the beginning of the live file' });
      return null;
    }
    if (state.path !== this.opts.path) {
      this.log('warn', 'state_other_path', { statePath: this.opts.statePath, saved: state.path, action: 'start at the beginning of the live file' });
      return null;
    }
    return state;
  }

  private newCursor(offset: number): LineCursor {
    return new LineCursor(offset, this.opts.maxLineBytes ?? 4 * 1024 * 1024);
  }

  /** From 0, the file the path names when opened: rotated a moment later, it is still where we began. */
  private async openLive(): Promise<OpenFile | null> {
    const f = await openEntry({ path: this.opts.path, dev: 0n, ino: 0n, gz: false, live: true, fp: null }, this.newCursor(0), true);
    if (!f && !this.waitingLogged) this.log('info', 'waiting_for_file', { path: this.opts.path });
    this.waitingLogged = !f;
    if (f) this.startWatch();
    return f;
  }

  /** Truncated in place (copytruncate), or emptied and refilled past where we were. */
  private async replaced(f: OpenFile): Promise<boolean> {
    const st = await f.fh.stat({ bigint: true });
    const pos = BigInt(f.cursor.readPos);
    if (st.size < pos) return true;
    const id = f.cursor.fingerprint(false);
    if (!id || st.size === pos) return false;
    const buf = Buffer.alloc(id.len);
    const { bytesRead } = await f.fh.read(buf, 0, id.len, 0);
    return fingerprintOf(buf.subarray(0, bytesRead), true)?.fp !== id.fp;
  }

  /**
   * copytruncate: the copy holds the same bytes, so what we had not read yet is read from it with the
   * same cursor (same positions); the chain then leads from the copy to the live file, read from 0.
   * False when nothing could be done yet (the copy is being renamed): `f` stays, and the next poll retries.
   */
  private async afterTruncation(f: OpenFile): Promise<boolean> {
    const id = f.cursor.fingerprint(false);
    const chain = id ? await this.chain() : [];
    if (!chain) return false;
    const copies = id ? chain.filter((e) => !e.live && e.fp === id.fp) : [];
    const copy = copies.find((e) => e.gz || e.size > BigInt(f.cursor.readPos));
    const c = copy ? await openEntry(copy, f.cursor) : null;
    if (copy && !c) return false;
    this.log('warn', copies.length > 0 ? 'truncated' : 'truncated_without_copy',
      { path: f.path, readOffset: f.cursor.readPos, copy: copy?.path ?? null });
    await closeFile(f);
    this.cur = c;
    if (!c) await this.finish(f);
    return true;
  }

  /** The file after `f` once the writer has moved on to it; null to keep reading `f`. */
  private async successor(f: OpenFile): Promise<OpenFile | null> {
    if (!f.gz) {
      const st = await stat(this.opts.path, { bigint: true }).catch(() => null);
      if (st && st.dev === f.dev && st.ino === f.ino) return null; // still the live file
    } else if (!f.gz.done) {
      return null;
    }
    const chain = await this.chain();
    if (!chain) return null;
    const fp = f.cursor.fingerprint(true)?.fp ?? null;
    let i = chain.findIndex((e) => e.dev === f.dev && e.ino === f.ino && e.fp === fp);
    if (i === -1 && fp !== null) i = chain.findLastIndex((e) => e.fp === fp);
    // `f` was deleted: backups go oldest first, so all that is left is newer
    if (i === -1 && !f.gone) this.log('warn', 'finished_file_gone', { path: f.path, next: chain[0]?.path ?? null });
    f.gone = i === -1;
    const next = chain[i + 1];
    if (!next || (next.live && next.size === 0n)) return null; // nothing newer has data yet
    return openEntry(next, this.newCursor(0));
  }

  /** Reads and delivers to end of file; true when a plain file was truncated (the last read is then not used). */
  private async drain(f: OpenFile): Promise<boolean> {
    while (!this.stopped) {
      let chunk: Buffer | null;
      try {
        chunk = await readChunk(f, this.buf);
      } catch (err) {
        if (!f.gz) throw err;
        this.log('warn', 'read_failed', { path: f.path, error: String(err) }); // a damaged .gz: keep what came out
        return false;
      }
      // checked after the read: bytes read from a file truncated and refilled before it are not its own
      if (!f.gz && await this.replaced(f)) return true;
      if (!chunk) return false;
      const { lines, tooLong } = f.cursor.push(chunk);
      if (tooLong > 0) {
        this.counts.droppedLines += tooLong;
        this.opts.onDrop?.('line_too_long', tooLong);
      }
      const out = this.toLines(f, lines, false);
      if (out.length > 0) await this.deliver(out);
    }
    return false;
  }

  private async finish(f: OpenFile): Promise<void> {
    await closeFile(f);
    this.counts.filesFinished++;
    const tail = f.cursor.takeTail();
    const out = tail ? this.toLines(f, [tail], true) : [];
    if (out.length > 0) await this.deliver(out);
  }

  private toLines(f: OpenFile, raw: RawLine[], complete: boolean): FollowedLine[] {
    const fingerprint = (f.cursor.fingerprint(complete) ?? f.cursor.fingerprint(true))!.fp;
    const file: FileId = { dev: `${f.dev}`, ino: `${f.ino}`, fingerprint };
    const out: FollowedLine[] = [];
    for (const l of raw) {
      const text = l.bytes.toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') out.push({ text, position: { file, offset: l.end } });
    }
    return out;
  }

  private async deliver(lines: FollowedLine[]): Promise<void> {
    this.pending = lines;
    // a fresh start saves where it began, so a crash before the first commit resumes there
    if (!this.anchored) await this.save({ file: lines[0]!.position.file, offset: 0 });
    try {
      await this.opts.onLines(lines);
    } catch (err) {
      this.log('error', 'deliver_failed', { lines: lines.length, error: String(err) });
      throw new DeliverFailed();
    }
    this.pending = [];
    this.counts.deliveredLines += lines.length;
  }
}

/** Starts following `path` from the committed position in `statePath` (or the live file's start). */
export function startLogFollower(opts: LogFollowerOptions): LogFollower {
  return new Follower(opts);
}
