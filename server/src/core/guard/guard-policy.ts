// The guard's allowlist: what a pipeline's builds may resolve without being reported. It
// comes from the collector (or a file an operator exported from it), so it is untrusted
// input: parsed once into a frozen list, or refused whole with GUARD_ALLOWLIST_INVALID.

import { splitRenderedName } from '../dns-name-text.js';
import { splitName } from '../registrable-domain.js';
import { GuardError } from './guard-errors.js';

export type AllowlistReadiness = 'ready' | 'learning' | 'empty';

export interface GuardAllowlist {
  pipeline: string;
  version: number;
  /** Exact names (lower case, no trailing dot): only these, not their siblings or children. */
  names: string[];
  /** Domains allowed as a whole: the domain itself and every name under it. */
  domains: string[];
}

/** The document the collector serves (and `telltale policy export --format guard` writes). */
export interface GuardAllowlistDocument extends GuardAllowlist {
  /** Only a `ready` list may be enforced: a learning baseline would block legitimate names. */
  readiness: AllowlistReadiness;
}

export const ALLOWLIST_LIMITS = Object.freeze({
  /** Characters of JSON text accepted before parsing (a baseline is far smaller). */
  maxTextLength: 32 * 1024 * 1024,
  /** Entries in `names` plus `domains`. */
  maxEntries: 500_000,
  maxPipelineLength: 512,
});

const READINESS: readonly AllowlistReadiness[] = ['ready', 'learning', 'empty'];
// DNS names as the collector keeps them (its baseline's check): letters, digits, `-` and
// `_` labels of 1-63 characters, 253 in all. Anything else in a list refuses the list.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

const invalid = (field: string, message: string): GuardError =>
  new GuardError('GUARD_ALLOWLIST_INVALID', field, `allowlist ${field}: ${message}`);

/** Parses the JSON text of an allowlist document. */
export function parseGuardAllowlistText(text: string): GuardAllowlistDocument {
  if (text.length > ALLOWLIST_LIMITS.maxTextLength) throw invalid('(document)', `longer than ${ALLOWLIST_LIMITS.maxTextLength} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A SyntaxError, or a RangeError from absurd nesting: either way not a document.
    throw invalid('(document)', 'not JSON');
  }
  return parseGuardAllowlist(value);
}

/** Checks a parsed JSON value. Fields other than the ones read here are ignored (newer collectors may add some). */
export function parseGuardAllowlist(value: unknown): GuardAllowlistDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('(document)', 'must be a JSON object');
  const doc = value as Record<string, unknown>;
  const pipeline = doc.pipeline;
  if (typeof pipeline !== 'string' || pipeline.length === 0 || pipeline.length > ALLOWLIST_LIMITS.maxPipelineLength || /[\u0000-\u001f\u007f]/.test(pipeline)) {
    throw invalid('pipeline', `must be a non-empty string of at most ${ALLOWLIST_LIMITS.maxPipelineLength} printable characters`);
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw invalid('version', 'must be a whole number ≥ 0');
  const readiness = doc.readiness;
  if (typeof readiness !== 'string' || !(READINESS as readonly string[]).includes(readiness)) {
    throw invalid('readiness', `must be one of ${READINESS.join(', ')}`);
  }
  const rawNames = doc.names;
  const rawDomains = doc.domains;
  if (!Array.isArray(rawNames)) throw invalid('names', 'must be a list of host names');
  if (!Array.isArray(rawDomains)) throw invalid('domains', 'must be a list of domains');
  if (rawNames.length + rawDomains.length > ALLOWLIST_LIMITS.maxEntries) {
    throw invalid('(document)', `more than ${ALLOWLIST_LIMITS.maxEntries} names and domains`);
  }
  const names = rawNames.map((n, i) => hostName(n, `names[${i}]`));
  const domains = rawDomains.map((d, i) => {
    const name = hostName(d, `domains[${i}]`);
    // A bare public suffix ("com", "github.io") would allow every domain under it.
    if (splitName(name).domain === null) throw invalid(`domains[${i}]`, 'is a public suffix or not a domain');
    return name;
  });
  return Object.freeze({
    pipeline, version, readiness: readiness as AllowlistReadiness,
    names: Object.freeze([...new Set(names)]) as string[], domains: Object.freeze([...new Set(domains)]) as string[],
  });
}

function hostName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  const name = value.toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name)) throw invalid(field, 'is not a host name');
  return name;
}

interface AllowlistIndex {
  names: ReadonlySet<string>;
  domains: ReadonlySet<string>;
}
const indexes = new WeakMap<GuardAllowlist, AllowlistIndex>();

function indexOf(list: GuardAllowlist): AllowlistIndex {
  let index = indexes.get(list);
  if (index === undefined) {
    index = { names: new Set(list.names), domains: new Set(list.domains) };
    indexes.set(list, index);
  }
  return index;
}

/**
 * True when `qname` (a rendered name as decoded, any case, trailing dot or not) is one of
 * the list's names, or is one of its domains or under one. Costs one set lookup per label.
 */
export function allows(list: GuardAllowlist, qname: string): boolean {
  const { names, domains } = indexOf(list);
  const name = qname.toLowerCase().replace(/\.$/, '');
  if (names.has(name)) return true;
  if (domains.size === 0) return false;
  if (!name.includes('\\')) {
    for (let at = 0; at >= 0; at = name.indexOf('.', at) + 1 || -1) {
      if (domains.has(name.slice(at))) return true;
    }
    return false;
  }
  // An escaped '.' inside a label is not a label boundary: walk real labels. A suffix that
  // still holds an escape can never equal a listed host name.
  const labels = splitRenderedName(name);
  for (let i = 0; i < labels.length; i++) {
    if (domains.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}
