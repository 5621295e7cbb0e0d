import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeOneEdit, osaDistance } from './edit-distance.js';

/** The textbook optimal-string-alignment table, no cut-off: the reference. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('osaDistance', () => {
  it('counts the typos people make as one edit each', () => {
    expect(osaDistance('requests', 'requests', 2)).toBe(0);
    expect(osaDistance('requests', 'reqeusts', 2)).toBe(1); // neighbours swapped
    expect(osaDistance('requests', 'request', 2)).toBe(1);
    expect(osaDistance('requests', 'requestss', 2)).toBe(1);
    expect(osaDistance('requests', 'requesta', 2)).toBe(1);
    expect(osaDistance('ca', 'abc', 3)).toBe(3); // OSA, not unrestricted Damerau: no edit inside a swap
  });

  it('stops at max + 1', () => {
    expect(osaDistance('abcdefgh', 'zyxwvuts', 2)).toBe(3);
    expect(osaDistance('a', 'abcdef', 2)).toBe(3);
    expect(osaDistance('', 'ab', 2)).toBe(2);
  });

  it('agrees with the reference table up to its cut-off (property)', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 9 });
    fc.assert(fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, max) => {
      const want = reference(a, b);
      expect(osaDistance(a, b, max)).toBe(want <= max ? want : max + 1);
    }), { numRuns: 3000 });
  });
});

describe('describeOneEdit', () => {
  it.each([
    ['url-parsr', 'url-parse', '"e" replaced by "r" at 9'],
    ['crss-env', 'cross-env', '"o" missing at 3'],
    ['crosss-env', 'cross-env', 'extra "s" at 6'],
    ['reqeusts', 'requests', '"ue" swapped at 4'],
  ])('%s against %s', (candidate, known, words) => {
    expect(describeOneEdit(candidate, known)).toBe(words);
  });
});
