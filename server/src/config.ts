// The collector's one configuration: flags and environment read once at boot, checked,
// then frozen. Nothing else in the server reads process.env.
import { parseCidr, type Cidr } from './core/address.js';
import { OPERATOR_TOKEN_SHAPE } from './adapters/operator-token.js';

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
  /** Detector settings by alert kind (a JSON object), checked by compileDetectors at start. */
  detectors: Record<string, unknown>;
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
  operatorToken?: string;
  retentionDays?: string;
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

function detectorSettings(path: string | undefined, files: ConfigFiles | undefined): Record<string, unknown> {
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
  // Anyone who can reach ingest can write events and alerts: off loopback, require a token.
  if (!ingestToken && !isLoopbackHost(grpc.host)) {
    throw new ConfigError(`--grpc ${grpc.host}:${grpc.port} is reachable from other hosts: set --ingest-token (or TELLTALE_INGEST_TOKEN)`);
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
  return Object.freeze({
    detectors: Object.freeze(detectorSettings(raw.detectors ?? env.TELLTALE_DETECTORS, files)),
    retentionDays,
    ingestToken: ingestToken || undefined,
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

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function splitList(v: string | undefined): string[] | undefined {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}
