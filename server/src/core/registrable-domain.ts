// Splits a query name into its registrable domain (public suffix list, private section
// included, so d123.cloudfront.net is its own domain) and the labels left of it, which are
// what a build script controls and what the encoded-label detector scores.

import { parse } from 'tldts';
import { splitRenderedName } from './dns-name-text.js';

export interface NameSplit {
  /** Lower-cased registrable domain; null for IPs, bare suffixes, and names cut before their end. */
  domain: string | null;
  publicSuffix: string | null;
  /** Labels left of `domain`, as sent (case and escapes preserved). */
  subdomainLabels: string[];
  isIp: boolean;
}

/** Labels tldts can judge; a label with escapes or other bytes stops the suffix walk. */
const HOSTNAME_LABEL = /^[A-Za-z0-9_-]+$/;

/**
 * `name` is a rendered name (dns-decode's form). With `partial`, the capture ended inside
 * the name, so its right end (the suffix) is missing: every label read is subdomain data.
 */
export function splitName(name: string, opts: { partial?: boolean } = {}): NameSplit {
  const labels = splitRenderedName(name);
  if (opts.partial === true) return { domain: null, publicSuffix: null, subdomainLabels: labels, isIp: false };

  let tailStart = labels.length;
  while (tailStart > 0 && HOSTNAME_LABEL.test(labels[tailStart - 1] as string)) tailStart--;
  const tail = labels.slice(tailStart);
  if (tail.length === 0) return { domain: null, publicSuffix: null, subdomainLabels: [], isIp: false };

  // No hostname validation: a label starting or ending with '-' (`-<data>.attacker.example`)
  // must not make the whole name domain-less, which would keep it from being judged at all.
  // The tail holds only letters, digits, '_' and '-' already.
  const parsed = parse(tail.join('.').toLowerCase(), { allowPrivateDomains: true, validateHostname: false });
  if (parsed.isIp === true) return { domain: null, publicSuffix: null, subdomainLabels: [], isIp: true };
  const publicSuffix = parsed.publicSuffix;

  if (parsed.domain !== null) {
    const domainLabels = parsed.domain.split('.').length;
    return { domain: parsed.domain, publicSuffix, subdomainLabels: labels.slice(0, labels.length - domainLabels), isIp: false };
  }
  // The label just left of a suffix is the registrable one even if it holds odd bytes
  // (`\000x.com` is a domain under com): build the domain from it ourselves.
  if (publicSuffix !== null && publicSuffix.split('.').length === tail.length && tailStart > 0) {
    const owner = (labels[tailStart - 1] as string).toLowerCase();
    return { domain: `${owner}.${publicSuffix}`, publicSuffix, subdomainLabels: labels.slice(0, tailStart - 1), isIp: false };
  }
  return { domain: null, publicSuffix, subdomainLabels: [], isIp: false };
}
