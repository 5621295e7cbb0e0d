import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PolicyBaseline } from './policy-baseline.js';
import { toNftables } from './nftables-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
const body = (text: string) => text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#')).map((l) => l.trim());

describe('toNftables', () => {
  it('needs a target', () => {
    expect(() => toNftables(ready)).toThrow(expect.objectContaining({ code: 'missing_target' }) as Error);
    expect(() => toNftables(ready, { target: { podSelector: { app: 'x' } } })).toThrow(expect.objectContaining({ code: 'missing_target' }) as Error);
  });

  it('sends the build\'s sockets (uid and/or cgroup) to its own chain', () => {
    expect(body(toNftables(ready, { target: { uid: 1001 } }))).toContain('meta skuid 1001 jump build');
    expect(body(toNftables(ready, { target: { cgroupPath: '/system.slice/ci-runner.service' } })))
      .toContain('socket cgroupv2 level 2 "system.slice/ci-runner.service" jump build');
    expect(body(toNftables(ready, { target: { uid: 0, cgroupPath: 'ci' } }))).toContain('meta skuid 0 socket cgroupv2 level 1 "ci" jump build');
  });

  it('puts exact (address, protocol, port) triples in the sets', () => {
    const lines = body(toNftables(ready, { target: { uid: 1001 } }));
    const v4 = lines.slice(lines.indexOf('set allowed_v4 {'), lines.indexOf('set allowed_v6 {'));
    expect(v4.filter((l) => /^\d/.test(l))).toEqual([
      '9.9.9.9 . udp . 53,', '10.0.0.5 . tcp . 8080,', '10.0.0.6 . tcp . 3128,', '10.0.0.7 . tcp . 22,', '140.82.112.3 . tcp . 443,', '151.101.1.137 . tcp . 443',
    ]);
    expect(lines).toContain('2606:50c0:8000::154 . tcp . 443,');
    expect(lines).toContain('2620:fe::fe . udp . 53');
  });

  it('logs and accepts in audit, logs and rejects in enforce', () => {
    const audit = body(toNftables(ready, { target: { uid: 1001 } }));
    expect(audit.slice(-4, -2)).toEqual(['limit rate 10/second burst 50 packets log prefix "telltale-audit " level warn', 'counter accept']);
    const enforce = body(toNftables(ready, { target: { uid: 1001 }, mode: 'enforce' }));
    expect(enforce.slice(-5, -2)).toEqual([
      'limit rate 10/second burst 50 packets log prefix "telltale-deny " level warn',
      'meta l4proto tcp counter reject with tcp reset',
      'counter reject with icmpx admin-prohibited',
    ]);
  });

  it('names the table after a sanitised pipeline', () => {
    const lines = body(toNftables({ ...ready, pipeline: 'evil"; flush ruleset; "' }, { target: { uid: 1 } }));
    const table = lines.find((l) => l.startsWith('table inet') && l.endsWith('{'))!;
    expect(table).toMatch(/^table inet telltale_evil_flush_ruleset_[0-9a-f]{8} \{$/);
    expect(toNftables({ ...ready, pipeline: 'evil"; flush ruleset; "' }, { target: { uid: 1 } })).toContain('# pipeline: "evil\\"; flush ruleset; \\""');
  });

  it('leaves an empty set without elements', () => {
    const lines = body(toNftables({ ...ready, destinations: [] }, { target: { uid: 1 } }));
    expect(lines.some((l) => l.startsWith('elements'))).toBe(false);
  });
});
