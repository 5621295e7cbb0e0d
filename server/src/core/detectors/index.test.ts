import { describe, expect, it } from 'vitest';
import { compileDetectors } from './index.js';
import { base32, chunks, connect, dnsQuery, exec, FAKE_SECRET } from './fixtures.js';
import type { Finding, Observation } from '../observation.js';

describe('compileDetectors', () => {
  it('compiles all six with their complete specs', () => {
    const ds = compileDetectors({ encoded_dns_label: { singleQueryBits: 96 } });
    expect(ds.map((d) => d.kind)).toEqual([
      'first_seen_domain', 'encoded_dns_label', 'dns_tunnel_volume', 'raw_ip_egress', 'doh_endpoint', 'unexpected_tool',
    ]);
    expect(ds[1]?.spec).toMatchObject({ singleQueryBits: 96, accumulatedBits: 160 });
    expect(Object.isFrozen(ds[1]?.spec)).toBe(true);
  });

  it('rejects an unknown detector or a bad setting', () => {
    expect(() => compileDetectors({ encoded_dns_labels: {} } as never)).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    expect(() => compileDetectors({ dns_tunnel_volume: { windowSeconds: -1 } })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });

  it('runs a leaky build script through all of them', () => {
    const ds = compileDetectors();
    const states = ds.map((d) => d.init());
    const observations: Observation[] = [
      exec('/bin/sh', ['sh', '-c', 'echo telltale-fixture-spawn | base64']),
      dnsQuery('index.crates.io', { baselineKnows: true }),
      dnsQuery(`${chunks(base32(FAKE_SECRET), 63).join('.')}.exfil-drill.test`),
      connect('1.1.1.1', 443),
    ];
    const findings: Finding[] = [];
    for (const o of observations) {
      ds.forEach((d, i) => {
        const r = d.step(states[i], o, o.timeUs);
        states[i] = r.state;
        findings.push(...r.findings);
      });
    }
    expect(findings.map((f) => `${f.kind}:${f.severity}`).sort()).toEqual([
      'doh_endpoint:high', 'encoded_dns_label:high', 'first_seen_domain:medium', 'raw_ip_egress:medium', 'unexpected_tool:medium',
    ]);
  });
});
