// The baseline as the generators use it: every name, domain and destination checked, put in
// canonical form, de-duplicated and sorted, so hostile text never reaches a config and the
// same baseline always gives the same bytes.

import { parseIp } from '../address.js';
import { canonicalIp, unmapIpv4 } from '../ip-text.js';
import { isUnder } from '../baseline-entries.js';
import type { BaselineReadiness, PolicyBaseline } from './policy-baseline.js';
import { PolicyError } from './policy-error.js';
import { checkOptions, type CheckedOptions, type PolicyOptions } from './policy-options.js';
import { quoted } from './policy-text.js';

export interface Destination {
  family: 4 | 6;
  /** Canonical text (RFC 5952 for IPv6). */
  address: string;
  /** The address as a number, for sorting. */
  value: bigint;
  port: number;
  protocol: 'tcp' | 'udp';
}

export interface PreparedPolicy {
  pipeline: string;
  version: number;
  generatedAt: string;
  readiness: BaselineReadiness;
  learnedBuilds: number;
  learningBuilds: number;
  /** Exact names, minus those an allowed domain already covers. */
  names: readonly string[];
  /** Allowed domains, minus those another allowed domain already covers. */
  domains: readonly string[];
  destinations: readonly Destination[];
  /** Set when generating from an unready baseline (allowUnready): the warning to put on top. */
  unreadyWarning: string | null;
  opts: CheckedOptions;
}

const ASCII_NAME = /^[A-Za-z0-9_.-]+$/;
const LABEL = /^[a-z0-9_-]{1,63}$/;

/** A DNS name in lower case, or null: letters, digits, `-` and `_` labels of 1-63, at most 253 in all. */
export function normalDnsName(raw: unknown): string | null {
  // ASCII is checked before lower-casing: 'K' (Kelvin sign) lower-cases to 'k'.
  if (typeof raw !== 'string' || raw.length > 253 || !ASCII_NAME.test(raw)) return null;
  const name = raw.toLowerCase();
  return name.split('.').every((l) => LABEL.test(l)) ? name : null;
}

const invalid = (field: string, value: unknown, why: string): never => {
  throw new PolicyError('invalid_entry', `${field} ${quoted(String(value), 80)} ${why}`);
};

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkNames(list: unknown, field: string): string[] {
  if (!Array.isArray(list)) return invalid(field, list, 'is not a list');
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const name = normalDnsName(raw);
    if (name === null) invalid(`${field}[${i}]`, raw, 'is not a DNS name (letters, digits, - and _ labels of 1-63 characters, 253 in all)');
    seen.add(name!);
  });
  return [...seen].sort();
}


function checkDestinations(list: unknown): Destination[] {
  if (!Array.isArray(list)) return invalid('destinations', list, 'is not a list');
  const byKey = new Map<string, Destination>();
  list.forEach((d: unknown, i) => {
    const o = { ...(typeof d === 'object' && d !== null ? d : {}) } as Record<string, unknown>; // a copy: the caller's entry stays as given
    // An IPv4-mapped IPv6 address is the IPv4 host: an IPv4 rule must match it.
    if (typeof o.address === 'string') o.address = unmapIpv4(o.address);
    const ip = typeof o.address === 'string' ? parseIp(o.address) : null;
    if (!ip) invalid(`destinations[${i}].address`, o.address, 'is not an IP address');
    if (!Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535) invalid(`destinations[${i}].port`, o.port, 'is not a port (1-65535)');
    if (o.protocol !== 'tcp' && o.protocol !== 'udp') invalid(`destinations[${i}].protocol`, o.protocol, 'is not tcp or udp');
    const dest: Destination = {
      family: ip!.family, address: canonicalIp(o.address as string)!, value: ip!.value,
      port: o.port as number, protocol: o.protocol as 'tcp' | 'udp',
    };
    byKey.set(`${dest.protocol} ${dest.address} ${dest.port}`, dest);
  });
  return [...byKey.values()].sort((a, b) =>
    a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)
    || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) || a.port - b.port);
}

function readinessMessage(b: PolicyBaseline): string {
  const who = `the baseline of pipeline ${quoted(b.pipeline, 120)}`;
  if (b.readiness === 'empty') return `${who} is empty: no build has been learnt or approved yet`;
  return `${who} is still learning (${b.learnedBuilds}/${b.learningBuilds} builds): a policy from it would refuse what the next builds legitimately use`;
}

/**
 * Checks `b` and `opts`. `gateReadiness` is false only for formats that carry no baseline
 * data (the CI snippets): those are how a baseline gets learnt in the first place.
 */
export function preparePolicy(b: PolicyBaseline, opts: PolicyOptions | undefined, gateReadiness = true): PreparedPolicy {
  const checked = checkOptions(opts);
  if (typeof b !== 'object' || b === null) return invalid('baseline', b, 'is not an object');
  if (typeof b.pipeline !== 'string' || b.pipeline.length === 0 || b.pipeline.length > 1024) invalid('pipeline', b.pipeline, 'is not a pipeline name (1-1024 characters)');
  if (!isCount(b.version)) invalid('version', b.version, 'is not a version number');
  if (!isCount(b.generatedAtUs) || b.generatedAtUs > 8.64e18) invalid('generatedAtUs', b.generatedAtUs, 'is not a time');
  if (!isCount(b.learnedBuilds) || !isCount(b.learningBuilds)) invalid('learnedBuilds/learningBuilds', `${b.learnedBuilds}/${b.learningBuilds}`, 'are not counts');
  if (b.readiness !== 'ready' && b.readiness !== 'learning' && b.readiness !== 'empty') invalid('readiness', b.readiness, 'is not ready, learning or empty');
  let unreadyWarning: string | null = null;
  if (gateReadiness && b.readiness !== 'ready') {
    if (!checked.allowUnready) throw new PolicyError('baseline_not_ready', `${readinessMessage(b)}; pass allowUnready to generate it anyway`);
    unreadyWarning = readinessMessage(b);
  }

  const allDomains = checkNames(b.domains, 'domains');
  const domains = allDomains.filter((d) => !allDomains.some((o) => o !== d && isUnder(d, o)));
  const names = checkNames(b.names, 'names').filter((n) => !domains.some((d) => isUnder(n, d)));
  return {
    pipeline: b.pipeline, version: b.version, generatedAt: new Date(Math.floor(b.generatedAtUs / 1000)).toISOString(),
    readiness: b.readiness, learnedBuilds: b.learnedBuilds, learningBuilds: b.learningBuilds,
    names, domains, destinations: checkDestinations(b.destinations), unreadyWarning, opts: checked,
  };
}
