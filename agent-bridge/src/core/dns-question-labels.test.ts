import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NAME_BYTES, readQuestionLabels } from './dns-question-labels.js';

const header = (qdcount: number, flags = 0x0100) => [0x12, 0x34, flags >> 8, flags & 0xff, qdcount >> 8, qdcount & 0xff, 0, 0, 0, 0, 0, 0];
const name = (...labels: (string | number[])[]) => labels.flatMap((l) => {
  const bytes = typeof l === 'string' ? [...Buffer.from(l, 'latin1')] : l;
  return [bytes.length, ...bytes];
}).concat(0);
const query = (...parts: number[][]) => Uint8Array.from(parts.flat());
const typeClass = [0, 1, 0, 1];

describe('readQuestionLabels', () => {
  it('reads the labels of a query\'s question', () => {
    expect(readQuestionLabels(query(header(1), name('mfrgg3', 'exfil-drill', 'test'), typeClass))).toEqual([['mfrgg3', 'exfil-drill', 'test']]);
  });

  it('reads every question (bounded), and binary label bytes as latin1', () => {
    const p = query(header(2), name([0x00, 0xff, 0x41], 'x'), typeClass, name('b', 'test'), typeClass);
    expect(readQuestionLabels(p)).toEqual([['\u0000\u00ffA', 'x'], ['b', 'test']]);
    const many = query(header(65535), ...Array.from({ length: 10 }, () => [...name('a'), ...typeClass]));
    expect(readQuestionLabels(many)).toHaveLength(4);
  });

  it('reads nothing from a response, a bare header or an empty packet', () => {
    expect(readQuestionLabels(query(header(1, 0x8180), name('a', 'test'), typeClass))).toEqual([]);
    expect(readQuestionLabels(query(header(1)))).toEqual([]);
    expect(readQuestionLabels(new Uint8Array(0))).toEqual([]);
    expect(readQuestionLabels(query(header(0), name('a', 'test'), typeClass))).toEqual([]);
  });

  it('refuses compression pointers and unknown label types, keeping what came before', () => {
    expect(readQuestionLabels(query(header(1), [3, 0x61, 0x62, 0x63, 0xc0, 12], typeClass))).toEqual([['abc']]);
    expect(readQuestionLabels(query(header(1), [0xc0, 12], typeClass))).toEqual([]);
    expect(readQuestionLabels(query(header(2), [0x41, 0x61], typeClass, name('b'), typeClass))).toEqual([]);
  });

  it('gives what a truncated packet holds, a cut label included', () => {
    const full = query(header(1), name('abcdefgh', 'test'), typeClass);
    expect(readQuestionLabels(full.subarray(0, 12 + 1 + 5))).toEqual([['abcde']]);
    expect(readQuestionLabels(full.subarray(0, 12 + 9))).toEqual([['abcdefgh']]);
  });

  it('reads at most 255 bytes of a name', () => {
    const long = query(header(1), name(...Array.from({ length: 20 }, () => 'x'.repeat(63))), typeClass);
    const [labels] = readQuestionLabels(long);
    expect(labels!.join('').length).toBe(MAX_NAME_BYTES);
  });

  it('never throws on random bytes, and stays bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const names = readQuestionLabels(bytes);
      expect(names.length).toBeLessThanOrEqual(4);
      for (const n of names) expect(n.join('').length).toBeLessThanOrEqual(MAX_NAME_BYTES);
    }), { numRuns: 3000 });
  });
});
