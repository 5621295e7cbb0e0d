// `telltale agent`: the build agent alone, forwarding to a collector.
import { many, one, type FlagSpec, type ParsedFlags } from '../flags.js';
import { waitForAbort, type CliIo } from '../io.js';
import { commonFlags } from './server.js';

export const agentFlags: readonly FlagSpec[] = [
  ...commonFlags,
  { name: 'grpc', value: 'HOST:PORT', help: 'the collector\'s gRPC address, or unix:PATH (default 127.0.0.1:7071, env TELLTALE_GRPC)' },
  { name: 'control', value: 'PATH', help: 'control socket for `telltale run` (default DATA_DIR/agent.sock)' },
  { name: 'bpftrace', value: 'PATH', help: 'the bpftrace binary (default bpftrace on PATH)' },
  { name: 'script', value: 'PATH', help: 'the bpftrace script (default deploy/bpftrace/telltale.bt)' },
  { name: 'spool-max-mb', value: 'N', help: 'bound on the on-disk spool while the collector is away (default 256)' },
  { name: 'watch-host', help: 'also forward events of processes outside tracked builds, as the pipeline host/<name>' },
  { name: 'ingest-token', value: 'TOKEN', help: 'the collector\'s shared ingest secret (env TELLTALE_INGEST_TOKEN)' },
];

export function rawAgentOptions(flags: ParsedFlags) {
  return {
    dataDir: one(flags, 'data-dir'), grpc: one(flags, 'grpc'), dnsPort: many(flags, 'dns-port'), control: one(flags, 'control'),
    bpftrace: one(flags, 'bpftrace'), script: one(flags, 'script'), spoolMaxMb: one(flags, 'spool-max-mb'),
    watchHost: flags.booleans.has('watch-host'), ingestToken: one(flags, 'ingest-token'),
  };
}

export async function agentCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const { agentConfig, startAgent } = await import('@telltale/agent-bridge');
  const { createLogger } = await import('@telltale/server');
  const config = agentConfig(rawAgentOptions(flags), io.env);
  const log = createLogger('agent', io.stderr);
  const agent = await startAgent(config, log);
  io.stdout(`telltale agent ready: forwarding to ${config.collectorAddress}; builds register at ${agent.controlSocket}\n`);
  await waitForAbort(io.signal);
  await agent.close();
  return 0;
}
