import { describe, expect, it, vi } from 'vitest';
import { compileDnsTunnelVolume, type DnsTunnelVolumeState } from './dns-tunnel-volume.js';
import { dnsQuery } from './fixtures.js';
import type { Finding, Observation } from '../observation.js';

function runAll(d: ReturnType<typeof compileDnsTunnelVolume>, observations: Observation[]) {
  let state: DnsTunnelVolumeState = d.init();
  const findings: Finding[] = [];
  for (const o of observations) {
    const r = d.step(state, o, o.timeUs);
    state = r.state;
    findings.push(...r.findings);
  }
  return { state, findings };
}
const SECOND = 1_000_000;

describe('dns_tunnel_volume', () => {
  const d = compileDnsTunnelVolume();

  it('fires on 30 distinct names under one domain within 10 s', () => {
    const qs = Array.from({ length: 40 }, (_, i) => dnsQuery(`q${i}.tunnel.example`, { timeUs: i * 200_000 }));
    const { findings } = runAll(d, qs);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'dns_tunnel_volume', severity: 'medium', domain: 'tunnel.example', qname: 'q29.tunnel.example',
      dedupeKey: 'dns_tunnel_volume:build-1:tunnel.example',
    });
    expect(findings[0]!.evidence).toMatchObject({ distinctNames: 30, windowSeconds: 10, spanSeconds: 5.8 });
  });

  it('does not count repeats, slow trickles, or names under other domains', () => {
    const repeats = Array.from({ length: 100 }, (_, i) => dnsQuery(`q${i % 5}.busy.example`, { timeUs: i * 1000 }));
    const slow = Array.from({ length: 60 }, (_, i) => dnsQuery(`s${i}.slow.example`, { timeUs: i * SECOND }));
    const spread = Array.from({ length: 60 }, (_, i) => dnsQuery(`www.site${i}.example`, { timeUs: i * 1000 }));
    expect(runAll(d, [...repeats, ...slow, ...spread]).findings).toEqual([]);
  });

  it('counts per build, and ignores cut names and configured domains', () => {
    const twoBuilds = Array.from({ length: 40 }, (_, i) => dnsQuery(`q${i}.t.example`, { timeUs: i, buildId: `b${i % 2}` }));
    expect(runAll(d, twoBuilds).findings).toEqual([]);
    const cut = Array.from({ length: 40 }, (_, i) => dnsQuery(`q${i}.t.exa`, { timeUs: i, partial: true }));
    expect(runAll(d, cut).findings).toEqual([]);
    const allowed = compileDnsTunnelVolume({ ignoreDomains: ['t.example'] });
    expect(runAll(allowed, Array.from({ length: 40 }, (_, i) => dnsQuery(`q${i}.t.example`, { timeUs: i }))).findings).toEqual([]);
  });

  it('keeps windows bounded', () => {
    const qs = Array.from({ length: 60 }, (_, i) => dnsQuery(`q${i}.t.example`, { timeUs: i * SECOND }));
    const { state } = runAll(d, qs);
    expect(state.builds.get('build-1')?.domains.get('t.example')?.names.size).toBe(10); // the last 10 s only
    const wide = compileDnsTunnelVolume({ windowSeconds: 1000, minDistinctNames: 500 });
    expect(runAll(wide, qs).state.builds.get('build-1')?.domains.get('t.example')?.names.size).toBe(60);
    const small = compileDnsTunnelVolume({ minDistinctNames: 3, maxDomainsPerBuild: 1 });
    const { state: s2 } = runAll(small, [dnsQuery('a.one.example'), dnsQuery('a.two.example')]);
    expect(s2.builds.get('build-1')).toMatchObject({ cleared: 1 });
    expect([...(s2.builds.get('build-1')?.domains.keys() ?? [])]).toEqual(['two.example']);
    const oneBuild = compileDnsTunnelVolume({ maxBuilds: 1 });
    const { state: s3 } = runAll(oneBuild, [dnsQuery('a.one.example', { buildId: 'x' }), dnsQuery('a.one.example', { buildId: 'y' })]);
    expect([...s3.builds.keys()]).toEqual(['y']);
    expect(s3.evictedBuilds).toBe(1);
  });

  it('does not fire on names that left the window, even when events arrive out of order', () => {
    const late = dnsQuery('late.t.example', { timeUs: 0 });
    const fresh = Array.from({ length: 29 }, (_, i) => dnsQuery(`q${i}.t.example`, { timeUs: 100 * SECOND + i }));
    // late sits behind q0..: it is 100 s old when q28 arrives and must not make the 30th name.
    const { state, findings } = runAll(d, [fresh[0]!, late, ...fresh.slice(1)]);
    expect(findings).toEqual([]);
    expect(state.builds.get('build-1')?.domains.get('t.example')?.names.has('late.t.example')).toBe(false);
    expect(d.step(state, dnsQuery('q99.t.example', { timeUs: 100 * SECOND + 50 }), 0).findings).toHaveLength(1);
  });

  it('updates its state in place: a query costs the same with 5 or 2000 domains tracked', () => {
    // Regression: each step used to copy the build's domain map and the builds map (O(domains + builds)).
    const many = Array.from({ length: 2000 }, (_, i) => dnsQuery(`www.site${i}.example`, { timeUs: i }));
    const { state } = runAll(d, [...many, ...Array.from({ length: 255 }, (_, i) => dnsQuery('a.b.example', { buildId: `b${i}` }))]);
    const domains = state.builds.get('build-1')?.domains;
    expect(domains?.size).toBe(2000);
    const window = domains?.get('site7.example');
    const mapSets = vi.spyOn(Map.prototype, 'set');
    let r: ReturnType<typeof d.step>;
    try {
      r = d.step(state, dnsQuery('x.site7.example', { timeUs: 3000 }), 0);
    } finally {
      mapSets.mockRestore();
    }
    // touch the build, add one name (a copy would call Map#set once per entry copied)
    expect(mapSets.mock.calls.length).toBeLessThanOrEqual(3);
    expect(r.state).toBe(state);
    expect(state.builds.get('build-1')?.domains).toBe(domains);
    expect(domains?.get('site7.example')).toBe(window);
    expect(window?.names.size).toBe(2);
  });

  it('rejects a bad spec', () => {
    for (const bad of [{ windowSeconds: 0 }, { minDistinctNames: 1 }, { ignoreDomains: 'x.com' }, { window: 5 }]) {
      expect(() => compileDnsTunnelVolume(bad as never)).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    }
  });
});
