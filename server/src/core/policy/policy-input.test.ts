import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PolicyBaseline } from './policy-baseline.js';
import { isPolicyError } from './policy-error.js';
import { normalDnsName, preparePolicy } from './policy-input.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;

function codeOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    if (isPolicyError(err)) return err.code;
    throw err;
  }
}

describe('normalDnsName', () => {
  it.each(['example.com', 'A-B.Example.COM', '_http._tcp.x.org', 'localhost', `${'a'.repeat(63)}.com`])('accepts %j', (n) => {
    expect(normalDnsName(n)).toBe(n.toLowerCase());
  });
  it.each([
    'a;b', '"quoted"', 'a\nb.com', 'a..b', '.a.com', 'a.com.', '', `${'a'.repeat(64)}.com`,
    `${'abcdefghi.'.repeat(25)}abcd`, 'a b.com', 'a/b', '*.example.com', 'xn--\u212a.com', '\u212aelvin.com', 'a.com\u2028', 42, null,
  ])('refuses %j', (n) => {
    expect(normalDnsName(n)).toBeNull();
  });
});

describe('preparePolicy', () => {
  it('de-duplicates, sorts and folds names under allowed domains', () => {
    const p = preparePolicy(ready, undefined);
    expect(p.names).toEqual(['_http._tcp.deps.example.net', 'codeload.github.com', 'github.com', 'index.crates.io', 'static.crates.io']);
    expect(p.domains).toEqual(['example.org']);
    expect(p.destinations.map((d) => `${d.protocol} ${d.address} ${d.port}`)).toEqual([
      'udp 9.9.9.9 53', 'tcp 10.0.0.5 8080', 'tcp 10.0.0.6 3128', 'tcp 10.0.0.7 22', 'tcp 140.82.112.3 443', 'tcp 151.101.1.137 443',
      'tcp 2606:50c0:8000::154 443', 'udp 2620:fe::fe 53',
    ]);
    expect(p.generatedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('writes addresses in canonical form', () => {
    const p = preparePolicy({ ...ready, destinations: [{ address: '2001:DB8:0:0:0:0:0:1', port: 443, protocol: 'tcp' }] }, undefined);
    expect(p.destinations[0]!.address).toBe('2001:db8::1');
  });

  it.each([
    ['names', { names: ['ok.com', 'a;b'] }],
    ['names', { names: ['"quoted".com'] }],
    ['names', { names: ['evil.com\nlocal-zone: "." transparent'] }],
    ['domains', { domains: ['a..b'] }],
    ['domains', { domains: [`${'x'.repeat(64)}.com`] }],
    ['address', { destinations: [{ address: '1.2.3.4; drop', port: 443, protocol: 'tcp' }] }],
    ['address', { destinations: [{ address: '1.2.3.4\n', port: 443, protocol: 'tcp' }] }],
    ['address', { destinations: [{ address: '256.1.1.1', port: 443, protocol: 'tcp' }] }],
    ['address', { destinations: [{ address: 'example.com', port: 443, protocol: 'tcp' }] }],
    ['address', { destinations: [{ address: 'fe80::1%eth0', port: 443, protocol: 'tcp' }] }],
    ['port', { destinations: [{ address: '1.2.3.4', port: 0, protocol: 'tcp' }] }],
    ['port', { destinations: [{ address: '1.2.3.4', port: 65536, protocol: 'tcp' }] }],
    ['port', { destinations: [{ address: '1.2.3.4', port: 44.5, protocol: 'tcp' }] }],
    ['protocol', { destinations: [{ address: '1.2.3.4', port: 1, protocol: 'icmp' }] }],
    ['pipeline', { pipeline: '' }],
    ['generatedAtUs', { generatedAtUs: Number.NaN }],
    ['readiness', { readiness: 'maybe' }],
  ])('refuses a hostile %s with invalid_entry', (_what, patch) => {
    expect(codeOf(() => preparePolicy({ ...ready, ...patch } as unknown as PolicyBaseline, undefined))).toBe('invalid_entry');
  });

  it('names the entry without passing its raw text into the message', () => {
    try {
      preparePolicy({ ...ready, names: ['fine.com', 'bad\nname'] }, undefined);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('names[1] "bad\\u000aname"');
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('refuses an unready baseline unless allowUnready, and then warns', () => {
    const learning = { ...ready, readiness: 'learning' as const, learnedBuilds: 3, learningBuilds: 10 };
    expect(codeOf(() => preparePolicy(learning, undefined))).toBe('baseline_not_ready');
    try {
      preparePolicy(learning, undefined);
    } catch (err) {
      expect((err as Error).message).toContain('still learning (3/10 builds)');
    }
    expect(codeOf(() => preparePolicy({ ...ready, readiness: 'empty' }, { mode: 'enforce' }))).toBe('baseline_not_ready');
    expect(preparePolicy(learning, { allowUnready: true }).unreadyWarning).toContain('still learning (3/10 builds)');
    expect(preparePolicy(learning, undefined, false).unreadyWarning).toBeNull();
  });

  it.each([
    [{ mode: 'block' }],
    [{ target: { uid: -1 } }],
    [{ target: { uid: 1.5 } }],
    [{ target: { cgroupPath: '../etc' } }],
    [{ target: { cgroupPath: 'ci/"x"' } }],
    [{ target: { namespace: 'Bad_NS' } }],
    [{ target: { podSelector: { 'a b': 'x' } } }],
    [{ target: { podSelector: { app: 'x"y' } } }],
    [{ upstream: ['dns.google'] }],
    [{ upstream: ['1.2.3.4@0'] }],
    [{ upstream: [] }],
    [{ listen: { address: '127.0.0.1@53' } }],
    [{ listen: { port: 70000 } }],
    [{ buildCommand: 'make\nrm -rf /' }],
  ])('refuses the option %j with invalid_option', (opts) => {
    expect(codeOf(() => preparePolicy(ready, opts as never))).toBe('invalid_option');
  });
});
