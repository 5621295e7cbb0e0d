import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PolicyBaseline } from './policy-baseline.js';
import { PolicyError } from './policy-error.js';
import { toUnbound } from './unbound-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
const body = (text: string) => text.split('\n').filter((l) => l && !l.trimStart().startsWith('#'));

describe('toUnbound', () => {
  it('answers NXDOMAIN for everything but the baseline when enforcing', () => {
    const lines = body(toUnbound(ready, { mode: 'enforce' }));
    expect(lines).toContain('  local-zone: "." always_nxdomain');
    expect(lines.filter((l) => l.includes('transparent'))).toEqual([
      '  local-zone: "example.org." transparent',
      '  local-zone: "_http._tcp.deps.example.net." transparent',
      '  local-zone: "codeload.github.com." transparent',
      '  local-zone: "github.com." transparent',
      '  local-zone: "index.crates.io." transparent',
      '  local-zone: "static.crates.io." transparent',
    ]);
    expect(lines).toEqual(expect.arrayContaining(['  log-queries: yes', '  log-replies: yes', '  log-local-actions: yes']));
  });

  it('resolves and logs ("inform") the rest in audit', () => {
    expect(body(toUnbound(ready))).toContain('  local-zone: "." inform');
  });

  it('forwards to the baseline\'s resolvers unless told otherwise', () => {
    expect(body(toUnbound(ready)).filter((l) => l.includes('forward-addr'))).toEqual(['  forward-addr: 9.9.9.9@53', '  forward-addr: 2620:fe::fe@53']);
    const mine = body(toUnbound(ready, { upstream: ['127.0.0.1#5353', '[::1]:5300'], listen: { address: '127.0.0.1', port: 5399 } }));
    expect(mine.filter((l) => /forward-addr|do-not-query|port:|interface:/.test(l))).toEqual([
      '  interface: 127.0.0.1', '  port: 5399', '  do-not-query-localhost: no', '  forward-addr: 127.0.0.1@5353', '  forward-addr: ::1@5300',
    ]);
  });

  it('needs an upstream, and refuses one that is itself', () => {
    const noDns = { ...ready, destinations: ready.destinations.filter((d) => d.port !== 53) };
    expect(() => toUnbound(noDns)).toThrow(expect.objectContaining({ code: 'missing_upstream' }) as PolicyError);
    expect(() => toUnbound(ready, { upstream: ['127.0.0.1'] })).toThrow(expect.objectContaining({ code: 'invalid_option' }) as PolicyError);
  });

  it('states that exact names cover their subnames here', () => {
    expect(toUnbound(ready)).toContain('an exact name\'s subnames (x.<name>) resolve too');
  });

  it('leaves localhost to unbound\'s own zone rather than sending it upstream', () => {
    const text = toUnbound({ ...ready, names: [...ready.names, 'localhost'] }, { upstream: ['192.0.2.53'] });
    expect(text).not.toContain('local-zone: "localhost." transparent');
  });
});
