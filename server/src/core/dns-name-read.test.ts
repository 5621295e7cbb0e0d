import { describe, expect, it } from 'vitest';
import { readName } from './dns-name-read.js';

const msg = (...body: number[]) => Uint8Array.from([...new Array<number>(12).fill(0), ...body]);

describe('readName', () => {
  it('reports where the name ended in the stream, not where a pointer led', () => {
    // 12: "ab" root; 16: "x" then a pointer back to 12.
    const m = msg(2, 0x61, 0x62, 0, 1, 0x78, 0xc0, 12, 0xff);
    expect(readName(m, 12)).toEqual({ kind: 'ok', labels: ['ab'], end: 16 });
    expect(readName(m, 16)).toEqual({ kind: 'ok', labels: ['x', 'ab'], end: 20 });
  });

  it('returns the labels read, and the bytes of a cut label, when the bytes run out', () => {
    expect(readName(msg(3, 0x61, 0x62, 0x63, 5, 0x64, 0x65), 12)).toEqual({ kind: 'cut', labels: ['abc', 'de'] });
    expect(readName(msg(3, 0x61, 0x62, 0x63), 12)).toEqual({ kind: 'cut', labels: ['abc'] });
    expect(readName(msg(1, 0x61, 0xc0), 12)).toEqual({ kind: 'cut', labels: ['a'] });
  });

  it('tells a loop from a bad pointer', () => {
    const code = (m: Uint8Array, at: number) => {
      const r = readName(m, at);
      return r.kind === 'error' ? r.error.code : r.kind;
    };
    expect(code(msg(0xc0, 12), 12)).toBe('DNS_POINTER_LOOP');
    expect(code(msg(1, 0x61, 0xc0, 13), 12)).toBe('DNS_POINTER_LOOP'); // into its own label bytes
    expect(code(msg(0xc0, 14, 0), 12)).toBe('DNS_BAD_POINTER');
    expect(code(msg(0xc0, 5), 12)).toBe('DNS_BAD_POINTER');
    expect(code(msg(0x7f), 12)).toBe('DNS_LABEL_TOO_LONG');
  });
});
