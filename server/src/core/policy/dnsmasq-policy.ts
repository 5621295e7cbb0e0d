// A dnsmasq config that forwards only the baseline's names and domains and answers every
// other name NXDOMAIN (enforce), or forwards everything and logs it (audit). Exact names are
// exact: `server=/*.name/` with no server makes their subnames local, hence NXDOMAIN.

import type { PolicyBaseline } from './policy-baseline.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { resolverUpstreams } from './resolver-upstream.js';

export function toDnsmasq(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const up = resolverUpstreams(p);
  const { listen, mode } = p.opts;
  const servers = up.endpoints.map((e) => `${e.address}#${e.port}`);
  const header = policyHeader(p, 'telltale DNS policy for dnsmasq (a complete dnsmasq.conf)', [
    `Allowed names are forwarded to ${servers.join(', ')}: ${up.source}.`,
    'Exact names are exact: their subnames get NXDOMAIN (server=/*.name/). Allowed domains cover every subname.',
    mode === 'enforce'
      ? 'Enforce: every other name is answered NXDOMAIN (address=/#/), logged by log-queries as "config <name> is NXDOMAIN".'
      : 'Audit: every name is forwarded and logged by log-queries; dnsmasq logs allowed and other names alike, so compare the log with the lists below (telltale does).',
    'Names in /etc/hosts are still answered from it (they never leave the host); add no-hosts to refuse them too.',
  ]);
  const out = [...header, 'no-resolv', `listen-address=${listen.address}`, 'bind-interfaces', `port=${listen.port}`, 'log-queries'];
  if (p.domains.length) {
    out.push('', '# allowed domains: the domain and all its subnames', ...p.domains.flatMap((d) => servers.map((s) => `server=/${d}/${s}`)));
  }
  if (p.names.length) {
    out.push('', '# exact names', ...p.names.flatMap((n) => [...servers.map((s) => `server=/${n}/${s}`), ...(mode === 'enforce' ? [`server=/*.${n}/`] : [])]));
  }
  out.push('');
  if (mode === 'enforce') out.push('# everything else: NXDOMAIN', 'address=/#/');
  else out.push('# everything else: forwarded too (audit)', ...servers.map((s) => `server=${s}`));
  return `${out.join('\n')}\n`;
}
