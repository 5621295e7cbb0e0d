// Falco rules that report the build's connects and datagrams to destinations outside the
// baseline. Falco observes, it cannot block: enforce only raises the priority to CRITICAL.
// Conditions follow deploy/falco/telltale_rules.yaml (Falco >= 0.42, exit events only).

import type { PolicyBaseline } from './policy-baseline.js';
import { groupByPort } from './destination-groups.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy, type PreparedPolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { pipelineSlug, yamlFlow } from './policy-text.js';

function scopeCondition(p: PreparedPolicy): string | null {
  const t = p.opts.target;
  const parts: string[] = [];
  if (t.uid !== undefined) parts.push(`user.uid = ${t.uid}`);
  if (t.namespace) parts.push(`k8s.ns.name = ${JSON.stringify(t.namespace)}`);
  for (const [k, v] of t.podSelector ?? []) parts.push(`k8s.pod.label[${k}] = ${JSON.stringify(v)}`);
  return parts.length ? `(${parts.join(' and ')})` : null;
}

/** `- key: value` blocks; a condition is written as a folded scalar, one clause a line. */
function item(kind: string, name: string, fields: ReadonlyArray<readonly [string, string | string[]]>): string[] {
  const out = [`- ${kind}: ${name}`];
  for (const [k, v] of fields) {
    if (typeof v === 'string') out.push(`  ${k}: ${v}`);
    else out.push(`  ${k}: >-`, ...v.map((l) => `    ${l}`));
  }
  return [...out, ''];
}

export function toFalco(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const id = `telltale_${pipelineSlug(p.pipeline, '_', 24)}`;
  const label = id.replace(/_/g, ' ');
  const scope = scopeCondition(p);
  const enforce = p.opts.mode === 'enforce';
  const header = policyHeader(p, 'telltale egress rules for Falco', [
    scope
      ? `Scope: the build's processes, by ${[p.opts.target.uid !== undefined && 'user.uid', p.opts.target.namespace && 'k8s.ns.name', p.opts.target.podSelector && 'k8s.pod.label'].filter(Boolean).join(', ')} (macro ${id}_build; k8s fields need Falco's container plugin). target.cgroupPath is not used.`
      : `Scope: NONE. No target.uid, target.namespace or target.podSelector was given, so macro ${id}_build matches every process on the host; override it to scope the rules.`,
    'Destinations are matched as exact (protocol, port, address) triples. Besides those, a connect is allowed when Falco\'s own DNS lookups of a listed name (fd.sip.name) return its address; subnames of an allowed domain cannot be listed that way, only the domain itself.',
    'Falco does not decode DNS payloads in rules, so the names a build asks for cannot be matched here: a DNS query to a resolver outside the baseline fires a rule, a query for a new name through an allowed resolver does not. The unbound or dnsmasq policy polices names.',
    enforce
      ? 'Enforce: priority CRITICAL and tag enforce. Falco cannot block anything; pair this with the nftables or Tetragon policy to refuse the traffic.'
      : 'Audit: priority WARNING; nothing is blocked (Falco cannot block).',
  ]);

  const out = [...header, '', '- required_engine_version: 0.57.0', ''];
  const allowedNames = [...p.names, ...p.domains].sort();
  if (allowedNames.length) {
    out.push('# exact names, and each allowed domain itself (not its subnames)', ...item('list', `${id}_names`, [['items', yamlFlow(allowedNames)]]));
  }
  const clauses: string[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const g of groupByPort(p.destinations.filter((d) => d.protocol === protocol))) {
      const list = `${id}_${protocol}_${g.ports[0]}`;
      out.push(...item('list', list, [['items', yamlFlow(g.addresses.map((d) => d.address))]]));
      const port = g.ports.length === 1 ? `fd.sport = ${g.ports[0]}` : `fd.sport in (${g.ports.join(', ')})`;
      clauses.push(`(fd.l4proto = ${protocol} and ${port} and fd.sip in (${list}))`);
    }
  }
  // (evt.num = 0) is Falco's stock never_true, (evt.num >= 0) its always_true.
  out.push(...item('macro', `${id}_allowed_destination`, [['condition', clauses.length ? clauses.map((c, i) => (i ? `or ${c}` : c)) : ['(evt.num = 0)']]]));
  if (allowedNames.length) out.push(...item('macro', `${id}_allowed_name`, [['condition', [`fd.sip.name in (${id}_names)`]]]));
  out.push(...item('macro', `${id}_build`, [['condition', [scope ?? '(evt.num >= 0)']]]));
  out.push(...item('macro', `${id}_outside_baseline`, [['condition', [
    '(fd.typechar = 4 or fd.typechar = 6)',
    `and ${id}_build`,
    'and not fd.snet in ("127.0.0.0/8", "::1/128")',
    `and not ${id}_allowed_destination`,
    ...(allowedNames.length ? [`and not ${id}_allowed_name`] : []),
  ]]]));

  const output = (what: string) => `${label} ${what} | pid=%proc.pid ppid=%proc.ppid cmd=%proc.cmdline uid=%user.uid sip=%fd.sip sport=%fd.sport proto=%fd.l4proto container=%container.id ns=%k8s.ns.name pod=%k8s.pod.name`;
  const common: Array<[string, string]> = [['priority', enforce ? 'CRITICAL' : 'WARNING'], ['tags', yamlFlow(['telltale', enforce ? 'enforce' : 'audit'])]];
  out.push(...item('rule', `${label} connect outside baseline`, [
    ['desc', ['A connect() of the build to a destination outside its baseline (succeeded or in progress).']],
    ['condition', ['evt.type = connect and (evt.rawres >= 0 or evt.res = EINPROGRESS)', `and ${id}_outside_baseline`]],
    ['output', [output('connect outside baseline')]],
    ...common,
  ]));
  out.push(...item('rule', `${label} datagram outside baseline`, [
    ['desc', ['The first datagram of the build to a new peer on an unconnected UDP socket (how most DNS', 'queries leave) outside its baseline.']],
    ['condition', [
      'evt.type in (sendto, sendmsg, sendmmsg) and evt.rawres >= 0',
      'and fd.l4proto = udp and fd.connected = false and fd.name_changed = true',
      `and ${id}_outside_baseline`,
    ]],
    ['output', [output('datagram outside baseline')]],
    ...common,
  ]));
  return `${out.join('\n').trimEnd()}\n`;
}
