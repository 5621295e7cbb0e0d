// `telltale agent`: the build agent alone, forwarding to a collector.
import { many, one, type FlagSpec, type ParsedFlags } from '../flags.js';
import { waitForAbort, type CliIo } from '../io.js';
import { commonFlags } from './server.js';

export const agentFlags: readonly FlagSpec[] = [
  ...commonFlags,
  { name: 'grpc', value: 'HOST:PORT', help: 'the collector\'s gRPC address, or unix:PATH (default 127.0.0.1:7071, env TELLTALE_GRPC)' },
  { name: 'source', value: 'NAME', help: 'where host events come from: bpftrace (default, runs deploy/bpftrace/telltale.bt), tetragon or falco (env TELLTALE_SOURCE)' },
  { name: 'tetragon-grpc', value: 'ADDR', help: 'Tetragon\'s gRPC server (default unix:///var/run/tetragon/tetragon.sock; localhost:54321 works too)' },
  { name: 'tetragon-export', value: 'FILE', help: 'follow Tetragon\'s JSON export instead (e.g. /var/log/tetragon/tetragon.log), across rotations, with a durable position' },
  { name: 'falco-file', value: 'FILE', help: 'follow Falco\'s json file_output (or - for its stdout piped in)' },
  { name: 'falco-http', value: 'HOST:PORT', help: 'receive Falco\'s http_output here (default 127.0.0.1:2801); its password (the one in Falco\'s http_output url) from TELLTALE_FALCO_HTTP_PASSWORD' },
  { name: 'control', value: 'PATH', help: 'control socket for `telltale run` (default DATA_DIR/agent.sock)' },
  { name: 'bpftrace', value: 'PATH', help: 'the bpftrace binary (default bpftrace on PATH)' },
  { name: 'script', value: 'PATH', help: 'the bpftrace script (default deploy/bpftrace/telltale.bt)' },
  { name: 'spool-max-mb', value: 'N', help: 'bound on the on-disk spool while the collector is away (default 256)' },
  { name: 'watch-host', help: 'also forward events of processes outside tracked builds, as the pipeline host/<name>' },
  { name: 'secret-env', value: 'PATTERN', repeatable: true, help: 'another variable-name pattern (* any run, repeatable) whose values are secrets to look for in a build\'s DNS queries; added to *_TOKEN, *_SECRET, *_KEY, AWS_*... (env TELLTALE_SECRET_ENV, comma-separated)' },
  { name: 'no-lockfiles', help: 'do not report the lockfiles (Cargo.lock, package-lock.json, poetry.lock, requirements*.txt, go.sum) in a build\'s workspace when it starts (env TELLTALE_LOCKFILES=0)' },
  { name: 'no-secret-fingerprints', help: 'do not fingerprint builds\' secret-like environment variables (in memory only) to catch them leaving in DNS queries (env TELLTALE_SECRET_FINGERPRINTS=0)' },
  { name: 'no-ci-jobs', help: 'do not track jobs of CI runners on this host as builds (env TELLTALE_CI_JOBS=0)' },
  { name: 'ingest-token', value: 'TOKEN', help: 'the collector\'s shared ingest secret, or this agent\'s own token (env TELLTALE_INGEST_TOKEN)' },
  { name: 'agent-name', value: 'NAME', help: 'the name this agent\'s token is listed under at the collector (default: the CN of --tls-cert) (env TELLTALE_AGENT_NAME)' },
  { name: 'tls-ca', value: 'FILE', help: 'CA that signed the collector\'s certificate: forward over TLS (env TELLTALE_AGENT_TLS_CA)' },
  { name: 'tls-cert', value: 'FILE', help: 'this agent\'s client certificate for mTLS (env TELLTALE_AGENT_TLS_CERT)' },
  { name: 'tls-key', value: 'FILE', help: 'the key of --tls-cert (env TELLTALE_AGENT_TLS_KEY)' },
  { name: 'tls-server-name', value: 'NAME', help: 'the name the collector\'s certificate carries, when not the --grpc host (env TELLTALE_AGENT_TLS_SERVER_NAME)' },
];

export function rawAgentOptions(flags: ParsedFlags) {
  return {
    dataDir: one(flags, 'data-dir'), grpc: one(flags, 'grpc'), dnsPort: many(flags, 'dns-port'), control: one(flags, 'control'),
    bpftrace: one(flags, 'bpftrace'), script: one(flags, 'script'), spoolMaxMb: one(flags, 'spool-max-mb'),
    secretEnv: many(flags, 'secret-env'),
    secretFingerprints: flags.booleans.has('no-secret-fingerprints') ? false : undefined,
    lockfiles: flags.booleans.has('no-lockfiles') ? false : undefined,
    watchHost: flags.booleans.has('watch-host'), ciJobs: flags.booleans.has('no-ci-jobs') ? false : undefined, ingestToken: one(flags, 'ingest-token'), agentName: one(flags, 'agent-name'),
    source: one(flags, 'source'), tetragonGrpc: one(flags, 'tetragon-grpc'), tetragonExport: one(flags, 'tetragon-export'),
    falcoFile: one(flags, 'falco-file'), falcoHttp: one(flags, 'falco-http'),
    tlsCa: one(flags, 'tls-ca'), tlsCert: one(flags, 'tls-cert'), tlsKey: one(flags, 'tls-key'), tlsServerName: one(flags, 'tls-server-name'),
  };
}

export async function agentCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const { agentConfig, startAgent } = await import('@telltale/agent-bridge');
  const { createLogger } = await import('@telltale/server');
  const config = agentConfig(rawAgentOptions(flags), io.env);
  const log = createLogger('agent', io.stderr);
  const agent = await startAgent(config, log);
  io.stdout(`telltale agent ready: ${config.source.kind} events forwarded to ${config.collectorAddress}; builds register at ${agent.controlSocket}\n`);
  await waitForAbort(io.signal);
  await agent.close();
  return 0;
}
