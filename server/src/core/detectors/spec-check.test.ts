import { describe, expect, it } from 'vitest';
import { addressList, compileSpec, hostList, integerIn, numberIn, portList } from './spec-check.js';

describe('compileSpec', () => {
  const defaults = { n: 1, hosts: [] as readonly string[] };
  const checks = { n: integerIn(1, 10), hosts: hostList };
  const invalid = expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' });

  it('fills defaults, normalises values and freezes the result', () => {
    const s = compileSpec('t', defaults, { hosts: ['DNS.Google.'] }, checks);
    expect(s).toEqual({ n: 1, hosts: ['dns.google'] });
    expect(Object.isFrozen(s) && Object.isFrozen(s.hosts)).toBe(true);
  });

  it('names the detector and setting of a bad value', () => {
    expect(() => compileSpec('t', defaults, { n: 11 }, checks)).toThrow(invalid);
    expect(() => compileSpec('t', defaults, { m: 1 }, checks)).toThrow(expect.objectContaining({ details: { detector: 't', setting: 'm' } }));
    expect(() => compileSpec('t', defaults, null, checks)).toThrow(invalid);
    expect(() => compileSpec('t', defaults, [], checks)).toThrow(invalid);
  });

  it('checks each kind of value', () => {
    expect(numberIn(0, 1)(Number.POSITIVE_INFINITY)).toHaveProperty('problem');
    expect(portList([443, 65536])).toHaveProperty('problem');
    expect(addressList(['2001:DB8::0:1'])).toEqual({ value: ['2001:db8::1'] });
    expect(hostList(['a..b'])).toHaveProperty('problem');
  });
});
