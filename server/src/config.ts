// The collector's one configuration: flags and environment read once at boot, checked,
// then frozen. Nothing else in the server reads process.env.
import { parseCidr, type Cidr } from './core/address.js';
import { OPERATOR_TOKEN_SHAPE } from './adapters/operator-token.js';
import { parseAgentTokens } from './adapters/agent-auth.js';

export interface ServerConfig {
  dataDir: string;
  httpHost: string;
  httpPort: number;
  grpcAddress: string;
  dnsPorts: readonly number[];
  external: readonly Cidr[];
  learningBuilds: number;
  /** Shared secret agents must present on ingest (`authorization: Bearer ...`). */
  ingestToken: string | undefined;
  /** Raw event batches older than this many days are pruned (0 keeps them forever). */
  retentionDays: number;
  /** Baseline entries no build used for this many days leave their baseline (0: never). */
  baselineExpiryDays: number;
  /** Detector settings by alert kind (a JSON object), checked by compileDetectors at start. */
  detectors: Record<string, unknown>;
  /** Per-agent tokens (agent name → token): an agent may only send under its own name. */
  agentTokens: ReadonlyMap<string, string>;
  /** TLS for gRPC ingest; with a client CA, agents must present certificates (mTLS) whose CN names them. */
  tls: { certPath: string; keyPath: string; clientCaPath?: string } | undefined;
  /** The token console actions need; generated into the data directory when not given. */
  operatorToken: string | undefined;
  /** The HTTP API listens on loopback only (reads are then open to local clients). */
  httpLoopbackOnly: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export interface RawServerOptions {
  dataDir?: string;
  http?: string;
  grpc?: string;
  dnsPort?: string[];
  external?: string[];
  learningBuilds?: string;
  ingestToken?: string;
  /** Path of an agent tokens file: one `agent-name token` per line. */
  agentTokens?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  /** Accept agents over plaintext gRPC off loopback (tokens then cross the network in clear). */
  allowPlaintext?: boolean;
  operatorToken?: string;
  retentionDays?: string;
  baselineExpiryDays?: string;
  /** Path of a JSON file of detector settings. */
  detectors?: string;
}

export interface ConfigFiles {
  readText(path: string): string;
}

export function parsePort(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${what}: "${text}" is not a port number`);
  return n;
}

/** "host:port", "[v6]:port" or ":port" → host and port. */
export function parseListen(text: string, what: string, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const m = text.match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/);
  if (!m) throw new ConfigError(`${what}: "${text}" is not host:port`);
  return { host: m[1] ?? (m[2] || defaultHost), port: parsePort(m[3]!, what) };
}

export function parseDnsPorts(values: readonly string[] = []): number[] {
  return [...new Set([53, ...values.map((v) => parsePort(v, '--dns-port'))])];
}

export function parseExternal(values: readonly string[] = []): Cidr[] {
  return values.map((v) => {
    const c = parseCidr(v);
    if (!c) throw new ConfigError(`--external: "${v}" is not an address or CIDR`);
    return c;
  });
}

/** The --detectors file: a JSON object keyed by alert kind (the guard reads its encoded_dns_label part). */
export function detectorSettings(path: string | undefined, files: ConfigFiles | undefined): Record<string, unknown> {
  if (!path) return {};
  if (!files) throw new ConfigError('--detectors: no way to read files here');
  let parsed: unknown;
  try {
    parsed = JSON.parse(files.readText(path));
  } catch (err) {
    throw new ConfigError(`--detectors ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`--detectors ${path}: must hold a JSON object keyed by alert kind`);
  return parsed as Record<string, unknown>;
}

