// A captured telltale.bt stream (JSON lines, as `bpftrace -f json` wrote them) turned into
// one synthetic build's events, for `telltale analyze` and for replaying fixtures.
import { BpftraceDecoder } from './bpftrace-decoder.js';
import { captureToEvents, type CaptureResult } from './capture.js';

export type { CaptureResult } from './capture.js';

export function bpftraceCaptureToEvents(lines: Iterable<string>, opts: { buildId?: string; pipeline?: string; clockOffsetNs?: bigint } = {}): CaptureResult {
  return captureToEvents(new BpftraceDecoder({ clockOffsetNs: opts.clockOffsetNs ?? 0n }), lines, opts);
}
