import { describe, expect, it } from 'vitest';
import { cidrContains, isExternal, parseCidr, parseIp } from './address.js';

describe('parseIp', () => {
  it('parses IPv4, IPv6, compressed and v4-mapped forms', () => {
    expect(parseIp('1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIp('::1')?.value).toBe(1n);
    expect(parseIp('2001:db8::1')?.value).toBe((0x20010db8n << 96n) | 1n);
    expect(parseIp('::ffff:10.0.0.1')?.value).toBe((0xffffn << 32n) | 0x0a000001n);
  });
  it('rejects what is not an address', () => {
    for (const bad of ['', '1.2.3', '256.1.1.1', '1::2::3', 'example.com', '1:2:3:4:5:6:7:8:9', 'gggg::1']) expect(parseIp(bad)).toBeNull();
  });
});

describe('isExternal', () => {
  it('treats loopback and private ranges as internal and public addresses as egress', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', '::1', 'fd00::5', 'fe80::1']) expect(isExternal(a, [])).toBe(false);
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700::1111', '172.32.0.1']) expect(isExternal(a, [])).toBe(true);
  });
  it('honours ranges configured as external, for tests and drills on loopback', () => {
    const ext = [parseCidr('127.0.0.2/32')!];
    expect(isExternal('127.0.0.2', ext)).toBe(true);
    expect(isExternal('127.0.0.1', ext)).toBe(false);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, '::ffff:10.9.9.9')).toBe(true);
  });
  it('never calls a non-address external', () => {
    expect(isExternal('not-an-ip', [])).toBe(false);
  });
});
