// A Tetragon TracingPolicy that reports (audit) or stops (enforce) connects from the build's
// pods to any destination outside the baseline. Hooks as in deploy/tetragon/telltale-connect.yaml:
// tcp_connect for TCP, security_socket_connect (socket + sockaddr) for UDP.

import type { PolicyBaseline } from './policy-baseline.js';
import { fitGroups, groupByPort, type PortGroup } from './destination-groups.js';
import { PolicyError } from './policy-error.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy, type Destination } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { pipelineSlug, yamlFlow, yamlScalar } from './policy-text.js';

/** Tetragon allows 5 selectors per hook: loopback, 3 allowed groups, the catch-all. */
const MAX_GROUPS = 3;
const LOOPBACK = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'];

/** /32 or /128; an IPv4 address also as its IPv4-mapped IPv6 form, which a dual-stack socket uses. */
function cidrs(addresses: readonly Destination[]): string[] {
  return addresses.flatMap((d) => (d.family === 4 ? [`${d.address}/32`, `::ffff:${d.address}/128`] : [`${d.address}/128`]));
}

interface Hook {
  addrOp: 'DAddr' | 'SAddr';
  portOp: 'DPort' | 'SPort';
  /** Index of the argument the address and port are read from. */
  addrIndex: number;
  /** matchArgs lines every selector of the hook carries (UDP: the protocol). */
  common: string[];
}

function matchArg(index: number, operator: string, values: readonly string[]): string[] {
  return [`    - index: ${index}`, `      operator: ${operator}`, `      values: ${yamlFlow(values)}`];
}

function selectors(hook: Hook, groups: readonly PortGroup[], finalActions: string[], finalFilters: string[]): string[] {
  const out = ['  # Selectors are tried in order and the first that matches decides.', '  selectors:'];
  const open = (filters: string[]) => ['  - matchArgs:', ...filters];
  out.push('  # loopback is not egress', ...open([...hook.common, ...matchArg(hook.addrIndex, hook.addrOp, LOOPBACK)]), '    matchActions:', '    - action: NoPost');
  for (const g of groups) {
    out.push(g.loose
      ? `  # LOOSE: any of these ${g.addresses.length} address(es) on any of ports ${g.ports.join(', ')} (merged: Tetragon allows 5 selectors per hook)`
      : `  # allowed: port(s) ${g.ports.join(', ')} on ${g.addresses.length} address(es)`);
    out.push(...open([...hook.common, ...matchArg(hook.addrIndex, hook.portOp, g.ports.map(String)), ...matchArg(hook.addrIndex, hook.addrOp, cidrs(g.addresses))]));
    out.push('    matchActions:', '    - action: NoPost');
  }
  const filters = [...hook.common, ...finalFilters];
  out.push('  # anything else', ...(filters.length ? [...open(filters), '    matchActions:'] : ['  - matchActions:']), ...finalActions);
  return out;
}

export function toTetragon(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const { mode, target } = p.opts;
  if (mode === 'enforce' && !target.podSelector && !target.namespace) {
    throw new PolicyError('missing_target', 'an enforcing Tetragon policy needs target.podSelector or target.namespace: unscoped, it would kill processes anywhere on the node');
  }
  const tcp = fitGroups(groupByPort(p.destinations.filter((d) => d.protocol === 'tcp')), MAX_GROUPS);
  const udp = fitGroups(groupByPort(p.destinations.filter((d) => d.protocol === 'udp')), MAX_GROUPS);
  const loose = [...tcp, ...udp].some((g) => g.loose);
  const scope = target.podSelector || target.namespace
    ? `Scope: ${target.namespace ? `pods in namespace ${target.namespace}` : 'pods in every namespace'}${target.podSelector ? ' matching spec.podSelector' : ''}. target.uid and target.cgroupPath are not used (Tetragon selects pods, not uids or cgroups).`
    : 'Scope: NONE. No target.podSelector or target.namespace was given, so this audit policy reports connects of every process on the node.';
  const header = policyHeader(p, 'telltale egress policy for Tetragon (TracingPolicy)', [
    scope,
    'Matches destinations, not names: a name outside the baseline that resolves to an allowed address passes. DNS names are policed by the unbound or dnsmasq policy.',
    `Exact (address, port) pairs where each hook needs at most ${MAX_GROUPS} groups of ports sharing the same addresses; beyond that the smaller groups are merged into one cross product, marked LOOSE below.${loose ? ' This policy has such a merge.' : ''}`,
    'UDP is seen at connect(): datagrams sent with sendto() on an unconnected socket are not matched. Needs Tetragon v1.4.0+ (socket and sockaddr arguments).',
    mode === 'enforce'
      ? 'Enforce: TCP connects outside the baseline get Sigkill (tcp_connect cannot be overridden, so the SYN still leaves; no data follows); UDP connects get Override -1 (EPERM from connect(), kernel 5.7+ with CONFIG_BPF_KPROBE_OVERRIDE). Load it in audit mode first.'
      : 'Audit: connects outside the baseline are posted as events; nothing is stopped.',
  ]);

  const kind = target.namespace ? 'TracingPolicyNamespaced' : 'TracingPolicy';
  const out = [...header, 'apiVersion: cilium.io/v1alpha1', `kind: ${kind}`, 'metadata:', `  name: ${pipelineSlug(`telltale-egress-${p.pipeline}`, '-', 200)}`];
  if (target.namespace) out.push(`  namespace: ${target.namespace}`);
  out.push('  labels:', '    app.kubernetes.io/managed-by: telltale', 'spec:');
  if (target.podSelector) {
    out.push('  podSelector:', '    matchLabels:', ...target.podSelector.map(([k, v]) => `      ${yamlScalar(k)}: ${JSON.stringify(v)}`));
  }
  const tcpFinal = mode === 'enforce' ? ['    - action: Sigkill'] : ['    - action: Post'];
  const udpFinal = mode === 'enforce' ? ['    - action: Override', '      argError: -1'] : ['    - action: Post'];
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
  out.push('  kprobes:');
  out.push(...indent([
    '# TCP: the SYN is about to leave, daddr/dport are set',
    '- call: tcp_connect', '  syscall: false', '  args:', '  - index: 0', '    type: sock', '    label: sock',
    ...selectors({ addrOp: 'DAddr', portOp: 'DPort', addrIndex: 0, common: [] }, tcp, tcpFinal, []),
    '# UDP: connect() names the peer in the sockaddr, which Tetragon matches with SAddr/SPort',
    '- call: security_socket_connect', '  syscall: false', '  args:', '  - index: 0', '    type: socket', '    label: sock',
    '  - index: 1', '    type: sockaddr', '    label: address',
    ...selectors({ addrOp: 'SAddr', portOp: 'SPort', addrIndex: 1, common: matchArg(0, 'Protocol', ['IPPROTO_UDP']) }, udp, udpFinal,
      // AF_UNSPEC connect() dissolves a UDP association; it goes nowhere.
      matchArg(1, 'Family', ['AF_INET', 'AF_INET6'])),
  ]));
  return `${out.join('\n')}\n`;
}
