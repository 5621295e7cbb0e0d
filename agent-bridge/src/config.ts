// The agent's one configuration: flags and environment read once at boot, then frozen.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { SECRET_DEFAULTS } from './core/secret-fingerprints.js';

export interface AgentConfig {
  dataDir: string;
  collectorAddress: string;
  dnsPorts: readonly number[];
  controlSocket: string;
  bpftracePath: string;
  scriptPath: string;
  spoolMaxBytes: number;
  hostName: string;
  /** Forward events of processes outside any tracked build, as the pseudo-build `host:<name>`. */
  watchHost: boolean;
  /** Where host events come from. */
  source: SourceConfig;
  /** Find CI jobs run by a runner on this host (GitHub, GitLab, Jenkins, Buildkite) and track each as a build. */
  watchCiJobs: boolean;
  /** Shared secret, or this agent's own token, that the collector's ingest requires, if any. */
  ingestToken: string | undefined;
  /** The name this agent sends under (its token or certificate names it at the collector). */
  agentName: string | undefined;
  /** TLS to the collector: CA file, and client certificate and key for mTLS. */
  tls: { caPath: string; certPath?: string; keyPath?: string; serverName?: string } | undefined;
  /**
   * Fingerprint the secret-like environment variables of each build (in memory only) and tell
   * the collector when its DNS queries carry them: `namePatterns` are the default patterns
   * plus those given with --secret-env.
   */
  secretFingerprints: { enabled: boolean; namePatterns: readonly string[] };
  /** Report the lockfiles in each build's workspace when it (or a CI step) starts. */
  recordLockfiles: boolean;
}

export type SourceConfig =
  | { kind: 'bpftrace' }
  | { kind: 'tetragon-grpc'; address: string }
  | { kind: 'tetragon-export'; path: string }
  | { kind: 'falco-file'; path: string }
  | { kind: 'falco-http'; host: string; port: number; basicAuth: { user: string; password: string } };

export class AgentConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export interface RawAgentOptions {
  dataDir?: string;
  grpc?: string;
  dnsPort?: string[];
  control?: string;
  bpftrace?: string;
  script?: string;
  spoolMaxMb?: string;
  watchHost?: boolean;
  /** false turns CI job discovery off. */
  ciJobs?: boolean;
  source?: string;
  tetragonGrpc?: string;
  tetragonExport?: string;
  falcoFile?: string;
  falcoHttp?: string;
  ingestToken?: string;
  agentName?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  /** More variable-name patterns (`*` any run) whose values are secrets. */
  secretEnv?: string[];
  /** false turns secret fingerprints off. */
  secretFingerprints?: boolean;
  /** false: do not read and report the lockfiles of builds' workspaces. */
  lockfiles?: boolean;
}

/** The bpftrace script shipped in deploy/bpftrace, found relative to this package. */
export const defaultScriptPath = (): string => resolve(fileURLToPath(new URL('.', import.meta.url)), '../../deploy/bpftrace/telltale.bt');

function port(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AgentConfigError(`${what}: "${text}" is not a port number`);
  return n;
}

export function agentConfig(raw: RawAgentOptions, env: Record<string, string | undefined>): Readonly<AgentConfig> {
  const dataDir = raw.dataDir ?? env.TELLTALE_DATA_DIR ?? '.telltale';
  const collectorAddress = raw.grpc ?? env.TELLTALE_GRPC ?? '127.0.0.1:7071';
  if (!/^(unix:.+|\[[0-9a-fA-F:.]+\]:\d+|[^:\s]+:\d+)$/.test(collectorAddress)) {
    throw new AgentConfigError(`--grpc: "${collectorAddress}" is not host:port or unix:PATH`);
  }
  const portsText = raw.dnsPort ?? (env.TELLTALE_DNS_PORTS ? env.TELLTALE_DNS_PORTS.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const dnsPorts = [...new Set([53, ...portsText.map((p) => port(p, '--dns-port'))])];
  if (dnsPorts.length > 5) throw new AgentConfigError('--dns-port: at most 4 ports besides 53 (the bpftrace script takes 4)');
  const spoolMb = Number(raw.spoolMaxMb ?? env.TELLTALE_SPOOL_MAX_MB ?? '256');
  if (!Number.isFinite(spoolMb) || spoolMb < 1) throw new AgentConfigError('--spool-max-mb must be 1 or more');
  return Object.freeze({
    dataDir,
    collectorAddress,
    dnsPorts: Object.freeze(dnsPorts),
    controlSocket: raw.control ?? env.TELLTALE_AGENT_SOCKET ?? join(dataDir, 'agent.sock'),
    bpftracePath: raw.bpftrace ?? env.TELLTALE_BPFTRACE ?? 'bpftrace',
    scriptPath: raw.script ?? defaultScriptPath(),
    spoolMaxBytes: Math.floor(spoolMb * 1024 * 1024),
    hostName: hostname(),
    watchHost: raw.watchHost ?? false,
    watchCiJobs: raw.ciJobs ?? env.TELLTALE_CI_JOBS !== '0',
    source: sourceFrom(raw, env),
    ingestToken: raw.ingestToken ?? env.TELLTALE_INGEST_TOKEN,
    agentName: agentNameFrom(raw.agentName ?? env.TELLTALE_AGENT_NAME),
    tls: tlsFrom(raw, env),
    secretFingerprints: secretFingerprintsFrom(raw, env),
    recordLockfiles: raw.lockfiles ?? env.TELLTALE_LOCKFILES !== '0',
  });
}

function secretFingerprintsFrom(raw: RawAgentOptions, env: Record<string, string | undefined>): AgentConfig['secretFingerprints'] {
  const extra = raw.secretEnv ?? (env.TELLTALE_SECRET_ENV ? env.TELLTALE_SECRET_ENV.split(',').map((s) => s.trim()).filter(Boolean) : []);
  for (const p of extra) {
    if (!/^[A-Za-z0-9_*]{1,128}$/.test(p) || !/[A-Za-z0-9_]/.test(p)) throw new AgentConfigError(`--secret-env: "${p}" is not a variable name pattern (letters, digits, _ and *)`);
  }
  return Object.freeze({
    enabled: raw.secretFingerprints ?? env.TELLTALE_SECRET_FINGERPRINTS !== '0',
    namePatterns: Object.freeze([...new Set([...SECRET_DEFAULTS.namePatterns, ...extra])]),
  });
}

function agentNameFrom(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) throw new AgentConfigError('--agent-name must be 1-128 of A-Z a-z 0-9 . _ - (as in the collector\'s agent tokens file)');
  return name;
}

