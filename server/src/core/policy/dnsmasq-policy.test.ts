import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PolicyBaseline } from './policy-baseline.js';
import { toDnsmasq } from './dnsmasq-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
const body = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('toDnsmasq', () => {
  it('forwards exact names exactly, domains whole, and NXDOMAINs the rest when enforcing', () => {
    const lines = body(toDnsmasq(ready, { mode: 'enforce', upstream: ['192.0.2.53'] }));
    expect(lines).toEqual([
      'no-resolv', 'listen-address=127.0.0.1', 'bind-interfaces', 'port=53', 'log-queries',
      'server=/example.org/192.0.2.53#53',
      'server=/_http._tcp.deps.example.net/192.0.2.53#53', 'server=/*._http._tcp.deps.example.net/',
      'server=/codeload.github.com/192.0.2.53#53', 'server=/*.codeload.github.com/',
      'server=/github.com/192.0.2.53#53', 'server=/*.github.com/',
      'server=/index.crates.io/192.0.2.53#53', 'server=/*.index.crates.io/',
      'server=/static.crates.io/192.0.2.53#53', 'server=/*.static.crates.io/',
      'address=/#/',
    ]);
  });

  it('forwards everything in audit', () => {
    const lines = body(toDnsmasq(ready));
    expect(lines).not.toContain('address=/#/');
    expect(lines.some((l) => l.startsWith('server=/*.'))).toBe(false);
    expect(lines.slice(-2)).toEqual(['server=9.9.9.9#53', 'server=2620:fe::fe#53']);
  });

  it('refuses everything when the baseline allows no name', () => {
    const lines = body(toDnsmasq({ ...ready, names: [], domains: [] }, { mode: 'enforce' }));
    expect(lines.filter((l) => l.startsWith('server='))).toEqual([]);
    expect(lines.at(-1)).toBe('address=/#/');
    expect(toDnsmasq({ ...ready, names: [], domains: [], destinations: [] }, { mode: 'enforce', upstream: ['192.0.2.53'] }))
      .toContain('# this policy allows nothing');
  });
});