export function serverConfig(raw: RawServerOptions, env: Record<string, string | undefined>, files?: ConfigFiles): Readonly<ServerConfig> {
  const http = parseListen(raw.http ?? env.TELLTALE_HTTP ?? '127.0.0.1:7070', '--http');
  const grpc = parseListen(raw.grpc ?? env.TELLTALE_GRPC ?? '127.0.0.1:7071', '--grpc');
  const learningText = raw.learningBuilds ?? env.TELLTALE_LEARNING_BUILDS ?? '3';
  const learningBuilds = Number(learningText);
  if (!Number.isInteger(learningBuilds) || learningBuilds < 0 || learningBuilds > 1000) {
    throw new ConfigError(`--learning-builds: "${learningText}" must be an integer from 0 to 1000`);
  }
  const ingestToken = raw.ingestToken ?? env.TELLTALE_INGEST_TOKEN;
  if (ingestToken !== undefined && ingestToken.length < 16) throw new ConfigError('--ingest-token must be at least 16 characters');
  const agentTokens = agentTokensFrom(raw.agentTokens ?? env.TELLTALE_AGENT_TOKENS, files);
  const tls = tlsFrom(raw.tlsCert ?? env.TELLTALE_TLS_CERT, raw.tlsKey ?? env.TELLTALE_TLS_KEY, raw.tlsClientCa ?? env.TELLTALE_TLS_CLIENT_CA);
  // Anyone who can reach ingest can write events and alerts: off loopback, require a
  // credential, and TLS unless plaintext is asked for by name.
  if (!isLoopbackHost(grpc.host)) {
    if (!ingestToken && agentTokens.size === 0 && !tls?.clientCaPath) {
      throw new ConfigError(`--grpc ${grpc.host}:${grpc.port} is reachable from other hosts: set --agent-tokens, --ingest-token or --tls-client-ca`);
    }
    if (!tls && !(raw.allowPlaintext ?? env.TELLTALE_ALLOW_PLAINTEXT === '1')) {
      throw new ConfigError(`--grpc ${grpc.host}:${grpc.port} is reachable from other hosts: set --tls-cert and --tls-key (or --allow-plaintext to send tokens in clear)`);
    }
  }
  const operatorToken = raw.operatorToken ?? env.TELLTALE_OPERATOR_TOKEN;
  // The console sends it as a WebSocket subprotocol too, which allows no '=', '/', '+' or ','.
  if (operatorToken !== undefined && !OPERATOR_TOKEN_SHAPE.test(operatorToken)) {
    throw new ConfigError('--operator-token must be 16 to 512 of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 24)');
  }
  const retentionText = raw.retentionDays ?? env.TELLTALE_RETENTION_DAYS ?? '30';
  const retentionDays = Number(retentionText);
  if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 36500) {
    throw new ConfigError(`--retention-days: "${retentionText}" must be a whole number of days (0 keeps everything)`);
  }
  const expiryText = raw.baselineExpiryDays ?? env.TELLTALE_BASELINE_EXPIRY_DAYS ?? '30';
  const baselineExpiryDays = Number(expiryText);
  if (!Number.isFinite(baselineExpiryDays) || baselineExpiryDays < 0 || baselineExpiryDays > 36500) {
    throw new ConfigError(`--baseline-expiry-days: "${expiryText}" must be a number of days from 0 (never) to 36500`);
  }
  return Object.freeze({
    baselineExpiryDays,
    detectors: Object.freeze(detectorSettings(raw.detectors ?? env.TELLTALE_DETECTORS, files)),
    retentionDays,
    ingestToken: ingestToken || undefined,
    agentTokens,
    tls,
    operatorToken: operatorToken || undefined,
    httpLoopbackOnly: isLoopbackHost(http.host),
    dataDir: raw.dataDir ?? env.TELLTALE_DATA_DIR ?? '.telltale',
    httpHost: http.host,
    httpPort: http.port,
    grpcAddress: `${grpc.host.includes(':') ? `[${grpc.host}]` : grpc.host}:${grpc.port}`,
    dnsPorts: Object.freeze(parseDnsPorts(raw.dnsPort ?? splitList(env.TELLTALE_DNS_PORTS))),
    external: Object.freeze(parseExternal(raw.external ?? splitList(env.TELLTALE_EXTERNAL))),
    learningBuilds,
  });
}

function agentTokensFrom(path: string | undefined, files: ConfigFiles | undefined): ReadonlyMap<string, string> {
  if (!path) return new Map();
  if (!files) throw new ConfigError('--agent-tokens: no way to read files here');
  try {
    return parseAgentTokens(files.readText(path));
  } catch (err) {
    throw new ConfigError(`--agent-tokens ${path}: ${(err as Error).message}`);
  }
}

function tlsFrom(cert: string | undefined, key: string | undefined, clientCa: string | undefined): ServerConfig['tls'] {
  if (!cert && !key) {
    if (clientCa) throw new ConfigError('--tls-client-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  if (!cert || !key) throw new ConfigError('--tls-cert and --tls-key go together');
  return Object.freeze({ certPath: cert, keyPath: key, ...(clientCa ? { clientCaPath: clientCa } : {}) });
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function splitList(v: string | undefined): string[] | undefined {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}
