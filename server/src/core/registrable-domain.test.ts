import { describe, expect, it } from 'vitest';
import { splitName } from './registrable-domain.js';

describe('splitName', () => {
  it('splits an ICANN name and keeps the subdomain case as sent', () => {
    expect(splitName('aBc.malicious-domain.com')).toEqual({
      domain: 'malicious-domain.com', publicSuffix: 'com', subdomainLabels: ['aBc'], isIp: false,
    });
    expect(splitName('Registry-1.Docker.IO').domain).toBe('docker.io');
  });

  it('treats an unknown TLD such as .test as a suffix, so the label left of it is the domain', () => {
    expect(splitName('x.y.exfil-drill.test')).toEqual({
      domain: 'exfil-drill.test', publicSuffix: 'test', subdomainLabels: ['x', 'y'], isIp: false,
    });
  });

  it('honours private suffixes: a CDN or bucket id belongs to the registrable domain', () => {
    expect(splitName('d3h5fk9a6x1u7s.cloudfront.net')).toEqual({
      domain: 'd3h5fk9a6x1u7s.cloudfront.net', publicSuffix: 'cloudfront.net', subdomainLabels: [], isIp: false,
    });
    expect(splitName('bucket.s3.amazonaws.com')).toMatchObject({ domain: 'bucket.s3.amazonaws.com', subdomainLabels: [] });
    expect(splitName('objects.githubusercontent.com')).toMatchObject({ domain: 'objects.githubusercontent.com', subdomainLabels: [] });
  });

  it('has no domain for IPs, single labels and bare suffixes', () => {
    expect(splitName('192.0.2.7')).toEqual({ domain: null, publicSuffix: null, subdomainLabels: [], isIp: true });
    expect(splitName('localhost')).toMatchObject({ domain: null, subdomainLabels: [], isIp: false });
    expect(splitName('buildhost')).toMatchObject({ domain: null, subdomainLabels: [] });
    expect(splitName('co.uk')).toMatchObject({ domain: null, publicSuffix: 'co.uk' });
    expect(splitName('')).toMatchObject({ domain: null, subdomainLabels: [] });
  });

  it('keeps escaped labels as subdomain data and still finds the domain right of them', () => {
    expect(splitName('\\000\\.x.data.exfil.test')).toMatchObject({ domain: 'exfil.test', subdomainLabels: ['\\000\\.x', 'data'] });
    expect(splitName('a.B\\032c.com')).toMatchObject({ domain: 'b\\032c.com', publicSuffix: 'com', subdomainLabels: ['a'] });
  });

  it('keeps a name domain-bearing when a label starts or ends with a hyphen (no hostname validation)', () => {
    // A leading or trailing '-' made tldts drop the domain, and a name without one was never judged.
    expect(splitName('-mfrggzdfmztwq2lk.nnwg23tp.exfil.test')).toMatchObject({ domain: 'exfil.test', subdomainLabels: ['-mfrggzdfmztwq2lk', 'nnwg23tp'] });
    expect(splitName('data.x-.corp.example')).toMatchObject({ domain: 'corp.example', subdomainLabels: ['data', 'x-'] });
    expect(splitName('a.-b.github.io')).toMatchObject({ domain: '-b.github.io', subdomainLabels: ['a'] });
  });

  it('treats every label of a cut name as subdomain data', () => {
    expect(splitName('MFRGG.ZDFMZ.exf', { partial: true })).toEqual({
      domain: null, publicSuffix: null, subdomainLabels: ['MFRGG', 'ZDFMZ', 'exf'], isIp: false,
    });
  });
});
