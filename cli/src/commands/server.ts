// `telltale server`: the collector alone.
import { many, one, type FlagSpec, type ParsedFlags } from '../flags.js';
import { waitForAbort, type CliIo } from '../io.js';

export const commonFlags: readonly FlagSpec[] = [
  { name: 'data-dir', value: 'DIR', help: 'where the SQLite database, spool and agent socket live (default ./.telltale, env TELLTALE_DATA_DIR)' },
  { name: 'dns-port', value: 'N', repeatable: true, help: 'treat UDP/TCP port N as DNS, besides 53 (env TELLTALE_DNS_PORTS, comma-separated)' },
];

export const serverFlags: readonly FlagSpec[] = [
  ...commonFlags,
  { name: 'http', value: 'HOST:PORT', help: 'HTTP API, console and WebSocket listen address (default 127.0.0.1:7070, env TELLTALE_HTTP)' },
  { name: 'grpc', value: 'HOST:PORT', help: 'gRPC ingest listen address (default 127.0.0.1:7071, env TELLTALE_GRPC)' },
  { name: 'external', value: 'CIDR', repeatable: true, help: 'treat connects to this loopback/private range as egress (env TELLTALE_EXTERNAL)' },
  { name: 'learning-builds', value: 'N', help: 'builds a new pipeline learns its baseline from before first_seen_domain fires (default 3)' },
  { name: 'detectors', value: 'FILE', help: 'JSON detector settings by alert kind, e.g. {"encoded_dns_label": {"ignoreDomains": ["sentry.io"]}} (env TELLTALE_DETECTORS)' },
  { name: 'baseline-expiry-days', value: 'N', help: 'baseline entries no build used for N days leave the baseline, as a new version (default 30, 0 never)' },
  { name: 'retention-days', value: 'N', help: 'prune raw event batches older than N days; alerts, builds and aggregates stay (default 30, 0 keeps all)' },
  { name: 'ingest-token', value: 'TOKEN', help: 'shared secret agents must present; required when --grpc is not loopback (env TELLTALE_INGEST_TOKEN)' },
  { name: 'agent-tokens', value: 'FILE', help: 'per-agent tokens, one "agent-name token" per line: an agent may only send under its own name (env TELLTALE_AGENT_TOKENS)' },
  { name: 'tls-cert', value: 'FILE', help: 'PEM certificate chain for gRPC ingest over TLS (env TELLTALE_TLS_CERT)' },
  { name: 'tls-key', value: 'FILE', help: 'PEM private key for --tls-cert (env TELLTALE_TLS_KEY)' },
  { name: 'tls-client-ca', value: 'FILE', help: 'CA of agents\' client certificates: agents must present one (mTLS) whose CN is their name (env TELLTALE_TLS_CLIENT_CA)' },
  { name: 'allow-plaintext', help: 'accept agents over plaintext gRPC off loopback (tokens cross the network in clear)' },
  { name: 'operator-token', value: 'TOKEN', help: 'token console actions (and, off loopback, reads) need; generated into DATA_DIR/operator-token when not given (env TELLTALE_OPERATOR_TOKEN)' },
];

export function rawServerOptions(flags: ParsedFlags) {
  return {
    dataDir: one(flags, 'data-dir'), http: one(flags, 'http'), grpc: one(flags, 'grpc'),
    dnsPort: many(flags, 'dns-port'), external: many(flags, 'external'), learningBuilds: one(flags, 'learning-builds'), ingestToken: one(flags, 'ingest-token'), operatorToken: one(flags, 'operator-token'),
    agentTokens: one(flags, 'agent-tokens'), tlsCert: one(flags, 'tls-cert'), tlsKey: one(flags, 'tls-key'), tlsClientCa: one(flags, 'tls-client-ca'),
    allowPlaintext: flags.booleans.has('allow-plaintext') || undefined, retentionDays: one(flags, 'retention-days'), baselineExpiryDays: one(flags, 'baseline-expiry-days'), detectors: one(flags, 'detectors'),
  };
}

export async function serverCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  // Loaded here, not at the top: `telltale run` shares this CLI and must start fast.
  const { createLogger, serverConfig, startServer } = await import('@telltale/server');
  const { readFileSync } = await import('node:fs');
  const config = serverConfig(rawServerOptions(flags), io.env, { readText: (p) => readFileSync(p, 'utf8') });
  const log = createLogger('server', io.stderr);
  const server = await startServer(config, log);
  io.stdout(`telltale collector ready: API ${server.httpUrl}  gRPC ${server.grpcAddress}\n`);
  io.stdout(consoleLines(server, io.stdoutIsTerminal === true));
  await waitForAbort(io.signal);
  await server.close();
  return 0;
}

/**
 * Where the console is and how to act from it. A freshly generated operator token is shown
 * once, to a terminal only (a log file or CI job log must not keep it), inside the link's
 * fragment (never sent to a server in a URL); otherwise the lines say where it is kept.
 */
export function consoleLines(
  server: { httpUrl: string; consoleBuilt: boolean; operatorToken: { token: string; path: string | null; created: boolean } },
  toTerminal: boolean,
): string {
  const t = server.operatorToken;
  const lines = [server.consoleBuilt ? `telltale: console at ${server.httpUrl}/` : 'telltale: the console is not built (npm run build); the API answers meanwhile'];
  if (t.created && toTerminal) lines.push(`telltale: operator token generated into ${t.path}; open ${server.httpUrl}/#token=${t.token} to act from the console`);
  else if (t.created) lines.push(`telltale: operator token generated into ${t.path} (not printed: stdout is not a terminal); paste it under "Operator" in the console`);
  else if (t.path) lines.push(`telltale: operator token for console actions: in ${t.path}`);
  else lines.push('telltale: operator token for console actions: as configured (--operator-token / TELLTALE_OPERATOR_TOKEN)');
  return lines.join('\n') + '\n';
}
