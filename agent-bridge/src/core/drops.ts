// Counted losses of the bpftrace pipeline, by reason, so nothing disappears silently.

export type DropReason =
  /** bpftrace reported lost perf events (the buffer overflowed). */
  | 'perf_lost'
  /** An exec whose argv lines never arrived; emitted with argv [] and argvTruncated. */
  | 'argv_missing'
  /** An exec whose argv set lacked lines; emitted with what arrived and argvTruncated. */
  | 'argv_incomplete'
  /** A DNS message with missing chunks; emitted with the contiguous prefix only. */
  | 'dns_chunk_missing'
  /** Payload chunks whose DNS header never arrived. */
  | 'dns_chunk_orphan'
  /** Pending state hit its bound and the oldest entry was let go early. */
  | 'pending_overflow'
  /** A stdout line longer than the splitter's limit (counted by the adapter). */
  | 'line_too_long'
  /** A line the parser rejected (counted by the adapter). */
  | 'line_rejected';

export type Drops = Map<DropReason, number>;

export function countDrop(drops: Drops, reason: DropReason, n = 1): void {
  drops.set(reason, (drops.get(reason) ?? 0) + n);
}
