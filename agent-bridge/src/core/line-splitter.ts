// Splits a byte stream into lines with a hard length limit, so a runaway line costs a
// counted drop instead of unbounded memory. Empty lines (bpftrace prints some at exit) vanish.

export class LineSplitter {
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  /** Inside an oversized line: discard until the next newline. */
  private skipping = false;
  oversized = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, nl));
      const line = this.skipping ? null : this.drain();
      this.reset();
      if (line !== null && line.trim() !== '') lines.push(line);
      start = nl + 1;
    }
    this.take(chunk.subarray(start));
    return lines;
  }

  /** The unterminated tail at end of stream, if any. */
  end(): string[] {
    const line = this.skipping ? null : this.drain();
    this.reset();
    return line !== null && line.trim() !== '' ? [line] : [];
  }

  private take(bytes: Uint8Array): void {
    if (this.skipping || bytes.length === 0) return;
    if (this.partBytes + bytes.length > this.maxLineBytes) {
      this.oversized++;
      this.skipping = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(bytes.slice());
    this.partBytes += bytes.length;
  }

  private drain(): string {
    const all = new Uint8Array(this.partBytes);
    let offset = 0;
    for (const p of this.parts) {
      all.set(p, offset);
      offset += p.length;
    }
    return this.decoder.decode(all);
  }

  private reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }
}
