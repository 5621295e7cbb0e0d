// telltale.bt's output (bpftrace -f json lines) as a SourceDecoder: the line parser and the
// assembler together, with unreadable lines counted and reported as loss.
import { parseBpftraceLine } from './bpftrace-record.js';
import { BpftraceAssembler, type AssemblerOptions } from './bpftrace-assembler.js';
import type { SourceDecoder } from './event-source.js';
import type { HostEvent } from './host-event.js';

export class BpftraceDecoder implements SourceDecoder {
  readonly source = 'bpftrace' as const;
  private readonly assembler: BpftraceAssembler;
  /** Wall-clock µs of the newest event seen, for loss events of lines that carry no time. */
  private lastUs = 0;

  constructor(opts: AssemblerOptions) {
    this.assembler = new BpftraceAssembler(opts);
  }

  /** Lines the parser refused, by error code. */
  private readonly rejected = new Map<string, number>();

  get drops(): ReadonlyMap<string, number> {
    return new Map<string, number>([...this.assembler.drops, ...this.rejected]);
  }

  push(line: string): HostEvent[] {
    if (line.trim() === '') return [];
    const r = parseBpftraceLine(line);
    if (!r.ok) {
      this.rejected.set(r.error.code, (this.rejected.get(r.error.code) ?? 0) + 1);
      return [{ kind: 'loss', timeUs: this.lastUs, source: 'bpftrace', reason: 'malformed_line', count: 1 }];
    }
    return this.seen(this.assembler.push(r.record));
  }

  flush(): HostEvent[] {
    return this.seen(this.assembler.flush());
  }

  private seen(events: HostEvent[]): HostEvent[] {
    for (const e of events) if (e.timeUs > this.lastUs) this.lastUs = e.timeUs;
    return events;
  }
}
