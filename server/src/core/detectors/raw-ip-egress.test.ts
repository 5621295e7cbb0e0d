import { describe, expect, it } from 'vitest';
import { compileRawIpEgress } from './raw-ip-egress.js';
import { connect, dnsQuery } from './fixtures.js';
import type { Observation } from '../observation.js';

describe('raw_ip_egress', () => {
  const d = compileRawIpEgress();
  const run = (o: Observation) => d.step(null, o, 0).findings;

  it('reports an external connect no DNS answer named', () => {
    expect(run(connect('203.0.113.9', 443))).toEqual([expect.objectContaining({
      kind: 'raw_ip_egress', severity: 'medium', address: '203.0.113.9', dedupeKey: 'raw_ip_egress:build-1:203.0.113.9:443',
      evidence: expect.objectContaining({ answersObserved: true, port: 443, exe: '/usr/bin/curl' }),
    })]);
  });

  it('keeps the finding but marks it low when the build showed no DNS answers at all', () => {
    expect(run(connect('203.0.113.9', 443, { answersObserved: false }))).toEqual([
      expect.objectContaining({ severity: 'low', evidence: expect.objectContaining({ answersObserved: false }) }),
    ]);
  });

  it('dedupes on the canonical address', () => {
    expect(run(connect('2001:DB8:0:0::1', 8443))[0]?.dedupeKey).toBe('raw_ip_egress:build-1:2001:db8::1:8443');
  });

  it('stays quiet for named, internal, DNS-port, allowed and non-connect events', () => {
    expect(run(connect('203.0.113.9', 443, { answeredNames: ['example.com'] }))).toEqual([]);
    expect(run(connect('10.0.0.5', 443, { external: false }))).toEqual([]);
    expect(run(connect('203.0.113.9', 53))).toEqual([]);
    expect(run(dnsQuery('example.com'))).toEqual([]);
    const allow = compileRawIpEgress({ allowAddresses: ['[2001:db8::1]'] });
    expect(allow.step(null, connect('2001:db8:0::1', 443), 0).findings).toEqual([]);
  });

  it('rejects a bad spec', () => {
    expect(() => compileRawIpEgress({ ignorePorts: [70000] })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    expect(() => compileRawIpEgress({ allowAddresses: ['example.com'] })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });
});
