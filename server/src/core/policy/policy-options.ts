// Options every generator takes, checked once into a frozen shape. Options come from an
// operator (an HTTP query, a CLI flag), so they are validated like the baseline is.

import { parseIp } from '../address.js';
import { canonicalIp } from '../ip-text.js';
import { PolicyError } from './policy-error.js';
import { quoted } from './policy-text.js';

export type PolicyMode = 'audit' | 'enforce';

/** Where the build runs; each format uses the fields it can express (see its header). */
export interface PolicyTarget {
  /** cgroup v2 path of the build, relative to the cgroup root (nftables `socket cgroupv2`). */
  cgroupPath?: string;
  /** The uid the build runs as (nftables `meta skuid`, Falco `user.uid`). */
  uid?: number;
  /** Labels of the build's pods (Tetragon `spec.podSelector`, Falco `k8s.pod.label`). */
  podSelector?: Record<string, string>;
  /** Kubernetes namespace of the build's pods (Tetragon `TracingPolicyNamespaced`, Falco `k8s.ns.name`). */
  namespace?: string;
}

export interface PolicyOptions {
  /** audit (default): report what falls outside the baseline; enforce: refuse it where the format can. */
  mode?: PolicyMode;
  /** Generate from a baseline that is still learning or empty (with a warning at the top). */
  allowUnready?: boolean;
  target?: PolicyTarget;
  /** Resolvers unbound/dnsmasq forward to: `IP`, `IP@PORT` or `IP#PORT`. Default: the baseline's port-53 destinations. */
  upstream?: readonly string[];
  /** Where unbound/dnsmasq listen (default 127.0.0.1, port 53). */
  listen?: { address?: string; port?: number };
  /** The build command the CI snippets run under `telltale run` (default `make`). */
  buildCommand?: string;
}

export interface Endpoint { address: string; family: 4 | 6; port: number }

export interface CheckedTarget {
  cgroupPath?: string;
  /** Number of path components, the `level` nftables matches the cgroup at. */
  cgroupLevel?: number;
  uid?: number;
  podSelector?: ReadonlyArray<readonly [string, string]>;
  namespace?: string;
}

export interface CheckedOptions {
  mode: PolicyMode;
  allowUnready: boolean;
  target: CheckedTarget;
  upstream: readonly Endpoint[] | null;
  listen: Endpoint;
  buildCommand: string;
}

const bad = (what: string, value: unknown): never => {
  throw new PolicyError('invalid_option', `${what} is not valid: ${quoted(String(value), 80)}`);
};

const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CGROUP_PART = /^[A-Za-z0-9_.@:+-]{1,255}$/;

/** Kubernetes label key: `[prefix/]name`, prefix a DNS subdomain of at most 253 characters. */
function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? null : key.slice(0, slash);
  return LABEL_NAME.test(name) && (prefix === null || (prefix.length <= 253 && LABEL_PREFIX.test(prefix)));
}

function checkTarget(t: PolicyTarget | undefined): CheckedTarget {
  const out: CheckedTarget = {};
  if (t === undefined) return out;
  if (t.uid !== undefined) {
    if (!Number.isInteger(t.uid) || t.uid < 0 || t.uid > 0xfffffffe) bad('target.uid', t.uid);
    out.uid = t.uid;
  }
  if (t.cgroupPath !== undefined) {
    if (typeof t.cgroupPath !== 'string') bad('target.cgroupPath', t.cgroupPath);
    const parts = t.cgroupPath.replace(/^\/+/, '').split('/');
    if (parts.some((p) => !CGROUP_PART.test(p) || p === '.' || p === '..') || t.cgroupPath.length > 1024) bad('target.cgroupPath', t.cgroupPath);
    out.cgroupPath = parts.join('/');
    out.cgroupLevel = parts.length;
  }
  if (t.namespace !== undefined) {
    if (!NAMESPACE.test(t.namespace)) bad('target.namespace', t.namespace);
    out.namespace = t.namespace;
  }
  if (t.podSelector !== undefined) {
    if (typeof t.podSelector !== 'object' || t.podSelector === null) bad('target.podSelector', t.podSelector);
    const pairs = Object.entries(t.podSelector).map(([k, v]) => {
      if (!isLabelKey(k)) bad('target.podSelector key', k);
      if (typeof v !== 'string' || (v !== '' && !LABEL_NAME.test(v))) bad(`target.podSelector[${k}]`, v);
      return [k, v] as const;
    });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (pairs.length > 0) out.podSelector = pairs;
  }
  return out;
}

/** `IP`, `IP@PORT`, `IP#PORT`, `IPv4:PORT` (as the guard's --upstream takes it) or `[IPv6]:PORT`, with a default port. */
export function parseEndpoint(text: string, defaultPort: number, what: string): Endpoint {
  if (typeof text !== 'string') return bad(what, text);
  const m = text.match(/^\[([^\]]+)\]:(\d{1,5})$/) ?? text.match(/^([^@#]+)[@#](\d{1,5})$/)
    ?? text.match(/^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/) ?? [text, text, String(defaultPort)];
  const host = m[1]!;
  const port = Number(m[2]);
  const ip = parseIp(host);
  if (!ip || !Number.isInteger(port) || port < 1 || port > 65535) return bad(what, text);
  return { address: canonicalIp(host)!, family: ip.family, port };
}

export function checkOptions(opts: PolicyOptions = {}): CheckedOptions {
  const mode = opts.mode ?? 'audit';
  if (mode !== 'audit' && mode !== 'enforce') bad('mode', mode);
  const upstream = opts.upstream === undefined ? null : opts.upstream.map((u, i) => parseEndpoint(u, 53, `upstream[${i}]`));
  if (upstream !== null && upstream.length === 0) bad('upstream', '(empty list)');
  const listenPort = opts.listen?.port ?? 53;
  const listenAddress = opts.listen?.address ?? '127.0.0.1';
  const listenIp = typeof listenAddress === 'string' ? parseIp(listenAddress) : null;
  if (!listenIp) bad('listen.address', listenAddress);
  if (!Number.isInteger(listenPort) || listenPort < 1 || listenPort > 65535) bad('listen.port', listenPort);
  const buildCommand = opts.buildCommand ?? 'make';
  // One line of printable ASCII; it is the operator's own command, pasted into a run step.
  if (typeof buildCommand !== 'string' || !/^[\x20-\x7e]{1,2000}$/.test(buildCommand) || buildCommand.trim() === '') bad('buildCommand', buildCommand);
  return Object.freeze({
    mode, allowUnready: opts.allowUnready === true, target: Object.freeze(checkTarget(opts.target)),
    upstream, listen: { address: canonicalIp(listenAddress)!, family: listenIp!.family, port: listenPort }, buildCommand: buildCommand.trim(),
  });
}
