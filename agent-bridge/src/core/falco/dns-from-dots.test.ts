import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { rebuildDnsFromDots } from './dns-from-dots.js';

const dots = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('');
const EXFIL = 'o5fgc3dslbkxi3sgivgusl2lg5guirkoi4xweudykjtgsq2zivmectkqjrcuwrk.z.exfil-drill.test';
function query(name: string, type: dnsPacket.RecordType = 'A', edns = false): Uint8Array {
  return Uint8Array.from(dnsPacket.encode({
    type: 'query', id: 0x612d, flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  }));
}

describe('rebuildDnsFromDots', () => {
  it('recovers the exfil name of the cargo fixture byte for byte', () => {
    const original = query(EXFIL);
    const text = dots(original);
    expect(text).toBe(`a-..........?${EXFIL}.....`);
    const r = rebuildDnsFromDots(text, false)!;
    expect(r.questionComplete).toBe(true);
    expect(r.labels.join('.')).toBe(EXFIL);
    // Header ID bytes 'a-' are printable; everything else we rebuild is the same except QTYPE.
    const expected = original.slice();
    expected[original.length - 3] = 0; // QTYPE A (0x0001) renders '..': unknown, rebuilt as 0
    expect(r.packet).toEqual(expected);
    expect(dnsPacket.decode(Buffer.from(r.packet)).questions?.[0]?.name).toBe(EXFIL);
  });

  it('reads length bytes 32-63 exactly and resolves the 46 that renders as "."', () => {
    const l32 = 'a'.repeat(32); // length byte 0x20 renders ' '
    const l46 = 'b'.repeat(46); // length byte 0x2e renders '.'
    const r = rebuildDnsFromDots(dots(query(`${l32}.${l46}.x.test`)), false)!;
    expect(r.labels).toEqual([l32, l46, 'x', 'test']);
    expect(r.questionComplete).toBe(true);
  });

  it('keeps QTYPE when its low byte is printable (SRV is 0x0021, "!")', () => {
    const r = rebuildDnsFromDots(dots(query('_x._tcp.test', 'SRV')), false)!;
    expect(dnsPacket.decode(Buffer.from(r.packet)).questions?.[0]).toMatchObject({ name: '_x._tcp.test', type: 'SRV', class: 'IN' });
  });

  it('drops what follows the question (EDNS OPT) and rebuilds a one-question query', () => {
    const original = query('index.crates.test', 'AAAA', true);
    const r = rebuildDnsFromDots(dots(original), false)!;
    expect(r.packet.length).toBe(original.length - 11);
    const d = dnsPacket.decode(Buffer.from(r.packet));
    expect(d.questions?.[0]?.name).toBe('index.crates.test');
    expect(d.additionals).toEqual([]);
  });

  it('returns the labels read so far when the snaplen cut the name (80 bytes by default)', () => {
    const r = rebuildDnsFromDots(dots(query(EXFIL)).slice(0, 80), false)!;
    expect(r.questionComplete).toBe(false);
    // 12 header + 64 + 2 + the 0x0b length byte: one byte of "exfil-drill" made it.
    expect(r.labels).toEqual([EXFIL.slice(0, 63), 'z', 'e']);
  });

  it('marks a response as one (QR set) when its flags were hidden', () => {
    const r = rebuildDnsFromDots(dots(query('a.test')), true)!;
    expect(r.packet[2]! & 0x80).toBe(0x80);
  });

  it('splits a short label at a byte it cannot see (what the rendering loses)', () => {
    const oneLabel = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x2e, 0x62, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]);
    const r = rebuildDnsFromDots(dots(oneLabel), false)!; // one label "a.b" (0x2e inside)
    expect(r.labels).toEqual(['a', 'b', 'test']);
  });

  it('refuses what cannot be a query: too short, or a length byte above 63', () => {
    expect(rebuildDnsFromDots('a-........', false)).toBeNull();
    expect(rebuildDnsFromDots('a-..........@abc', false)).toBeNull();
  });

  it('recovers any name of letters, digits and hyphens (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,63}$/);
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')).filter((n) => n.length <= 253);
    fc.assert(fc.property(name, fc.boolean(), (n, edns) => {
      const r = rebuildDnsFromDots(dots(query(n, 'TXT', edns)), false);
      expect(r?.labels.join('.')).toBe(n);
      expect(r?.questionComplete).toBe(true);
    }), { numRuns: 500 });
  });

  it('never throws on any printable text (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[\x20-\x7e]{0,300}$/), fc.boolean(), (text, response) => {
      const r = rebuildDnsFromDots(text, response);
      if (r !== null) expect(r.packet.length).toBeLessThanOrEqual(Math.max(text.length, 16));
    }));
  });
});
