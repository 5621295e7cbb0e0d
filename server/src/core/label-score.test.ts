import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyAlphabet, scoreLabel, scoreSubdomain } from './label-score.js';

// A fake 40-byte credential, encoded the ways exfiltration tools encode it.
const TOKEN = 'ghp_R8x2Kq7LmN4pZt9VwY3cHs6JdF1gBe5uTa0X';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += B32[(value >>> (bits - 5)) & 31];
  }
  return bits > 0 ? out + B32[(value << (5 - bits)) & 31] : out;
}
const tokenBytes = new TextEncoder().encode(TOKEN);
const asBase32 = base32(tokenBytes); // 64 chars: over the 63-byte label limit, so sent in two labels
const asBase64url = Buffer.from(tokenBytes).toString('base64url'); // 54 chars
const asHex = Buffer.from(tokenBytes).toString('hex'); // 80 chars
const chunks = (s: string, n: number) => s.match(new RegExp(`.{1,${n}}`, 'g')) ?? [];

/** Deterministic PRNG (mulberry32) so statistical checks cannot flake. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('scoreLabel', () => {
  it('scores an encoded token as random data carrying hundreds of bits', () => {
    const s = scoreLabel(asBase64url);
    expect(s).toMatchObject({ length: 54, alphabet: 'base64', alphabetSize: 64 });
    expect(s.expectedEntropy).toBeCloseTo(5.05, 2);
    expect(s.randomness).toBeGreaterThan(0.9);
    expect(s.bits).toBeGreaterThan(250); // observed 324
    expect(scoreLabel(asBase32.slice(0, 32)).bits).toBeGreaterThan(120); // observed 160
    expect(scoreLabel(asHex.slice(0, 40)).bits).toBeGreaterThan(120); // observed 160
  });

  it('keeps hostname words low', () => {
    const words = ['www', 'api', 'download', 'static-assets', 'registry-1', 'index', 'crates', 'github', 'objects',
      'pipelines', 'us-east-1', 'production', 'storage', 'codeload', 'telemetry', 'python3', 'node20', 'europe-west4'];
    for (const w of words) {
      const s = scoreLabel(w);
      expect(s.randomness, w).toBeLessThan(0.5);
      expect(s.bits, w).toBeLessThan(20); // highest observed: europe-west4 17.6, us-east-1 13.7
    }
  });

  it('gives short labels no bits, however random', () => {
    expect(scoreLabel('x7Qz2').bits).toBe(0);
    expect(scoreLabel('x7Qz2').randomness).toBeGreaterThan(0);
  });

  it('reads a CDN id as random, which is fine: its domain, not its subdomain, holds it', () => {
    // d3h5fk9a6x1u7s.cloudfront.net: cloudfront.net is a private suffix, so the id is part of
    // the registrable domain and never reaches the scorer; were it scored, it stays under the
    // single-query bar (80 bits) and repeats of the same id count once.
    const s = scoreLabel('d3h5fk9a6x1u7s');
    expect(s.alphabet).toBe('alnum');
    expect(s.randomness).toBeGreaterThan(0.9);
    expect(s.bits).toBeGreaterThan(60);
    expect(s.bits).toBeLessThan(80);
  });

  it('scores repetitive text as not random even when it is long', () => {
    expect(scoreLabel('aaaaaaaaaaaaaaaaaaaa').randomness).toBe(0);
    expect(scoreLabel('abababababababababab').randomness).toBe(0);
  });

  it('judges escaped binary labels on their bytes', () => {
    const rand = prng(7);
    const bytes = Array.from({ length: 30 }, () => Math.floor(rand() * 256));
    const text = bytes.map((b) => `\\${String(b).padStart(3, '0')}`).join('');
    const s = scoreLabel(text);
    expect(s).toMatchObject({ length: 30, alphabet: 'binary', alphabetSize: 256 });
    expect(s.bits).toBeGreaterThan(150);
  });

  it('finds uniformly random labels random at every length from 16 up', () => {
    const rand = prng(42);
    for (const alphabet of ['0123456789abcdef', B32, `${B32.toLowerCase()}ABCDEFGHIJKLMNOPQRSTUVWXYZ01890-_`]) {
      for (const length of [16, 24, 32, 48, 63]) {
        const scores = Array.from({ length: 200 }, () => {
          let s = '';
          for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
          return scoreLabel(s).randomness;
        }).sort((a, b) => a - b);
        expect(scores[100], `${alphabet.length}/${length} median`).toBeGreaterThan(0.85);
        expect(scores[10], `${alphabet.length}/${length} 5th percentile`).toBeGreaterThan(0.5);
      }
    }
  });
});

describe('scoreSubdomain', () => {
  it('reads data split into short labels as one long label', () => {
    const split = scoreSubdomain(['MFRGG', 'ZDFMZ', 'TQOJ']);
    expect(split.labels.every((l) => l.bits === 0)).toBe(true);
    expect(split.reading).toBe('joined');
    expect(split.bits).toBeCloseTo(scoreLabel('MFRGGZDFMZTQOJ').bits, 9);
    expect(split.bits).toBeGreaterThan(50); // observed 67.6
    expect(split.labelBits.map((l) => l.bits.toFixed(1))).toEqual(
      [5, 5, 4].map((n) => ((split.bits * n) / 14).toFixed(1)),
    );
  });

  it('scores the whole token high however it is cut into labels', () => {
    expect(scoreSubdomain(chunks(asBase32, 32)).bits).toBeGreaterThan(250); // observed 320
    expect(scoreSubdomain(chunks(asBase32, 5)).bits).toBeGreaterThan(250); // observed 320
    expect(scoreSubdomain(chunks(asHex, 40)).bits).toBeGreaterThan(200); // observed 223
    expect(scoreSubdomain(chunks(asHex, 8)).bits).toBeGreaterThan(200); // observed 281
  });

  it('keeps word subdomains low when joined', () => {
    for (const labels of [['pipelines', 'actions'], ['www', 'api'], ['us-east-1', 'prod', 'api'], ['static-assets', 'cdn']]) {
      expect(scoreSubdomain(labels).bits, labels.join('.')).toBeLessThan(20);
    }
  });

  it('counts a label repeated within one name once', () => {
    const once = scoreSubdomain([asBase64url]);
    expect(scoreSubdomain([asBase64url, asBase64url]).bits).toBeCloseTo(once.bits, 9);
    expect(scoreSubdomain([]).bits).toBe(0);
  });
});

describe('scoreSubdomain joined reading', () => {
  // The reading before seeds were grouped by kind: every seed builds its own group.
  function naiveJoinedBits(labels: readonly string[]): number | null {
    const distinct = [...new Set(labels.filter((l) => l.length > 0))];
    let best: number | null = null;
    for (const seed of distinct) {
      const alphabet = classifyAlphabet(seed).alphabet;
      const group = distinct.filter((l) => l === seed || classifyAlphabet(`${seed}${l}`).alphabet === alphabet);
      if (group.length < 2) continue;
      const bits = scoreLabel(group.join('')).bits;
      if (best === null || bits > best) best = bits;
    }
    return best;
  }

  it('gives the same joined reading as trying every seed on its own (names of up to 24 distinct labels)', () => {
    const label = fc.stringMatching(/^[0-9a-zA-Z_+/=-]{1,12}$/);
    fc.assert(fc.property(fc.array(label, { minLength: 2, maxLength: 12 }), (labels) => {
      expect(scoreSubdomain(labels).joined?.bits ?? null).toBe(naiveJoinedBits(labels));
    }), { numRuns: 2000 });
  });

  it('still reads data split over very many labels as one string', () => {
    // 120 distinct 2-character base32 chunks: each label far under the scoring length.
    const data = 'mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpjqwey3eouzxoylbmnsgk3tgmfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpjqwey3eorsxe3tvnbqw4zlsmfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpjqwey3e';
    const labels = [...new Set(data.match(/.{2}/g)!)];
    expect(labels.length).toBeGreaterThan(24);
    const score = scoreSubdomain(labels);
    expect(score.reading).toBe('joined');
    expect(score.bits).toBeGreaterThan(140);
  });
});
