import { describe, expect, it } from 'vitest';
import { FINGERPRINT_MAX, fingerprintOf, LineCursor, positionKey } from './log-lines.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** Stands in for sha256: the hashed bytes, readable. */
const hash = (b: Uint8Array) => `h(${text(b)})`;

describe('line cursor', () => {
  it('cuts lines at their end offsets and holds a partial line back, copied out of the read buffer', () => {
    const c = new LineCursor(0, 64, hash);
    const buf = bytes('a\n{"n":2,');
    expect(c.push(buf).lines.map((l) => [text(l.bytes), l.end])).toEqual([['a', 2]]);
    buf.fill(0x7a); // the caller reuses its buffer for the next read
    expect(c.push(bytes('"x":"y"}\n')).lines.map((l) => [text(l.bytes), l.end])).toEqual([['{"n":2,"x":"y"}', 18]]);
    expect(c.readPos).toBe(18);
  });

  it('skips an overlong line to its newline, counted once even across pushes', () => {
    const c = new LineCursor(0, 8, hash);
    expect(c.push(bytes(`a\n${'x'.repeat(20)}\nb\n${'y'.repeat(5)}`))).toMatchObject({ tooLong: 1, lines: [{ end: 2 }, { end: 25 }] });
    const r = c.push(bytes(`${'y'.repeat(5)}\nc\n`));
    expect(r.tooLong).toBe(1);
    expect(r.lines.map((l) => text(l.bytes))).toEqual(['c']);
    expect(c.takeTail()).toBeNull();
  });

  it('hands over an unterminated tail once, ending at the read position', () => {
    const c = new LineCursor(100, 64, hash);
    c.push(bytes('tail'));
    expect(c.takeTail()).toMatchObject({ end: 104 });
    expect(c.takeTail()).toBeNull();
  });

  it('names a file by its first line with the hash it is given, fixed once the line is whole', () => {
    const c = new LineCursor(0, 64, hash);
    c.push(bytes('fir'));
    expect(c.fingerprint(false)).toBeNull();
    expect(c.fingerprint(true)).toEqual({ fp: 'h(fir)', len: 3 }); // a finished file's fallback, not kept
    c.push(bytes('st\nsecond\n'));
    expect(c.fingerprint(false)).toEqual({ fp: 'h(first\n)', len: 6 });
    expect(positionKey({ file: { dev: '1', ino: '2', fingerprint: 'h(first\n)' }, offset: 6 })).toBe('h(first\n):6');
  });

  it('takes the first 4 KiB for a first line longer than that', () => {
    const head = bytes('z'.repeat(FINGERPRINT_MAX + 10));
    expect(fingerprintOf(head, false, (b) => `${b.length}`)).toEqual({ fp: `${FINGERPRINT_MAX}`, len: FINGERPRINT_MAX });
  });
});
