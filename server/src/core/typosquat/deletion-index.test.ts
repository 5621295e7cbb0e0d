import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildDeletionIndex, forEachDeletionHash } from './deletion-index.js';
import { osaDistance } from './edit-distance.js';

describe('buildDeletionIndex', () => {
  it('finds every stored string within its budget, whatever the edit (property)', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '-'), minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 30 }), word, (stored, query) => {
      const budgets = stored.map((s) => (s.length >= 6 ? 2 : 1));
      const index = buildDeletionIndex(stored, budgets);
      const found = index.candidates(query, 2);
      stored.forEach((s, id) => {
        if (osaDistance(query, s, budgets[id]!) <= budgets[id]!) expect(found.has(id), `${query} ~ ${s}`).toBe(true);
      });
    }), { numRuns: 1500 });
  });

  it('stores nothing for a budget of -1', () => {
    const index = buildDeletionIndex(['tokio', 'serde'], [-1, 1]);
    expect(index.candidates('tokio', 2).has(0)).toBe(false);
    expect(index.candidates('serd', 2).has(1)).toBe(true);
  });

  it('emits one hash per deletion variant: 1 + n + n(n-1)/2', () => {
    let count = 0;
    forEachDeletionHash('abcdef', 2, () => count++);
    expect(count).toBe(1 + 6 + 15);
    const seen = new Set<number>();
    forEachDeletionHash('abcdef', 1, (h) => seen.add(h));
    expect(seen.size).toBe(7); // distinct strings, distinct hashes
  });
});
