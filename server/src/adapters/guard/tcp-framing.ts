// DNS over TCP framing (RFC 1035 4.2.2, RFC 7766): each message behind a 2-byte length.
// The reader holds at most one unfinished message plus the chunk that brought it (a length
// field cannot say more than 65,535), and hands out complete messages as fresh buffers.

export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete message (a copy the caller owns), or null until one has arrived. */
  next(): Buffer | null {
    if (this.size < 2) return null;
    const first = this.chunks[0]!;
    const length = first.length >= 2 ? first.readUInt16BE(0) : (first[0]! << 8) | this.chunks[1]![0]!;
    if (this.size < 2 + length) return null;
    this.take(2);
    return this.take(length);
  }

  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const want = n - filled;
      if (head.length <= want) {
        head.copy(out, filled);
        filled += head.length;
        this.chunks.shift();
      } else {
        head.copy(out, filled, 0, want);
        this.chunks[0] = head.subarray(want);
        filled += want;
      }
    }
    this.size -= n;
    return out;
  }
}

/** One message with its 2-byte length in front, in one buffer (one write, one segment). */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
