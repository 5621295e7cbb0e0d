// The keyed hash secret fingerprints are made with: a 64-bit keyed hash (two 32-bit lanes, each
// a random per-character table, a random odd multiplier and a random seed) drawn when the agent
// starts and never written anywhere, so a fingerprint is worthless off this process. Not HMAC:
// a query is cut into hundreds of pieces and HMAC (~2 µs each) made the hot path cost ~1.6 ms a
// query; this costs tens of ns a piece. Nobody outside the process sees a fingerprint, so what
// it must give is few accidental collisions (~2^-64 a pair), not resistance to a chosen input.
import { randomBytes } from 'node:crypto';
import type { PieceHash } from '../core/secret-fingerprints.js';

export function newPieceHash(): PieceHash {
  const t1 = distinctWords(256);
  const t2 = distinctWords(256);
  const [m1, m2, s1, s2] = words(4);
  const k1 = m1! | 1;
  const k2 = m2! | 1;
  const seed1 = s1!;
  const seed2 = s2!;
  return (piece) => {
    let h1 = seed1 ^ piece.length;
    let h2 = seed2 ^ Math.imul(piece.length, 0x9e3779b1);
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      // Every step is a bijection of the lane given the character: two strings part at their
      // first differing character and only meet again by chance.
      h1 = Math.imul(h1 ^ t1[c & 0xff]! ^ (c >>> 8), k1);
      h1 ^= h1 >>> 15;
      h2 = Math.imul(h2 ^ t2[c & 0xff]! ^ Math.imul(c >>> 8, 0x85ebca6b), k2);
      h2 ^= h2 >>> 13;
    }
    h1 = mix(h1 ^ h2);
    h2 = mix(h2 ^ Math.imul(h1, 0xc2b2ae35));
    return String.fromCharCode(h1 & 0xffff, h1 >>> 16, h2 & 0xffff, h2 >>> 16);
  };
}

/** murmur3's finaliser: every input bit reaches every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function words(n: number): Int32Array {
  const bytes = randomBytes(n * 4);
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * 4));
}

/** Random table entries, all different: two characters never start out equal. */
function distinctWords(n: number): Int32Array {
  for (;;) {
    const t = words(n);
    if (new Set(t).size === n) return t;
  }
}
