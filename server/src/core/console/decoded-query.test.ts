import { describe, expect, it } from 'vitest';
import { decodeQuery } from './decoded-query.js';

describe('decodeQuery', () => {
  it('splits a name into subdomain, domain and suffix labels and judges each', () => {
    const d = decodeQuery('mfrggzdfmztwq2lknnwg23tpobyxe43u.x7.exfil.example', 'exfil.example');
    expect(d.labels.map((l) => [l.text, l.role])).toEqual([
      ['mfrggzdfmztwq2lknnwg23tpobyxe43u', 'subdomain'], ['x7', 'subdomain'], ['exfil', 'domain'], ['example', 'suffix'],
    ]);
    expect(d.labels[0]).toMatchObject({ alphabet: 'base32', alphabetSize: 32, length: 32 });
    expect(d.labels[0]!.bits).toBeGreaterThan(100);
    expect(d.labels[1]!.bits).toBe(0); // too short to judge
  });
  it('shows the labels as sent (case kept) when the detector recorded them, and only when they match', () => {
    expect(decodeQuery('abcdefghijklmnop.x.example', 'x.example', ['AbCdEfGhIjKlMnOp']).labels[0]!.text).toBe('AbCdEfGhIjKlMnOp');
    expect(decodeQuery('abcdefghijklmnop.x.example', 'x.example', ['somethingelse']).labels[0]!.text).toBe('abcdefghijklmnop');
  });
  it('treats a name without a registrable domain as all subdomain labels', () => {
    expect(decodeQuery('10.0.0.1', null).labels.every((l) => l.role === 'subdomain')).toBe(true);
    expect(decodeQuery('', null).labels).toEqual([]);
  });
});
