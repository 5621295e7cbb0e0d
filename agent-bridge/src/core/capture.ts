// A captured stream of any source (its own output format, one record per line) turned into
// one synthetic build's events, for `telltale analyze` and for replaying fixtures.
import type { BuildContext, TelltaleEvent } from '@telltale/proto';
import type { SourceDecoder } from './event-source.js';
import type { HostEvent } from './host-event.js';

export interface CaptureResult {
  events: TelltaleEvent[];
  /** What the decoder dropped or was told was lost, by reason. */
  drops: Record<string, number>;
}

export function captureToEvents(decoder: SourceDecoder, lines: Iterable<string>, opts: { buildId?: string; pipeline?: string } = {}): CaptureResult {
  const buildId = opts.buildId ?? 'capture';
  const context: BuildContext = {
    buildId, pipeline: opts.pipeline ?? 'analyze', runId: '', job: '', repo: '', commit: '', agentHost: '', ciProvider: `capture:${decoder.source}`,
  };
  const events: TelltaleEvent[] = [{ kind: 'build_start', timeUs: 0, buildId, context, rootPid: 1 }];
  const take = (hs: HostEvent[]) => {
    for (const h of hs) {
      const e = h as TelltaleEvent;
      e.buildId = buildId;
      events.push(e);
    }
  };
  for (const line of lines) take(decoder.push(line));
  take(decoder.flush());
  const first = events.find((e) => e.timeUs > 0);
  if (first) events[0]!.timeUs = first.timeUs;
  return { events, drops: Object.fromEntries(decoder.drops) };
}
