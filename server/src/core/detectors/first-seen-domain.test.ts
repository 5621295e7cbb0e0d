import { describe, expect, it } from 'vitest';
import { compileFirstSeenDomain } from './first-seen-domain.js';
import { dnsQuery } from './fixtures.js';

describe('first_seen_domain', () => {
  const d = compileFirstSeenDomain();
  const run = (o: ReturnType<typeof dnsQuery>) => d.step(d.init(), o, 0).findings;

  it('reports a domain the finished baseline does not hold', () => {
    expect(run(dnsQuery('aBc.malicious-domain.com'))).toEqual([expect.objectContaining({
      kind: 'first_seen_domain', severity: 'medium', dedupeKey: 'first_seen_domain:build-1:malicious-domain.com',
      domain: 'malicious-domain.com', qname: 'abc.malicious-domain.com', pid: 101,
    })]);
  });

  it('stays quiet while learning, for known domains, for names without a domain and for cut names', () => {
    expect(run(dnsQuery('x.example.com', { baselineLearning: true }))).toEqual([]);
    expect(run(dnsQuery('x.example.com', { baselineKnows: true }))).toEqual([]);
    expect(run(dnsQuery('192.0.2.1'))).toEqual([]);
    expect(run(dnsQuery('localhost'))).toEqual([]);
    expect(run(dnsQuery('MFRGGZDF.exfil', { partial: true, domain: 'mfrggzdf.exfil' }))).toEqual([]);
  });

  it('honours ignoreDomains and rejects a bad spec', () => {
    const quiet = compileFirstSeenDomain({ ignoreDomains: ['Example.com.'] });
    expect(quiet.step(null, dnsQuery('x.example.com'), 0).findings).toEqual([]);
    expect(() => compileFirstSeenDomain({ ignoreDomains: ['not a host'] })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    expect(() => compileFirstSeenDomain({ ignoreDomain: [] } as never)).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });
});
