import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NAME_BYTES, MAX_NAMES, MAX_RDATA_BYTES, readSentNames } from './dns-sent-names.js';

const header = (qdcount: number, flags = 0x0100, an = 0, ns = 0, ar = 0) =>
  [0x12, 0x34, flags >> 8, flags & 0xff, qdcount >> 8, qdcount & 0xff, an >> 8, an & 0xff, ns >> 8, ns & 0xff, ar >> 8, ar & 0xff];
const name = (...labels: (string | number[])[]) => labels.flatMap((l) => {
  const bytes = typeof l === 'string' ? [...Buffer.from(l, 'latin1')] : l;
  return [bytes.length, ...bytes];
}).concat(0);
const query = (...parts: number[][]) => Uint8Array.from(parts.flat());
const typeClass = [0, 1, 0, 1];
/** TYPE TXT, CLASS IN, TTL 0, RDLENGTH, RDATA. */
const txt = (data: string) => [0, 16, 0, 1, 0, 0, 0, 0, (data.length + 1) >> 8, (data.length + 1) & 0xff, data.length, ...Buffer.from(data, 'latin1')];

describe('readSentNames', () => {
  it('reads the labels of a query\'s question', () => {
    expect(readSentNames(query(header(1), name('mfrgg3', 'exfil-drill', 'test'), typeClass))).toEqual([['mfrgg3', 'exfil-drill', 'test']]);
  });

  it('reads every question, and binary label bytes as latin1', () => {
    const p = query(header(2), name([0x00, 0xff, 0x41], 'x'), typeClass, name('b', 'test'), typeClass);
    expect(readSentNames(p)).toEqual([['\u0000\u00ffA', 'x'], ['b', 'test']]);
    // A fifth question carries data like the first.
    const six = query(header(6), ...Array.from({ length: 6 }, (_, i) => [...name(`q${i}`), ...typeClass]));
    expect(readSentNames(six).map((n) => n[0])).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    const many = query(header(65535), ...Array.from({ length: 100 }, () => [...name('a'), ...typeClass]));
    expect(readSentNames(many)).toHaveLength(MAX_NAMES);
  });

  it('reads what a message flagged as a response carries: the build sent it', () => {
    expect(readSentNames(query(header(1, 0x8180), name('a', 'test'), typeClass))).toEqual([['a', 'test']]);
  });

  it('reads record owner names and record data in the answer, authority and additional sections', () => {
    const p = query(header(1, 0x0100, 1, 0, 1), name('q', 'test'), typeClass, name('owner-data', 'test'), txt('rdata-carried'),
      [0xc0, 12], txt('second'));
    expect(readSentNames(p)).toEqual([['q', 'test'], ['owner-data', 'test'], ['\u000drdata-carried'], ['\u0006second']]);
  });

  it('reads nothing from a bare header or an empty packet', () => {
    expect(readSentNames(query(header(1)))).toEqual([]);
    expect(readSentNames(new Uint8Array(0))).toEqual([]);
    expect(readSentNames(query(header(0), name('a', 'test'), typeClass))).toEqual([]);
  });

  it('a compression pointer ends a name, keeping what came before; unknown label types end the read', () => {
    expect(readSentNames(query(header(2), [3, 0x61, 0x62, 0x63, 0xc0, 12], typeClass, name('b'), typeClass))).toEqual([['abc'], ['b']]);
    expect(readSentNames(query(header(1), [0xc0, 12], typeClass))).toEqual([]);
    expect(readSentNames(query(header(2), [0x41, 0x61], typeClass, name('b'), typeClass))).toEqual([]);
  });

  it('gives what a truncated packet holds, a cut label or record included', () => {
    const full = query(header(1), name('abcdefgh', 'test'), typeClass);
    expect(readSentNames(full.subarray(0, 12 + 1 + 5))).toEqual([['abcde']]);
    expect(readSentNames(full.subarray(0, 12 + 9))).toEqual([['abcdefgh']]);
    const withTxt = query(header(0, 0x0100, 0, 0, 1), name('o'), txt('0123456789'));
    expect(readSentNames(withTxt.subarray(0, withTxt.length - 4))).toEqual([['o'], ['\u000a012345']]);
  });

  it('reads at most 255 bytes of a name and 1,024 of a record', () => {
    const long = query(header(1), name(...Array.from({ length: 20 }, () => 'x'.repeat(63))), typeClass);
    const [labels] = readSentNames(long);
    expect(labels!.join('').length).toBe(MAX_NAME_BYTES);
    const bigRecord = query(header(0, 0x0100, 0, 0, 1), name('o'), [0, 16, 0, 1, 0, 0, 0, 0, 0x08, 0x00], Array.from({ length: 2048 }, () => 0x41));
    expect(readSentNames(bigRecord)[1]![0]!.length).toBe(MAX_RDATA_BYTES);
  });

  it('never throws on random bytes, and stays bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const names = readSentNames(bytes);
      expect(names.length).toBeLessThanOrEqual(MAX_NAMES);
      for (const n of names) expect(n.join('').length).toBeLessThanOrEqual(Math.max(MAX_NAME_BYTES, MAX_RDATA_BYTES));
    }), { numRuns: 3000 });
  });
});
