import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PolicyBaseline } from './policy-baseline.js';
import { PolicyError } from './policy-error.js';
import { toTetragon } from './tetragon-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
const pods = { podSelector: { app: 'build' } };

interface Selector { matchArgs?: Array<{ index: number; operator: string; values: string[] }>; matchActions: Array<{ action: string; argError?: number }> }
interface Kprobe { call: string; selectors: Selector[] }
const kprobes = (text: string) => (parse(text) as { spec: { kprobes: Kprobe[] } }).spec.kprobes;
const probe = (text: string, call: string) => kprobes(text).find((k) => k.call === call)!;

describe('toTetragon', () => {
  it('reports (audit) connects outside the baseline on the selected pods', () => {
    const doc = parse(toTetragon(ready, { target: pods })) as Record<string, any>;
    expect(doc.kind).toBe('TracingPolicy');
    expect(doc.spec.podSelector).toEqual({ matchLabels: { app: 'build' } });
    const tcp = probe(toTetragon(ready, { target: pods }), 'tcp_connect');
    expect(tcp.selectors.at(-1)).toEqual({ matchActions: [{ action: 'Post' }] });
    expect(tcp.selectors.slice(0, -1).every((s) => s.matchActions[0]!.action === 'NoPost')).toBe(true);
  });

  it('matches each allowed port with exactly its addresses, IPv4 also as IPv4-mapped', () => {
    const tcp = probe(toTetragon(ready, { target: pods }), 'tcp_connect');
    const port443 = tcp.selectors.find((s) => s.matchArgs?.some((a) => a.operator === 'DPort' && a.values.includes('443')))!;
    expect(port443.matchArgs!.find((a) => a.operator === 'DPort')!.values).toEqual(['443']);
    expect(port443.matchArgs!.find((a) => a.operator === 'DAddr')!.values).toEqual([
      '140.82.112.3/32', '::ffff:140.82.112.3/128', '151.101.1.137/32', '::ffff:151.101.1.137/128', '2606:50c0:8000::154/128',
    ]);
  });

  it('stays within 5 selectors per hook by merging the smallest groups, and says so', () => {
    const text = toTetragon(ready, { target: pods });
    for (const k of kprobes(text)) expect(k.selectors.length).toBeLessThanOrEqual(5);
    expect(text).toContain('# LOOSE: any of these 2 address(es) on any of ports 3128, 8080');
    const few = toTetragon({ ...ready, destinations: ready.destinations.filter((d) => d.port === 443) }, { target: pods });
    expect(few).not.toContain('# LOOSE:');
  });

  it('polices UDP at security_socket_connect with SAddr/SPort on the sockaddr', () => {
    const udp = probe(toTetragon(ready, { target: pods, mode: 'enforce' }), 'security_socket_connect');
    for (const s of udp.selectors) expect(s.matchArgs![0]).toEqual({ index: 0, operator: 'Protocol', values: ['IPPROTO_UDP'] });
    const dns = udp.selectors.find((s) => s.matchArgs!.some((a) => a.operator === 'SPort'))!;
    expect(dns.matchArgs!.find((a) => a.operator === 'SAddr')!.values).toEqual(['9.9.9.9/32', '::ffff:9.9.9.9/128', '2620:fe::fe/128']);
    expect(udp.selectors.at(-1)!.matchActions).toEqual([{ action: 'Override', argError: -1 }]);
    expect(udp.selectors.at(-1)!.matchArgs![1]).toEqual({ index: 1, operator: 'Family', values: ['AF_INET', 'AF_INET6'] });
  });

  it('kills on TCP when enforcing', () => {
    expect(probe(toTetragon(ready, { target: pods, mode: 'enforce' }), 'tcp_connect').selectors.at(-1)!.matchActions).toEqual([{ action: 'Sigkill' }]);
  });

  it('refuses to enforce without a pod scope; audits the node with a comment', () => {
    expect(() => toTetragon(ready, { mode: 'enforce' })).toThrow(PolicyError);
    expect(() => toTetragon(ready, { mode: 'enforce', target: { uid: 1000 } })).toThrow(/podSelector/);
    expect(toTetragon(ready)).toContain('# Scope: NONE.');
  });

  it('is namespaced when a namespace is given', () => {
    const doc = parse(toTetragon(ready, { target: { namespace: 'ci', ...pods }, mode: 'enforce' })) as Record<string, any>;
    expect(doc.kind).toBe('TracingPolicyNamespaced');
    expect(doc.metadata.namespace).toBe('ci');
    expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('reports everything but loopback when the baseline has no destinations', () => {
    const tcp = probe(toTetragon({ ...ready, destinations: [] }, { target: pods }), 'tcp_connect');
    expect(tcp.selectors).toHaveLength(2);
  });
});
