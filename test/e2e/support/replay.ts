// Replays a recorded telltale.bt capture into a running collector as one build, as an agent
// would send it: times moved to now, in several batches, optionally paced so it streams in.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildContext, TelltaleEvent } from '@telltale/proto';
import { bpftraceCaptureToEvents } from '@telltale/agent-bridge';
import { sendBatches } from '../../../server/src/test-ingest.js';

export const CARGO_EXFIL_CAPTURE = fileURLToPath(new URL('../../../cli/src/commands/testdata/cargo-exfil.bpftrace.jsonl', import.meta.url));

export interface ReplayOptions {
  grpcAddress: string;
  agentId: string;
  /** The agent's next sequence number; returned advanced. */
  sequence: number;
  context: Omit<BuildContext, 'agentHost' | 'ciProvider'> & Partial<BuildContext>;
  batches?: number;
  /** Pause between batches, so a watcher sees the build running. */
  paceMs?: number;
  /** Keeps only the recorded events this accepts (e.g. no DNS, for a clean build). */
  keep?: (e: TelltaleEvent) => boolean;
  /** Events appended before build_end (extra processes, hostile names...). */
  extra?: (buildId: string, lastUs: number) => TelltaleEvent[];
}

export async function replayCapture(path: string, o: ReplayOptions): Promise<number> {
  const capture = bpftraceCaptureToEvents(readFileSync(path, 'utf8').split('\n'), { buildId: o.context.buildId, pipeline: o.context.pipeline });
  const events = o.keep ? capture.events.filter(o.keep) : capture.events;
  const context: BuildContext = { agentHost: 'build-agent-7', ciProvider: 'github', ...o.context };
  const start = events[0]!;
  if (start.kind === 'build_start') start.context = context;
  // The capture's clock is the recording host's: move it so the build happened just now.
  const last = events.reduce((m, e) => Math.max(m, e.timeUs), 0);
  const shift = Date.now() * 1000 - last - 1_000_000;
  for (const e of events) e.timeUs += shift;
  const lastUs = last + shift;
  events.push(...(o.extra?.(o.context.buildId, lastUs) ?? []));
  events.push({ kind: 'build_end', timeUs: lastUs + 500_000, buildId: o.context.buildId, exitCode: 0 });
  const n = Math.max(1, o.batches ?? 1);
  const size = Math.ceil(events.length / n);
  let sequence = o.sequence;
  for (let i = 0; i < events.length; i += size) {
    await sendBatches(o.grpcAddress, [{ agentId: o.agentId, sequence: sequence++, events: events.slice(i, i + size) }]);
    if (o.paceMs) await new Promise((r) => setTimeout(r, o.paceMs));
  }
  return sequence;
}
