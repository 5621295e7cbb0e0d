// A build reaching a public DNS-over-HTTPS/TLS resolver: DNS sent there is encrypted and
// bypasses the host resolver we watch, so exfiltration through it would be invisible.
// A build has no reason to resolve names that way; the default lists are the resolvers
// browsers and the DNS privacy project list publicly.

import type { Detector, Finding, Observation } from '../observation.js';
import { canonicalIp } from '../ip-text.js';
import { addressList, compileSpec, hostList, portList } from './spec-check.js';

export interface DohEndpointSpec {
  /** Host names (and their subdomains) that serve DoH/DoT, added to the built-in list. */
  extraHosts: readonly string[];
  /** Resolver addresses, added to the built-in list. */
  extraAddresses: readonly string[];
  /** Ports a connect to a resolver address must use to count: HTTPS and DNS over TLS. */
  ports: readonly number[];
}

export const DOH_HOSTS: readonly string[] = [
  'dns.google', 'dns.google.com', 'cloudflare-dns.com', 'one.one.one.one', 'dns.quad9.net', 'dns9.quad9.net',
  'dns10.quad9.net', 'dns11.quad9.net', 'doh.opendns.com', 'dns.opendns.com', 'dns.adguard-dns.com', 'dns.adguard.com',
  'dns.nextdns.io', 'doh.cleanbrowsing.org', 'doh.mullvad.net', 'dns.mullvad.net', 'doh.dns.sb', 'dns.alidns.com',
  'doh.pub', 'dns.controld.com', 'freedns.controld.com', 'dns0.eu', 'doh.libredns.gr', 'dns.switch.ch',
];

export const DOH_ADDRESSES: readonly string[] = [
  '1.1.1.1', '1.0.0.1', '1.1.1.2', '1.0.0.2', '1.1.1.3', '1.0.0.3', '8.8.8.8', '8.8.4.4', '9.9.9.9', '149.112.112.112',
  '9.9.9.10', '9.9.9.11', '208.67.222.222', '208.67.220.220', '94.140.14.14', '94.140.15.15', '185.228.168.168',
  '185.228.169.168', '45.90.28.0', '45.90.30.0', '194.242.2.2', '76.76.2.0', '76.76.10.0',
  '2606:4700:4700::1111', '2606:4700:4700::1001', '2001:4860:4860::8888', '2001:4860:4860::8844', '2620:fe::fe',
  '2620:fe::9', '2620:119:35::35', '2620:119:53::53', '2a10:50c0::ad1:ff', '2a10:50c0::ad2:ff', '2a07:a8c0::', '2a07:a8c1::',
];

export const DOH_ENDPOINT_DEFAULTS: DohEndpointSpec = { extraHosts: [], extraAddresses: [], ports: [443, 853] };

export type DohEndpointDetector = Detector<null> & { readonly spec: Readonly<DohEndpointSpec> };

export function compileDohEndpoint(spec: Partial<DohEndpointSpec> = {}): DohEndpointDetector {
  const s = compileSpec('doh_endpoint', DOH_ENDPOINT_DEFAULTS, spec, { extraHosts: hostList, extraAddresses: addressList, ports: portList });
  const hosts = new Set([...DOH_HOSTS, ...s.extraHosts]);
  const addresses = new Set([...DOH_ADDRESSES.map((a) => canonicalIp(a) ?? a), ...s.extraAddresses]);
  const ports = new Set(s.ports);

  /** The listed host `name` is, or is under (NextDNS and Cloudflare serve per-user subdomains). */
  function matchHost(name: string): string | null {
    const labels = name.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const candidate = labels.slice(i).join('.');
      if (hosts.has(candidate)) return candidate;
    }
    return null;
  }

  function report(o: Observation, matched: string, via: 'dns_query' | 'connect', extra: Record<string, unknown>): Finding {
    return {
      kind: 'doh_endpoint', severity: 'high', dedupeKey: `doh_endpoint:${o.buildId}:${matched}`,
      buildId: o.buildId, pid: o.process.pid, qname: o.kind === 'dns_query' ? o.qname : null,
      domain: o.kind === 'dns_query' ? o.domain : null, address: o.kind === 'connect' ? (extra.address as string) : null,
      evidence: { via, matched, exe: o.process.exe, ...extra },
    };
  }

  return {
    kind: 'doh_endpoint',
    spec: s,
    init: () => null,
    step(state: null, o: Observation) {
      if (o.kind === 'dns_query' && !o.partial) {
        const matched = matchHost(o.qname);
        if (matched !== null) return { state, findings: [report(o, matched, 'dns_query', { qname: o.qname, qtype: o.qtype })] };
      }
      if (o.kind === 'connect' && ports.has(o.port)) {
        const address = canonicalIp(o.address);
        if (address !== null && addresses.has(address)) {
          return { state, findings: [report(o, address, 'connect', { address, port: o.port, protocol: o.protocol })] };
        }
      }
      return { state, findings: [] };
    },
  };
}
