// Lines of one followed log file, pure: a byte stream cut into lines at their end offsets (an
// overlong line skipped to its newline), the position each line is delivered with, and the file's
// fingerprint (from its first line) given the hash the caller brings.

/** A file as it was read; `fingerprint` names its content across rename, gzip and restart. */
export interface FileId { dev: string; ino: string; fingerprint: string }
/** `offset`: the first byte after the line and its newline, counted in the uncompressed file. */
export interface Position { file: FileId; offset: number }
export interface FollowedLine { text: string; position: Position }

/** The dedupe key: the same line read again (after a crash, from its gzipped backup) gets the same key. */
export function positionKey(p: Position): string {
  return `${p.file.fingerprint}:${p.offset}`;
}

export function isPosition(p: Position): boolean {
  const f = p?.file as Partial<FileId> | undefined;
  return typeof f === 'object' && f !== null && typeof f.dev === 'string' && typeof f.ino === 'string'
    && typeof f.fingerprint === 'string' && f.fingerprint.length > 0 && Number.isSafeInteger(p.offset) && p.offset >= 0;
}

// 64 KiB, not 4: Tetragon lines of one long command (a Java classpath) can share their first
// kilobytes, and two files whose first line looks the same would be taken for one.
export const FINGERPRINT_MAX = 64 * 1024;

/** Names the bytes it is given; the follower's is a truncated sha256 in hex. */
export type HashBytes = (bytes: Uint8Array) => string;
/** `len`: how many of the file's first bytes were hashed. */
export interface Fingerprint { fp: string; len: number }

/** The first line (or the first 4 KiB); once written it never changes, so neither does the name. */
export function fingerprintOf(head: Uint8Array, complete: boolean, hash: HashBytes): Fingerprint | null {
  const nl = head.indexOf(0x0a);
  const len = nl !== -1 ? nl + 1 : head.length >= FINGERPRINT_MAX ? FINGERPRINT_MAX : complete ? head.length : -1;
  if (len < 0) return null;
  return { fp: hash(head.subarray(0, len)), len };
}

/** `end`: the offset just past the line's newline (or past the file, for an unterminated tail). */
export interface RawLine { bytes: Uint8Array; end: number }

/** A copy: the chunks pushed in may be a read buffer that is reused. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte offsets to lines for one file; holds back a partial line, never more than maxLineBytes of it. */
export class LineCursor {
  head: Uint8Array = new Uint8Array(0);
  private fp: Fingerprint | null = null;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private skipping = false;

  constructor(public readPos: number, private readonly maxLineBytes: number, private readonly hash: HashBytes) {}

  /** Keeps the file's first bytes, whichever way they arrive (read ahead, skipped in a gzip). */
  noteHead(at: number, bytes: Uint8Array): void {
    const have = this.head.length;
    if (have >= FINGERPRINT_MAX || at > have || at + bytes.length <= have) return;
    this.head = concat([this.head, bytes.subarray(have - at, FINGERPRINT_MAX - at)]);
  }

  fingerprint(complete: boolean): Fingerprint | null {
    if (this.fp) return this.fp;
    const found = fingerprintOf(this.head, complete, this.hash);
    if (found && !complete) this.fp = found; // a finished file's fallback is not this file's final name
    return found;
  }

  push(chunk: Uint8Array): { lines: RawLine[]; tooLong: number } {
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
        else lines.push({ bytes: concat([...this.parts, seg]), end: at + nl + 1 });
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
        this.parts.push(concat([rest]));
        this.partBytes += rest.length;
      }
    }
    return { lines, tooLong };
  }

  /** An unterminated last line of a finished file. */
  takeTail(): RawLine | null {
    const tail = this.skipping || this.partBytes === 0 ? null : { bytes: concat(this.parts), end: this.readPos };
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
    return tail;
  }
}