function tlsFrom(raw: RawAgentOptions, env: Record<string, string | undefined>): AgentConfig['tls'] {
  const caPath = raw.tlsCa ?? env.TELLTALE_AGENT_TLS_CA;
  const certPath = raw.tlsCert ?? env.TELLTALE_AGENT_TLS_CERT;
  const keyPath = raw.tlsKey ?? env.TELLTALE_AGENT_TLS_KEY;
  const serverName = raw.tlsServerName ?? env.TELLTALE_AGENT_TLS_SERVER_NAME;
  if (!caPath) {
    if (certPath || keyPath || serverName) throw new AgentConfigError('--tls-cert, --tls-key and --tls-server-name need --tls-ca');
    return undefined;
  }
  if (Boolean(certPath) !== Boolean(keyPath)) throw new AgentConfigError('--tls-cert and --tls-key go together');
  return Object.freeze({ caPath, ...(certPath ? { certPath, keyPath } : {}), ...(serverName ? { serverName } : {}) });
}

function sourceFrom(raw: RawAgentOptions, env: Record<string, string | undefined>): SourceConfig {
  const name = raw.source ?? env.TELLTALE_SOURCE ?? 'bpftrace';
  const tetragonGrpc = raw.tetragonGrpc ?? env.TELLTALE_TETRAGON_GRPC;
  const tetragonExport = raw.tetragonExport ?? env.TELLTALE_TETRAGON_EXPORT;
  const falcoFile = raw.falcoFile ?? env.TELLTALE_FALCO_FILE;
  const falcoHttp = raw.falcoHttp ?? env.TELLTALE_FALCO_HTTP;
  const stray = (allowed: string[]) => {
    const given = { 'tetragon-grpc': tetragonGrpc, 'tetragon-export': tetragonExport, 'falco-file': falcoFile, 'falco-http': falcoHttp };
    const wrong = Object.entries(given).filter(([k, v]) => v !== undefined && !allowed.includes(k)).map(([k]) => `--${k}`);
    if (wrong.length) throw new AgentConfigError(`${wrong.join(', ')} do not apply to --source ${name}`);
  };
  switch (name) {
    case 'bpftrace':
      stray([]);
      return { kind: 'bpftrace' };
    case 'tetragon':
      stray(['tetragon-grpc', 'tetragon-export']);
      if (tetragonGrpc && tetragonExport) throw new AgentConfigError('give --tetragon-grpc or --tetragon-export, not both');
      if (tetragonExport) return { kind: 'tetragon-export', path: tetragonExport };
      return { kind: 'tetragon-grpc', address: tetragonGrpcAddress(tetragonGrpc ?? 'unix:///var/run/tetragon/tetragon.sock') };
    case 'falco': {
      stray(['falco-file', 'falco-http']);
      if (falcoFile && falcoHttp) throw new AgentConfigError('give --falco-file or --falco-http, not both');
      if (falcoFile) return { kind: 'falco-file', path: falcoFile };
      return falcoHttpFrom(falcoHttp ?? '127.0.0.1:2801', env.TELLTALE_FALCO_HTTP_PASSWORD);
    }
    default:
      throw new AgentConfigError(`--source must be bpftrace, tetragon or falco, not "${name}"`);
  }
}

function tetragonGrpcAddress(text: string): string {
  if (/^unix:(\/\/)?\/\S+$/.test(text) || /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/.test(text)) return text;
  throw new AgentConfigError(`--tetragon-grpc: "${text}" is not unix:///path or host:port`);
}

/**
 * [user:password@]host:port. Credentials are required even on loopback: the builds watched
 * run on this host and could otherwise post forged Falco alerts. The password is better given
 * in TELLTALE_FALCO_HTTP_PASSWORD (a command line is readable by every process).
 */
function falcoHttpFrom(text: string, envPassword: string | undefined): SourceConfig {
  const m = /^(?:([^:@\s]+):([^@\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^:\s@]+):(\d{1,5})$/.exec(text);
  if (!m) throw new AgentConfigError(`--falco-http: "${text}" is not [user:password@]host:port`);
  const host = m[3]!.replace(/^\[|\]$/g, '');
  const portNumber = port(m[4]!, '--falco-http');
  const password = m[2] ?? envPassword;
  if (!password || password.length < 16) {
    throw new AgentConfigError('--falco-http needs a password of 16+ characters (TELLTALE_FALCO_HTTP_PASSWORD, the same as in Falco\'s http_output url http://telltale:PASSWORD@host:port/)');
  }
  return { kind: 'falco-http', host, port: portNumber, basicAuth: { user: m[1] ?? 'telltale', password } };
}
