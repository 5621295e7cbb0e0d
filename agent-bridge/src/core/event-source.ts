// What every event source's decoder is: the tool's output in, host events out. bpftrace,
// Tetragon and Falco each have one; the agent, `telltale analyze` and the shared source test
// suite drive them the same way.
import type { HostEvent } from './host-event.js';

export type SourceName = 'bpftrace' | 'tetragon' | 'falco';

export interface SourceDecoder {
  readonly source: SourceName;
  /**
   * One line of the tool's output. Never throws: a line that cannot be read is counted in
   * `drops` and comes back as a `loss` event (source, reason, count 1), so the builds open at
   * that moment are marked incomplete rather than looking clean. Loss the tool itself
   * reports (bpftrace lost_events, Tetragon throttling) also comes back as `loss` events.
   */
  push(line: string): HostEvent[];
  /** What is still held back (a payload split over records, argv awaiting its exec) at the end of input. */
  flush(): HostEvent[];
  /** Counts by reason of what was dropped, unreadable or reported lost, for /metrics. */
  readonly drops: ReadonlyMap<string, number>;
  /** The Kubernetes pod a process runs in, for sources that know it (Tetragon). */
  podOf?(pid: number): PodRef | undefined;
}

export interface PodRef { namespace: string; name: string; container: string }
