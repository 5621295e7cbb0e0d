import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectedEntropy, shannonEntropy } from './shannon-entropy.js';

/** Average plug-in entropy over every string of length L on A symbols: the definition. */
function bruteForce(L: number, A: number): number {
  let total = 0;
  const n = A ** L;
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 0, v = i; j < L; j++, v = Math.floor(v / A)) s += String.fromCharCode(97 + (v % A));
    total += shannonEntropy(s);
  }
  return total / n;
}

describe('shannonEntropy', () => {
  it('is 0 for one repeated symbol and log2(n) for n distinct ones', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2, 12);
    expect(shannonEntropy('aabb')).toBeCloseTo(1, 12);
    expect(shannonEntropy('')).toBe(0);
  });
});

describe('expectedEntropy', () => {
  it('matches exhaustive enumeration exactly', () => {
    for (const [L, A] of [[1, 2], [2, 2], [3, 2], [4, 3], [5, 4], [6, 3], [3, 16]] as const) {
      expect(expectedEntropy(L, A)).toBeCloseTo(bruteForce(L, A), 10);
    }
  });

  it('stays below log2(min(L, A)), the most an L-character string can show', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 300 }), fc.constantFrom(10, 16, 32, 36, 64, 256), (L, A) => {
      const e = expectedEntropy(L, A);
      expect(e).toBeGreaterThan(0);
      expect(e).toBeLessThan(Math.log2(Math.min(L, A)));
      expect(expectedEntropy(L + 1, A)).toBeGreaterThan(e);
    }));
  });

  it('pins the values the detectors lean on', () => {
    // A 10-character random hex label averages 2.81 bits/char: far under a fixed 3.5 bar.
    expect(expectedEntropy(10, 16)).toBeCloseTo(2.81, 2);
    expect(expectedEntropy(64, 32)).toBeCloseTo(4.60, 2);
    expect(expectedEntropy(54, 64)).toBeCloseTo(5.05, 2);
  });

  it('is 0 for degenerate input', () => {
    expect(expectedEntropy(0, 32)).toBe(0);
    expect(expectedEntropy(5, 1)).toBe(0);
    expect(expectedEntropy(2.5, 16)).toBe(0);
  });
});
