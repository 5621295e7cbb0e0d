import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIpv6 } from './ip-text.js';

const v6 = (groups: number[]) => formatIpv6(Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])));

describe('ip text', () => {
  it('formats IPv6 per RFC 5952', () => {
    expect(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(v6([1, 0, 0, 2, 0, 0, 0, 3])).toBe('1:0:0:2::3'); // the longest run, not the first
    expect(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1'); // a lone zero stays
    expect(v6([0, 0, 0, 0, 0, 0, 0, 0])).toBe('::');
    expect(v6([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])).toBe('::ffff:1.2.3.4');
  });

  it('canonicalises address text and rejects non-addresses', () => {
    expect(canonicalIp('2606:4700:4700:0000:0000:0000:0000:1111')).toBe('2606:4700:4700::1111');
    expect(canonicalIp('[2001:DB8::1]')).toBe('2001:db8::1');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalIp('8.8.8.8')).toBe('8.8.8.8');
    expect(canonicalIp('dns.google')).toBeNull();
    expect(canonicalIp('1.2.3.256')).toBeNull();
  });
});
