// An unbound.conf that resolves only the baseline's names and domains (forwarding them) and
// answers every other name NXDOMAIN (enforce) or resolves and logs it (audit). A whole file,
// so `unbound-checkconf FILE` can check it without the system's configuration.

import type { PolicyBaseline } from './policy-baseline.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { anyLoopback, resolverUpstreams } from './resolver-upstream.js';
import { isUnder } from '../baseline-entries.js';

/** Zones unbound answers itself by default (localhost and the loopback reverse zones). */
const UNBOUND_OWN_ZONES = ['localhost', '127.in-addr.arpa', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa'];

export function toUnbound(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const up = resolverUpstreams(p);
  const { listen, mode } = p.opts;
  const loopbackListen = listen.family === 4 ? listen.address.startsWith('127.') : listen.address === '::1';
  const header = policyHeader(p, 'telltale DNS policy for unbound (a complete unbound.conf)', [
    `Allowed names are forwarded to ${up.endpoints.map((e) => `${e.address}@${e.port}`).join(', ')}: ${up.source}.`,
    'Local zones cover subtrees, and unbound has no way (without a zone file) to allow a name but not its subnames: an exact name\'s subnames (x.<name>) resolve too. Use the dnsmasq policy where that matters; it is exact.',
    mode === 'enforce'
      ? 'Enforce: every other name is answered NXDOMAIN (local-zone "." always_nxdomain) and logged.'
      : 'Audit: every other name is resolved as usual and logged as "inform" (local-zone "." inform); nothing is refused.',
    'It runs as the user that starts it, without chroot (username "", chroot ""), so it can be checked and run anywhere; set username: unbound to drop root after binding.',
  ]);
  const out = [...header, 'server:',
    '  chroot: ""', '  username: ""', '  directory: "/"', '  pidfile: ""',
    `  interface: ${listen.address}`, `  port: ${listen.port}`,
  ];
  if (!loopbackListen) out.push('  # unbound answers only localhost by default: add access-control lines for the build\'s network');
  if (anyLoopback(up)) out.push('  # an upstream is on loopback', '  do-not-query-localhost: no');
  out.push(
    '  verbosity: 1', '  log-queries: yes', '  log-replies: yes', '  log-local-actions: yes', '  log-servfail: yes',
    '  # every name outside the baseline',
    `  local-zone: "." ${mode === 'enforce' ? 'always_nxdomain' : 'inform'}`,
  );
  if (p.domains.length) out.push('  # allowed domains: the domain and all its subnames', ...p.domains.map((d) => `  local-zone: "${d}." transparent`));
  // Names unbound answers itself (localhost, its reverse zones) keep its own zones: a transparent zone would send them upstream.
  const names = p.names.filter((n) => !UNBOUND_OWN_ZONES.some((z) => isUnder(n, z)));
  if (names.length) out.push('  # exact names (their subnames pass too, see above)', ...names.map((n) => `  local-zone: "${n}." transparent`));
  out.push('', 'forward-zone:', '  name: "."', ...up.endpoints.map((e) => `  forward-addr: ${e.address}@${e.port}`));
  return `${out.join('\n')}\n`;
}
