import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NAME_BYTES, MAX_NAMES, MAX_POINTER_HOPS, MAX_RDATA_BYTES, readSentNames } from './dns-sent-names.js';

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
/** A record of TYPE TXT whose data is `bytes` as they are. */
const rawRecord = (bytes: number[]) => [0, 16, 0, 1, 0, 0, 0, 0, bytes.length >> 8, bytes.length & 0xff, ...bytes];
const pointer = (offset: number) => [0xc0 | (offset >> 8), offset & 0xff];
/** A secret-like text cut in 9-character labels: no 10 characters of it stand together on the wire. */
const SECRET = 'o5ewc3dfmfmfjwzfgjutsmktgdlgctc4t4gnkfvtpmf5hvqrvefi4yv3gbfpxgb3';
const nineByNine = (text: string) => Array.from({ length: Math.ceil(text.length / 9) }, (_, i) => text.slice(i * 9, i * 9 + 9));

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
    expect(readSentNames(p)).toEqual([['q', 'test'], ['owner-data', 'test'], ['\u000drdata-carried'], ['q', 'test'], ['\u0006second']]);
  });

  it('reads nothing from a bare header or an empty packet', () => {
    expect(readSentNames(query(header(1)))).toEqual([]);
    expect(readSentNames(new Uint8Array(0))).toEqual([]);
  });

  it('follows a forward pointer into bytes no section counts, as a lenient resolver would', () => {
    // Question: a pointer to offset 18, past the question, where the labels stand.
    const p = query(header(1), pointer(18), typeClass, name(...nineByNine(SECRET), 'test'));
    const [question, trailing] = readSentNames(p);
    expect(question!.join('')).toBe(`${SECRET}test`);
    // The trailing bytes are read as data too (length bytes and all).
    expect(trailing).toEqual([latin1(p.subarray(18))]);
  });

  it('follows a pointer into a record\'s data: labels hidden in a TXT record are read as labels', () => {
    const rdataLabels = name(...nineByNine(SECRET));
    // Header 12, question 2 + 4, owner 3, record header 10: the data starts at 31.
    const p = query(header(1, 0x0100, 0, 0, 1), pointer(31), typeClass, name('o'), rawRecord(rdataLabels));
    const names = readSentNames(p);
    expect(names[0]!.join('')).toBe(SECRET);
    expect(names.slice(1)).toEqual([['o'], [latin1(Uint8Array.from(rdataLabels))]]);
    // Read as one string the data holds no 10 characters of the secret together.
    expect(names[2]![0]!.includes(SECRET.slice(0, 10))).toBe(false);
  });

  it('follows pointers in any direction, and ends a name at a loop, a pointer outside the capture or past the hop limit', () => {
    // Back to the name's own start: a loop, read once.
    expect(readSentNames(query(header(2), [3, 0x61, 0x62, 0x63, 0xc0, 12], typeClass, name('b'), typeClass))).toEqual([['abc'], ['b']]);
    expect(readSentNames(query(header(1), [0xc0, 12], typeClass))).toEqual([]);
    // Two names pointing at each other: each read once more, then the loop ends.
    const loop = query(header(2), [1, 0x61, ...pointer(20)], typeClass, [1, 0x62, ...pointer(12)], typeClass);
    expect(readSentNames(loop)).toEqual([['a', 'b'], ['b', 'a']]);
    // Outside the capture: what came before is kept, and the next question read.
    expect(readSentNames(query(header(2), [1, 0x61, ...pointer(0x3fff)], typeClass, name('b'), typeClass))).toEqual([['a'], ['b']]);
    // A chain of pointers, each after one label: MAX_POINTER_HOPS are followed.
    const hops = 20;
    const chain = Array.from({ length: hops }, (_, i) => [2, 0x68, 0x30 + i, ...pointer(18 + (i + 1) * 5)]).flat();
    const [followed] = readSentNames(query(header(1), pointer(18), typeClass, chain));
    expect(followed).toEqual(Array.from({ length: MAX_POINTER_HOPS }, (_, i) => `h${String.fromCharCode(0x30 + i)}`));
    // A pointer cut by the capture ends the read.
    expect(readSentNames(query(header(2), [1, 0x61, 0xc0]))).toEqual([['a']]);
  });

  it('reads at most 255 name bytes across pointers', () => {
    const label = (i: number) => [63, ...Array.from({ length: 63 }, () => 0x61 + i)];
    // Five 63-byte labels, each followed by a pointer to the next.
    const segments = Array.from({ length: 5 }, (_, i) => [...label(i), ...pointer(18 + (i + 1) * 66)]).flat();
    const [labels] = readSentNames(query(header(1), pointer(18), typeClass, segments));
    expect(labels!.join('').length).toBe(MAX_NAME_BYTES);
    expect(labels!.map((l) => l.length)).toEqual([63, 63, 63, 63, 3]);
  });

  it('reads the bytes after the last section as data, at most 1,024 of them; none after a name it could not read', () => {
    expect(readSentNames(query(header(0), name('a', 'test'), typeClass))).toEqual([['\u0001a\u0004test\u0000\u0000\u0001\u0000\u0001']]);
    expect(readSentNames(query(header(1), name('q'), typeClass, Array.from({ length: 2048 }, () => 0x41)))).toEqual([['q'], ['A'.repeat(MAX_RDATA_BYTES)]]);
    // An unknown label type ends the read: what follows is not read at all.
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
    // Messages made mostly of pointers and short labels: loops, chains, pointers everywhere.
    const byte = fc.oneof(fc.constantFrom(0xc0, 0, 1, 2, 63), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.array(byte, { maxLength: 600 }), (questions, body) => {
      const names = readSentNames(Uint8Array.from([...header(questions, 0x0100, 3, 0, 3), ...body]));
      expect(names.length).toBeLessThanOrEqual(MAX_NAMES);
      for (const n of names) expect(n.join('').length).toBeLessThanOrEqual(Math.max(MAX_NAME_BYTES, MAX_RDATA_BYTES));
    }), { numRuns: 3000 });
  });
});

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}
