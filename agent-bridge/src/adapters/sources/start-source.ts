// Starts the event source the agent is configured for.
import type { AgentConfig } from '../../config.js';
import { startBpftraceSource } from './bpftrace-source.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

export function startSource(config: AgentConfig, sink: EventSink, log: SourceLog): Promise<RunningSource> {
  return startBpftraceSource(config, sink, log);
}
