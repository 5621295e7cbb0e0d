import { describe, expect, it } from 'vitest';
import { wordLikeness } from './word-likeness.js';

describe('wordLikeness', () => {
  it('reads hostname words as words', () => {
    for (const w of ['download', 'static-assets', 'registry-1', 'pipelines', 'objects', 'crates', 'index', 'us-east-1']) {
      expect(wordLikeness(w).score, w).toBeGreaterThan(0.6);
    }
  });

  it('reads encoded data as not words', () => {
    for (const d of ['mfrggzdfmztqoj3jnbvgw3dn', 'd3h5fk9a6x1u7s', '591fdb59059b1f0551f7', 'wr_bwqwbhwvr98mhxaph']) {
      expect(wordLikeness(d).score, d).toBeLessThan(0.2);
    }
  });

  it('counts the facts it scores on', () => {
    expect(wordLikeness('python3')).toMatchObject({ extraFlips: 0, longestConsonantRun: 2 });
    expect(wordLikeness('a1b2c3')).toMatchObject({ extraFlips: 4 });
    expect(wordLikeness('xkcdqz').longestConsonantRun).toBe(6);
    expect(wordLikeness('').score).toBe(0);
  });
});
