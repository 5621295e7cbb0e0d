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
// Rotation: the names and how each scheme moves the file are in log-chain.ts.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fingerprintOf, isPosition, LineCursor, type FileId, type FollowedLine, type Position, type RawLine } from '../core/log-lines.js';
import { CHUNK, closeFile, hashHead, openEntry, readChunk, stableChain, type OpenFile } from './log-chain.js';
import { loadState, savedState, writeState } from './log-follower-state.js';

export { positionKey, type FileId, type FollowedLine, type Position } from '../core/log-lines.js';

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
  /**
   * Where to resume, overriding the state file: the caller's own durable record of the last
   * line it stored (the agent keeps it in its spool, in the same transaction as the events).
   */
  startAt?: Position;
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

const MAX_HOPS = 64;

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
    const state = savedState(this.opts.path, position);
    const job = this.commitQueue.then(() => writeState(this.opts.statePath, state));
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
    const state = this.opts.startAt
      ? savedState(this.opts.path, this.opts.startAt)
      : await loadState(this.opts.statePath, this.opts.path, (level, event, fields) => this.log(level, event, fields));
    if (!state) return true;
    this.anchored = true;
    const chain = await stableChain(this.opts.path);
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

  private newCursor(offset: number): LineCursor {
    return new LineCursor(offset, this.opts.maxLineBytes ?? 4 * 1024 * 1024, hashHead);
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
    return fingerprintOf(buf.subarray(0, bytesRead), true, hashHead)?.fp !== id.fp;
  }

  /**
   * copytruncate: the copy holds the same bytes, so what we had not read yet is read from it with the
   * same cursor (same positions); the chain then leads from the copy to the live file, read from 0.
   * False when nothing could be done yet (the copy is being renamed): `f` stays, and the next poll retries.
   */
  private async afterTruncation(f: OpenFile): Promise<boolean> {
    const id = f.cursor.fingerprint(false);
    const chain = id ? await stableChain(this.opts.path) : [];
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
    const chain = await stableChain(this.opts.path);
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
      const text = Buffer.from(l.bytes.buffer, l.bytes.byteOffset, l.bytes.length).toString('utf8').replace(/\r$/, '');
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