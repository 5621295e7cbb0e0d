// `telltale up` (npm start): the collector, its API and, when this host allows it, a local
// agent, all on embedded defaults. Says plainly what is missing rather than failing.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RunningAgent } from '@telltale/agent-bridge';
import { type FlagSpec, type ParsedFlags } from '../flags.js';
import { waitForAbort, type CliIo } from '../io.js';
import { consoleLines, rawServerOptions, serverFlags } from './server.js';

export const upFlags: readonly FlagSpec[] = [
  ...serverFlags,
  { name: 'no-agent', help: 'run the collector and API only' },
  { name: 'watch-host', help: 'the local agent also reports processes outside tracked builds (pipeline host/<name>)' },
];

function whyNoAgent(env: Record<string, string | undefined>): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (bpftrace needs root): start with sudo to watch builds on this host';
  try {
    execFileSync(env.TELLTALE_BPFTRACE ?? 'bpftrace', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bpftrace is not installed (Debian/Ubuntu: apt-get install bpftrace)';
  }
  return null;
}

export async function upCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const { agentConfig, startAgent } = await import('@telltale/agent-bridge');
  const { createLogger, serverConfig, startServer } = await import('@telltale/server');
  const { readFileSync } = await import('node:fs');
  const config = serverConfig(rawServerOptions(flags), io.env, { readText: (p) => readFileSync(p, 'utf8') });
  const log = createLogger('telltale', io.stderr);
  const server = await startServer(config, log.child('server'));
  let agent: RunningAgent | null = null;
  const missing = flags.booleans.has('no-agent') ? 'disabled with --no-agent'
    : config.tls ? 'ingest is TLS-only; start this host\'s agent with `telltale agent --tls-ca ...` (and its client certificate under mTLS)'
      : whyNoAgent(io.env);
  if (missing) {
    io.stdout(`telltale: no local agent: ${missing}. The collector still takes events from remote agents at ${server.grpcAddress}.\n`);
  } else {
    try {
      // The control socket sits where `telltale run --data-dir` (default ./.telltale) looks for it.
      agent = await startAgent(agentConfig({
        dataDir: join(config.dataDir, 'agent'), control: join(config.dataDir, 'agent.sock'), grpc: server.grpcAddress,
        dnsPort: config.dnsPorts.map(String), watchHost: flags.booleans.has('watch-host'), ingestToken: config.ingestToken,
      }, io.env), log.child('agent'));
      const runHint = config.dataDir === '.telltale' ? 'npx telltale run -- CMD' : `npx telltale run --data-dir ${config.dataDir} -- CMD`;
      const scope = flags.booleans.has('watch-host') ? 'every process on this host (pipeline host/<name>) and tracked builds' : `tracked builds; run one with: ${runHint} (add --watch-host to report every process)`;
      io.stdout(`telltale: local agent watching this host (bpftrace attached): ${scope}\n`);
    } catch (err) {
      io.stdout(`telltale: no local agent: ${(err as Error).message}\n`);
    }
  }
  io.stdout(`telltale ready: console and API at ${server.httpUrl}  (gRPC ingest ${server.grpcAddress})\n`);
  io.stdout(consoleLines(server, io.stdoutIsTerminal === true));
  await waitForAbort(io.signal);
  await agent?.close();
  await server.close();
  return 0;
}
