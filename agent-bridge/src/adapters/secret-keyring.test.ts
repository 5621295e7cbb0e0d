import { describe, expect, it } from 'vitest';
import { newPieceHash } from './secret-keyring.js';

describe('newPieceHash', () => {
  it('gives equal pieces equal fingerprints, and is keyed per call', () => {
    const a = newPieceHash();
    const b = newPieceHash();
    expect(a('wjalrxutnf')).toBe(a('wjalrxutnf'));
    expect(a('wjalrxutnf')).not.toBe(a('wjalrxutnF'));
    expect(a('wjalrxutnf')).not.toBe(b('wjalrxutnf'));
    expect(a('')).not.toBe(a('\0'));
  });

  it('does not collide over a million close pieces (64 bits: a collision here would be a bug)', () => {
    const h = newPieceHash();
    const byHash = new Map<string, string>();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    let collisions = 0;
    // Pieces that differ in one to three characters: the shape a leak check compares.
    for (let i = 0; i < 1_000_000; i++) {
      const s = 'aaaaaaaaaa'.split('');
      s[i % 10] = alphabet[(i >> 4) & 31]!;
      s[(i >> 9) % 10] = alphabet[(i >> 14) & 31]!;
      s[9 - ((i >> 19) % 10)] = alphabet[i & 31]!;
      const piece = s.join('');
      const fp = h(piece);
      const other = byHash.get(fp);
      if (other !== undefined && other !== piece) collisions++;
      byHash.set(fp, piece);
    }
    expect(collisions).toBe(0);
    expect(byHash.size).toBeGreaterThan(10_000);
  });

  it('keeps no text: the fingerprint is four 16-bit units', () => {
    const h = newPieceHash();
    expect(h('NPM_TOKEN=abcdefghijklmnop')).toHaveLength(4);
  });
});
