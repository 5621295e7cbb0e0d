import { describe, expect, it } from 'vitest';
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

  it('keeps windows bounded and the kept state untouched', () => {
    const qs = Array.from({ length: 29 }, (_, i) => dnsQuery(`q${i}.t.example`, { timeUs: i }));
    const { state } = runAll(d, qs);
    const kept = state.builds.get('build-1')?.domains.get('t.example')?.names.length;
    const a = d.step(state, dnsQuery('q99.t.example', { timeUs: 100 }), 0);
    expect(a.findings).toHaveLength(1);
    expect(state.builds.get('build-1')?.domains.get('t.example')?.names.length).toBe(kept);
    expect(d.step(state, dnsQuery('q99.t.example', { timeUs: 100 }), 0)).toEqual(a);
    const small = compileDnsTunnelVolume({ minDistinctNames: 3, maxDomainsPerBuild: 1 });
    const { state: s2 } = runAll(small, [dnsQuery('a.one.example'), dnsQuery('a.two.example')]);
    expect(s2.builds.get('build-1')).toMatchObject({ cleared: 1 });
  });

  it('rejects a bad spec', () => {
    for (const bad of [{ windowSeconds: 0 }, { minDistinctNames: 1 }, { ignoreDomains: 'x.com' }, { window: 5 }]) {
      expect(() => compileDnsTunnelVolume(bad as never)).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    }
  });
});
