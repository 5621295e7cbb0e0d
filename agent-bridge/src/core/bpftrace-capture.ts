// A captured telltale.bt stream (JSON lines, as `bpftrace -f json` wrote them) turned into
// one synthetic build's events, for `telltale analyze` and for replaying fixtures.
import type { BuildContext, TelltaleEvent } from '@telltale/proto';
import { parseBpftraceLine } from './bpftrace-record.js';
import { BpftraceAssembler } from './bpftrace-assembler.js';
import type { HostEvent } from './host-event.js';

export interface CaptureResult {
  events: TelltaleEvent[];
  /** Lines the parser refused, by error code, and assembler drops by reason. */
  drops: Record<string, number>;
}

export function bpftraceCaptureToEvents(lines: Iterable<string>, opts: { buildId?: string; pipeline?: string; clockOffsetNs?: bigint } = {}): CaptureResult {
  const buildId = opts.buildId ?? 'capture';
  const context: BuildContext = { buildId, pipeline: opts.pipeline ?? 'analyze', runId: '', job: '', repo: '', commit: '', agentHost: '', ciProvider: 'capture' };
  const assembler = new BpftraceAssembler({ clockOffsetNs: opts.clockOffsetNs ?? 0n });
  const events: TelltaleEvent[] = [{ kind: 'build_start', timeUs: 0, buildId, context, rootPid: 1 }];
  const drops: Record<string, number> = {};
  const take = (hs: HostEvent[]) => {
    for (const h of hs) {
      const e = h as TelltaleEvent;
      e.buildId = buildId;
      events.push(e);
    }
  };
  for (const line of lines) {
    if (line.trim() === '') continue;
    const r = parseBpftraceLine(line);
    if (!r.ok) {
      drops[r.error.code] = (drops[r.error.code] ?? 0) + 1;
      continue;
    }
    take(assembler.push(r.record));
  }
  take(assembler.flush());
  for (const [reason, n] of assembler.drops) drops[reason] = (drops[reason] ?? 0) + n;
  const first = events.find((e) => e.timeUs > 0);
  if (first) events[0]!.timeUs = first.timeUs;
  return { events, drops };
}
