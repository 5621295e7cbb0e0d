// The guard daemon's one configuration: flags, environment and files read once at start,
// checked (CONFIG_INVALID, exit 2, on a bad value), then frozen.

import net from 'node:net';
import { ConfigError, detectorSettings, parsePort } from '../../config.js';
import { canonicalIp, unmapIpv4 } from '../../core/ip-text.js';
import { OPERATOR_TOKEN_SHAPE } from '../operator-token.js';
import type { EncodedDnsLabelSpec } from '../../core/detectors/encoded-dns-label.js';
import type { GuardMode } from '../../core/guard/guard-decision.js';
import type { HostPort } from './guard-server.js';

export interface GuardConfig {
  listen: readonly HostPort[];
  upstreams: readonly HostPort[];
  /** Asked for; enforcing needs a ready allowlist (else the guard audits and says so). */
  mode: GuardMode;
  pipeline: string | undefined;
  collector: string | undefined;
  allowlistFile: string | undefined;
  token: string | undefined;
  /** This guard's name in its reports. */
  name: string;
  metrics: HostPort | undefined;
  detector: Partial<EncodedDnsLabelSpec>;
}

export interface RawGuardOptions {
  listen?: string[];
  upstream?: string[];
  mode?: string;
  pipeline?: string;
  collector?: string;
  allowlist?: string;
  tokenFile?: string;
  name?: string;
  metrics?: string;
  detectors?: string;
}

export interface GuardConfigFiles {
  readText(path: string): string;
  hostname(): string;
}

/** `1.2.3.4:53`, `[::1]:53`, or a bare address (port `defaultPort`). Addresses only: a name would need DNS. */
export function parseAddress(text: string, what: string, defaultPort?: number): HostPort {
  const bad = () => new ConfigError(`${what}: "${text}" is not ADDR:PORT with an IP address (IPv6 as [::1]:53)`);
  let host: string | undefined;
  let portText: string | undefined;
  const bracketed = text.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracketed) [, host, portText] = bracketed;
  else if (net.isIPv6(text)) host = text;
  else [, host, portText] = text.match(/^([^:]+)(?::(\d+))?$/) ?? [];
  if (host === undefined || net.isIP(host) === 0) throw bad();
  if (portText === undefined) {
    if (defaultPort === undefined) throw bad();
    return { host, port: defaultPort };
  }
  return { host, port: parsePort(portText, what) };
}

export function guardConfig(raw: RawGuardOptions, env: Record<string, string | undefined>, files: GuardConfigFiles): Readonly<GuardConfig> {
  const listen = (raw.listen ?? ['127.0.0.1:53']).map((l) => parseAddress(l, '--listen'));
  if (raw.upstream === undefined || raw.upstream.length === 0) throw new ConfigError('--upstream ADDR:PORT is required: the resolver the guard forwards to');
  const upstreams = raw.upstream.map((u) => parseAddress(u, '--upstream', 53));
  // Compared as addresses, not text: [::ffff:127.0.0.1] is 127.0.0.1, and anything on 127/8
  // reaches a guard listening on 127.0.0.1's port only if it is that address.
  const same = (a: string, b: string) => sameAddress(a, b);
  for (const u of upstreams) {
    if (listen.some((l) => l.port === u.port && (same(l.host, u.host) || l.host === '0.0.0.0' || l.host === '::'))) {
      throw new ConfigError(`--upstream ${u.host}:${u.port} is the guard itself`);
    }
  }
  const mode = raw.mode ?? 'audit';
  if (mode !== 'audit' && mode !== 'enforce') throw new ConfigError('--mode must be audit or enforce');

  const collector = raw.collector?.replace(/\/+$/, '');
  if (collector !== undefined && !/^https?:\/\/[^\s/?#]+$/.test(collector)) throw new ConfigError('--collector must be the collector\'s http(s)://host:port');
  if (collector === undefined && raw.allowlist === undefined) {
    throw new ConfigError('give --collector URL (allowlist fetched, verdicts reported) and/or --allowlist FILE (telltale policy export --format guard)');
  }
  if (collector !== undefined && raw.pipeline === undefined) throw new ConfigError('--collector needs --pipeline NAME: whose baseline to fetch and report under');
  if (raw.pipeline !== undefined && (raw.pipeline.length === 0 || raw.pipeline.length > 512)) throw new ConfigError('--pipeline must be 1 to 512 characters');

  const token = raw.tokenFile !== undefined ? readToken(raw.tokenFile, files) : env.TELLTALE_OPERATOR_TOKEN;
  if (token !== undefined && !OPERATOR_TOKEN_SHAPE.test(token)) throw new ConfigError('the operator token must be 16 to 512 of A-Z a-z 0-9 . _ ~ -');
  if (collector !== undefined && token === undefined) {
    throw new ConfigError('--collector needs the operator token: TELLTALE_OPERATOR_TOKEN or --token-file FILE');
  }

  const name = raw.name ?? files.hostname();
  // The collector's check on a report's guard name: refused here rather than in every report.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) throw new ConfigError(`--name "${name.slice(0, 40)}" must be 1 to 128 letters, digits, . _ - (the host name is the default)`);
  const metrics = raw.metrics === undefined ? undefined : parseAddress(raw.metrics, '--metrics');

  return Object.freeze({
    listen: Object.freeze(listen), upstreams: Object.freeze(upstreams), mode, pipeline: raw.pipeline, collector,
    allowlistFile: raw.allowlist, token, name, metrics, detector: guardDetectorSettings(raw.detectors, files),
  });
}

function readToken(path: string, files: GuardConfigFiles): string {
  try {
    return files.readText(path).trim();
  } catch (err) {
    throw new ConfigError(`--token-file ${path}: ${(err as Error).message}`);
  }
}

/** The collector's --detectors format; the guard uses its encoded_dns_label settings (checked when compiled). */
function guardDetectorSettings(path: string | undefined, files: GuardConfigFiles): Partial<EncodedDnsLabelSpec> {
  const own = detectorSettings(path, files).encoded_dns_label;
  if (own === undefined) return {};
  if (typeof own !== 'object' || own === null || Array.isArray(own)) throw new ConfigError(`--detectors ${path}: encoded_dns_label must be an object`);
  return own as Partial<EncodedDnsLabelSpec>;
}

/** Two textual addresses are the same host address (IPv4-mapped IPv6 folded to IPv4). */
function sameAddress(a: string, b: string): boolean {
  const norm = (t: string) => unmapIpv4(canonicalIp(t) ?? t.toLowerCase());
  return norm(a) === norm(b);
}
