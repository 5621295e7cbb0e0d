import { describe, expect, it } from 'vitest';
import { compileDohEndpoint } from './doh-endpoint.js';
import { connect, dnsQuery, exec } from './fixtures.js';
import type { Observation } from '../observation.js';

describe('doh_endpoint', () => {
  const d = compileDohEndpoint();
  const run = (o: Observation) => d.step(null, o, 0).findings;

  it.each(['dns.google', 'cloudflare-dns.com', 'mozilla.cloudflare-dns.com', 'Dns.Quad9.net', 'doh.opendns.com',
    'dns.adguard-dns.com', 'abc123.dns.nextdns.io', 'doh.cleanbrowsing.org'])('reports a query for %s', (name) => {
    expect(run(dnsQuery(name))).toEqual([expect.objectContaining({
      kind: 'doh_endpoint', severity: 'high', qname: name.toLowerCase(), evidence: expect.objectContaining({ via: 'dns_query' }),
    })]);
  });

  it.each([['1.1.1.1', 443], ['8.8.4.4', 853], ['149.112.112.112', 443], ['2606:4700:4700:0:0:0:0:1111', 443], ['2001:4860:4860::8888', 853]])(
    'reports a connect to %s port %i', (address, port) => {
      const [f] = run(connect(address, port));
      expect(f).toMatchObject({ kind: 'doh_endpoint', severity: 'high', evidence: { via: 'connect', port } });
      expect(f?.dedupeKey).toMatch(/^doh_endpoint:build-1:[0-9a-f:.]+$/);
    },
  );

  it('stays quiet for look-alikes, other ports and unrelated events', () => {
    expect(run(dnsQuery('dns.google.evil.example'))).toEqual([]);
    expect(run(dnsQuery('notcloudflare-dns.com'))).toEqual([]);
    expect(run(connect('1.1.1.1', 80))).toEqual([]);
    expect(run(connect('203.0.113.1', 443))).toEqual([]);
    expect(run(exec('/usr/bin/cc', ['cc']))).toEqual([]);
  });

  it('takes extra hosts and addresses from the spec', () => {
    const custom = compileDohEndpoint({ extraHosts: ['doh.corp.example'], extraAddresses: ['192.0.2.53'], ports: [443] });
    expect(custom.step(null, dnsQuery('doh.corp.example'), 0).findings).toHaveLength(1);
    expect(custom.step(null, connect('192.0.2.53', 443), 0).findings).toHaveLength(1);
    expect(custom.step(null, connect('8.8.8.8', 853), 0).findings).toEqual([]);
    expect(() => compileDohEndpoint({ extraAddresses: ['300.1.1.1'] })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });
});
