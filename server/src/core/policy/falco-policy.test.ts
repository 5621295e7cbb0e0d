import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PolicyBaseline } from './policy-baseline.js';
import { toFalco } from './falco-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
type Item = Record<string, any>;
const items = (text: string) => parse(text) as Item[];
const find = (text: string, kind: string, suffix: string) => items(text).find((i) => typeof i[kind] === 'string' && i[kind].endsWith(suffix))!;

describe('toFalco', () => {
  it('allows exact (protocol, port, address) triples', () => {
    const text = toFalco(ready, { target: { uid: 1001 } });
    const macro = find(text, 'macro', '_allowed_destination');
    expect(macro.condition).toContain('(fd.l4proto = udp and fd.sport = 53 and fd.sip in (');
    const udp53 = find(text, 'list', '_udp_53');
    expect(udp53.items).toEqual(['9.9.9.9', '2620:fe::fe']);
    expect(find(text, 'list', '_tcp_443').items).toEqual(['140.82.112.3', '151.101.1.137', '2606:50c0:8000::154']);
  });

  it('lists exact names and allowed domains for fd.sip.name', () => {
    const text = toFalco(ready, { target: { uid: 1001 } });
    expect(find(text, 'list', '_names').items).toEqual(['_http._tcp.deps.example.net', 'codeload.github.com', 'example.org', 'github.com', 'index.crates.io', 'static.crates.io']);
    expect(find(text, 'macro', '_allowed_name').condition).toMatch(/^fd\.sip\.name in \(telltale_\w+_names\)$/);
  });

  it('scopes to the build by uid, namespace and pod labels', () => {
    const text = toFalco(ready, { target: { uid: 1001, namespace: 'ci', podSelector: { app: 'build', 'app.kubernetes.io/part-of': 'ci' } } });
    expect(find(text, 'macro', '_build').condition).toBe('(user.uid = 1001 and k8s.ns.name = "ci" and k8s.pod.label[app] = "build" and k8s.pod.label[app.kubernetes.io/part-of] = "ci")');
    expect(toFalco(ready)).toContain('# Scope: NONE.');
    expect(find(toFalco(ready), 'macro', '_build').condition).toBe('(evt.num >= 0)');
  });

  it('is WARNING in audit and CRITICAL with the enforce tag in enforce', () => {
    const audit = items(toFalco(ready)).filter((i) => i.rule);
    expect(audit.map((r) => [r.priority, r.tags])).toEqual([['WARNING', ['telltale', 'audit']], ['WARNING', ['telltale', 'audit']]]);
    const enforce = items(toFalco(ready, { mode: 'enforce' })).filter((i) => i.rule);
    expect(enforce.map((r) => [r.priority, r.tags])).toEqual([['CRITICAL', ['telltale', 'enforce']], ['CRITICAL', ['telltale', 'enforce']]]);
    expect(toFalco(ready, { mode: 'enforce' })).toContain('Falco cannot block');
  });

  it('allows nothing but loopback when the baseline is empty', () => {
    const text = toFalco({ ...ready, names: [], domains: [], destinations: [] });
    expect(find(text, 'macro', '_allowed_destination').condition).toBe('(evt.num = 0)');
    expect(items(text).some((i) => i.list || (i.macro && String(i.macro).endsWith('_allowed_name')))).toBe(false);
    expect(find(text, 'macro', '_outside_baseline').condition).not.toContain('_allowed_name');
  });
});
