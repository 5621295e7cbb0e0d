// Starts the event source the agent is configured for.
import { join } from 'node:path';
import type { AgentConfig } from '../../config.js';
import { decoderFor } from '../../core/decoders.js';
import { startBpftraceSource } from './bpftrace-source.js';
import { startTetragonGrpcSource } from './tetragon-grpc.js';
import { startFileSource } from './file-source.js';
import { startFalcoHttpSource, startStdinSource } from './stream-source.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

export async function startSource(config: AgentConfig, sink: EventSink, log: SourceLog, resumeAfter: string | null): Promise<RunningSource> {
  const s = config.source;
  const statePath = join(config.dataDir, 'source-position.json');
  switch (s.kind) {
    case 'bpftrace':
      return startBpftraceSource(config, sink, log);
    case 'tetragon-grpc':
      return startTetragonGrpcSource({ address: s.address, dnsPorts: config.dnsPorts }, sink, log);
    case 'tetragon-export':
      return startFileSource({ decoder: decoderFor('tetragon', { dnsPorts: config.dnsPorts }), path: s.path, statePath, resumeAfter }, sink, log);
    case 'falco-file':
      if (s.path === '-') return startStdinSource(decoderFor('falco', { dnsPorts: config.dnsPorts }), process.stdin, sink, log);
      return startFileSource({ decoder: decoderFor('falco', { dnsPorts: config.dnsPorts }), path: s.path, statePath, resumeAfter }, sink, log);
    case 'falco-http':
      return startFalcoHttpSource(decoderFor('falco', { dnsPorts: config.dnsPorts }), { host: s.host, port: s.port, basicAuth: s.basicAuth }, sink, log);
  }
}
