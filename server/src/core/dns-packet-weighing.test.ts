// Pins what dns-packet 5.x does with hostile and cut input: the reasons dns-decode.ts walks
// the wire itself. If an upgrade changes these, this file fails and the choice can be revisited.
import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';

const header = (qd: number, an = 0, flags = 0x0100) => [0, 1, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, 0, 0, 0];
const decode = (parts: number[]) => dnsPacket.decode(Buffer.from(parts));
const A_IN = [0, 1, 0, 1];

describe('dns-packet on hostile input', () => {
  it('does reject pointer loops and forward pointers (backward-only rule): not our reason', () => {
    expect(() => decode([...header(1), 0xc0, 12, ...A_IN])).toThrow(/bad pointer/);
    expect(() => decode([...header(1), 0xc0, 14, 0xc0, 12, ...A_IN])).toThrow(/bad pointer/);
    expect(() => decode([...header(1), 64, ...Array(64).fill(0x61), 0, ...A_IN])).toThrow(/bad label/);
  });

  it('decodes labels as UTF-8: a 0x2e byte inside a label reads as an extra label', () => {
    const q = decode([...header(1), 3, 0x61, 0x2e, 0x62, 3, 0x63, 0x6f, 0x6d, 0, ...A_IN]).questions?.[0];
    expect(q?.name).toBe('a.b.com'); // two labels on the wire, three after decoding
    const binary = decode([...header(1), 2, 0x00, 0xff, 0, ...A_IN]).questions?.[0];
    expect(binary?.name).toBe('\u0000\ufffd'); // 0xff is lost
  });

  it('ignores RDLENGTH of A records and prints what it read past it', () => {
    const r = decode([...header(1, 1, 0x8180), 1, 0x61, 0, ...A_IN, 0xc0, 12, ...A_IN, 0, 0, 0, 9, 0, 2, 1, 2]);
    expect(r.answers?.[0]).toMatchObject({ type: 'A', data: '1.2.undefined.undefined' });
  });

  it('throws untyped errors on a cut message and returns nothing read so far', () => {
    expect(() => decode([...header(1), 1, 0x61, 0, 0])).toThrow(RangeError);
    expect(() => decode([...header(1), 5, 0x61, 0x62])).toThrow(/buffer overflow/);
  });

  it('names type 65 UNKNOWN_65', () => {
    expect(decode([...header(1), 1, 0x61, 0, 0, 65, 0, 1]).questions?.[0]?.type).toBe('UNKNOWN_65');
  });
});
