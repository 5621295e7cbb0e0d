// An nftables ruleset that lets the build's sockets reach only the baseline's (address,
// protocol, port) triples: everything else is logged (audit) or logged and rejected (enforce).
// The build is told apart by socket owner uid and/or cgroup v2; without either there is no policy.

import type { PolicyBaseline } from './policy-baseline.js';
import { PolicyError } from './policy-error.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy, type Destination } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { pipelineSlug } from './policy-text.js';

function set(name: string, type: string, dests: readonly Destination[]): string[] {
  const out = [`  set ${name} {`, `    type ${type}`];
  if (dests.length) {
    out.push('    elements = {', ...dests.map((d, i) => `      ${d.address} . ${d.protocol} . ${d.port}${i < dests.length - 1 ? ',' : ''}`), '    }');
  }
  return [...out, '  }'];
}

export function toNftables(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const { target, mode } = p.opts;
  const match: string[] = [];
  if (target.uid !== undefined) match.push(`meta skuid ${target.uid}`);
  if (target.cgroupPath !== undefined) match.push(`socket cgroupv2 level ${target.cgroupLevel} "${target.cgroupPath}"`);
  if (match.length === 0) {
    throw new PolicyError('missing_target', 'an nftables policy needs target.uid and/or target.cgroupPath: unscoped, it would police every socket on the host');
  }
  const table = `telltale_${pipelineSlug(p.pipeline, '_', 24)}`;
  const header = policyHeader(p, 'telltale egress policy for nftables', [
    `Scope: sockets ${[target.uid !== undefined && `owned by uid ${target.uid}`, target.cgroupPath !== undefined && `in cgroup v2 "${target.cgroupPath}"`].filter(Boolean).join(' and ')}, in this network namespace's output hook. A build in its own network namespace (a container) is not seen here. The cgroup is resolved when the ruleset is loaded: load it after the cgroup exists, and again if it is recreated.`,
    'Exact (address, protocol, port) triples. Loopback and packets of connections already allowed pass. Names are not seen here: the unbound or dnsmasq policy polices them.',
    mode === 'enforce'
      ? 'Enforce: anything else is logged (prefix "telltale-deny ", at most 10/s) and rejected: TCP with a reset (connect() fails with ECONNREFUSED), the rest with ICMP admin-prohibited (send() fails with EPERM).'
      : 'Audit: anything else is logged (prefix "telltale-audit ", at most 10/s), counted and let through.',
    `Load (and reload) with: nft -f FILE. Remove with: nft delete table inet ${table}`,
  ]);
  const out = [...header,
    '# (re)load: create the table if missing, drop it, then define it afresh',
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...set('allowed_v4', 'ipv4_addr . inet_proto . inet_service', p.destinations.filter((d) => d.family === 4)),
    '',
    ...set('allowed_v6', 'ipv6_addr . inet_proto . inet_service', p.destinations.filter((d) => d.family === 6)),
    '',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    `    ${match.join(' ')} jump build`,
    '  }',
    '',
    '  chain build {',
    '    oif "lo" accept',
    '    ct state established,related accept',
    '    ip daddr . meta l4proto . th dport @allowed_v4 accept',
    '    ip6 daddr . meta l4proto . th dport @allowed_v6 accept',
    ...(mode === 'enforce'
      // A TCP reset fails connect() at once (ECONNREFUSED); an ICMP error would not abort a SYN
      // the host sent itself. Other protocols' packets are dropped here, so send() gets EPERM.
      ? ['    limit rate 10/second burst 50 packets log prefix "telltale-deny " level warn', '    meta l4proto tcp counter reject with tcp reset', '    counter reject with icmpx admin-prohibited']
      : ['    limit rate 10/second burst 50 packets log prefix "telltale-audit " level warn', '    counter accept']),
    '  }',
    '}',
  ];
  return `${out.join('\n')}\n`;
}
