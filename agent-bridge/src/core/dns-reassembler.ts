// Puts a DNS header line and its DNSB chunk lines back together. All lines of one probe
// firing share (tid, T) and normally arrive adjacent; a lost chunk leaves a gap, and then
// only the bytes before the gap are kept.
import type { DnsChunkRecord, DnsRecord } from './bpftrace-record.js';
import { countDrop, type Drops } from './drops.js';

export interface CompletedDns {
  header: DnsRecord;
  /** The captured bytes of each segment (at most `captured`). */
  payloads: [Uint8Array, Uint8Array];
}

interface Pending {
  header: DnsRecord;
  chunks: [Map<number, Uint8Array>, Map<number, Uint8Array>];
}

export class DnsReassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly drops: Drops, private readonly maxPending: number) {}

  header(r: DnsRecord): CompletedDns[] {
    const k = `${r.tid}:${r.t}`;
    this.pending.set(k, { header: r, chunks: [new Map(), new Map()] });
    const out = this.tryComplete(k);
    for (const [oldest, p] of this.pending) {
      if (this.pending.size <= this.maxPending) break;
      countDrop(this.drops, 'pending_overflow');
      out.push(this.finish(oldest, p));
    }
    return out;
  }

  chunk(r: DnsChunkRecord): CompletedDns[] {
    const k = `${r.tid}:${r.t}`;
    const p = this.pending.get(k);
    if (p === undefined) {
      countDrop(this.drops, 'dns_chunk_orphan');
      return [];
    }
    p.chunks[r.segment].set(r.chunk, r.bytes);
    return this.tryComplete(k);
  }

  /** Emits what arrived for headers older than `before`; null: for all of them. */
  expire(before: bigint | null): CompletedDns[] {
    const out: CompletedDns[] = [];
    for (const [k, p] of this.pending) {
      if (before !== null && p.header.t >= before) break;
      countDrop(this.drops, 'dns_chunk_missing');
      out.push(this.finish(k, p));
    }
    return out;
  }

  private tryComplete(k: string): CompletedDns[] {
    const p = this.pending.get(k);
    if (p === undefined) return [];
    const done = p.header.segments.every((s, i) => contiguous(p.chunks[i === 0 ? 0 : 1]).length >= s.captured);
    return done ? [this.finish(k, p)] : [];
  }

  private finish(k: string, p: Pending): CompletedDns {
    this.pending.delete(k);
    const [a, b] = p.header.segments;
    return {
      header: p.header,
      payloads: [contiguous(p.chunks[0]).subarray(0, a.captured), contiguous(p.chunks[1]).subarray(0, b.captured)],
    };
  }
}

/** Chunks 0, 1, 2, ... joined until the first missing one. */
function contiguous(chunks: Map<number, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; chunks.has(i); i++) parts.push(chunks.get(i) as Uint8Array);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
