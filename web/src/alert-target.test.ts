import { describe, expect, it } from 'vitest';
import { alertPackage, alertTarget } from './alert-target';

const base = { qname: null, domain: null, address: null, kind: 'encoded_dns_label', evidence: {} };

describe('alertTarget and alertPackage', () => {
  it('a DNS alert is about its name, and names the package whose build script asked', () => {
    const a = { ...base, qname: 'x.exfil.test', domain: 'exfil.test', evidence: { package: { ecosystem: 'cargo', name: 'reqwests', version: '0.1.0' } } };
    expect(alertTarget(a)).toBe('x.exfil.test');
    expect(alertPackage(a)).toBe('reqwests 0.1.0');
  });
  it('a look-alike package is about what it looks like', () => {
    const a = {
      ...base, kind: 'typosquat_package',
      evidence: { package: { ecosystem: 'cargo', name: 'reqwests', version: '0.1.0' }, signals: [{ kind: 'edit_distance', resembles: 'reqwest', evidence: '1 edit' }] },
    };
    expect(alertTarget(a)).toBe('looks like reqwest: 1 edit');
    expect(alertPackage(a)).toBe('reqwests 0.1.0');
  });
  it('nothing to say: empty', () => {
    expect(alertTarget(base)).toBe('');
    expect(alertPackage(base)).toBe('');
  });
});
