// Scores how much information a DNS label (or a build's run of labels) likely smuggles.
// Entropy alone fails both ways: a short or hex label cannot reach a fixed bits/char bar,
// and CDN ids look random but are benign. So we compare the label's entropy with what
// uniformly random text of the same length and alphabet would show, discount word-like
// text, and report the information carried as bits.

import { classifyAlphabet, type AlphabetName } from './label-alphabet.js';
import { labelBytes } from './dns-name-text.js';
import { expectedEntropy, shannonEntropy } from './shannon-entropy.js';
import { wordLikeness } from './word-likeness.js';

export { classifyAlphabet } from './label-alphabet.js';
export { expectedEntropy, shannonEntropy } from './shannon-entropy.js';

/** Below this many characters a label carries too little to judge (and too many words fit). */
export const MIN_SCORED_LENGTH = 6;

export interface LabelScore {
  text: string;
  length: number;
  alphabet: AlphabetName;
  alphabetSize: number;
  entropy: number;
  expectedEntropy: number;
  entropyRatio: number;
  wordLikeness: number;
  /** 0..1: how much the label looks like uniformly random (encoded) data. */
  randomness: number;
  /** Estimated information carried: randomness * length * log2(alphabet size); 0 when short. */
  bits: number;
  /** The same estimate without the short-label floor: one short label proves nothing, but
   * distinct short labels sent to one domain over many queries add up (a slow drip). */
  rawBits: number;
}

/** `text` is a rendered label (dig-style escapes allowed); it is judged on its bytes. */
export function scoreLabel(text: string): LabelScore {
  let raw = '';
  for (const b of labelBytes(text)) raw += String.fromCharCode(b);
  const { alphabet, size, text: judged } = classifyAlphabet(raw);
  const length = judged.length;
  const entropy = shannonEntropy(judged);
  const expected = expectedEntropy(length, size);
  const entropyRatio = expected === 0 ? 0 : entropy / expected;
  // Word-likeness reads the label with its hyphens: they mark where words and numbers meet.
  const words = alphabet === 'binary' ? 0 : wordLikeness(raw).score;
  // Random text lands near ratio 1 at every length; repetitive text (aaaa, abab) well below.
  const entropyFit = clamp01((entropyRatio - 0.75) / 0.2);
  const randomness = entropyFit * (1 - words);
  const rawBits = randomness * length * Math.log2(size);
  const bits = length < MIN_SCORED_LENGTH ? 0 : rawBits;
  return {
    text, length, alphabet, alphabetSize: size, entropy, expectedEntropy: expected, entropyRatio,
    wordLikeness: words, randomness, bits, rawBits,
  };
}

export interface SubdomainScore {
  labels: LabelScore[];
  /** All labels joined without dots: data split across labels reads as one string. */
  joined: LabelScore | null;
  reading: 'labels' | 'joined';
  /** The stronger reading: the distinct labels' bits summed, or the joined string's bits. */
  bits: number;
  /** The bits of the stronger reading attributed to each label (by length when joined). */
  labelBits: Array<{ label: string; bits: number }>;
}

/** Distinct labels past which seeds of one kind share a joined reading (see scoreSubdomain). */
const MANY_LABELS = 24;

export function scoreSubdomain(labels: readonly string[]): SubdomainScore {
  const distinct = [...new Set(labels.filter((l) => l.length > 0))];
  const scores = distinct.map(scoreLabel);
  const labelsBits = scores.reduce((sum, s) => sum + s.bits, 0);
  // Data split across labels is read joined, within one alphabet: each label in turn names
  // an alphabet, the labels that fit it are joined, and the richest reading wins. A word or
  // region tag ("ingest", "us", "r2") beside a random hex id then cannot lend the id a larger
  // alphabet, while base64 chunks of different lengths, or beside a decoy, still join.
  let joined: LabelScore | null = null;
  const tried = new Set<string>();
  // Trying every label as a seed is quadratic. Past MANY_LABELS distinct labels (no ordinary
  // name has that many; a hostile one of 120 would cost milliseconds) seeds alike share one
  // group: which labels join a seed depends, padding and hyphens aside, on its alphabet and
  // whether it has lower and upper case letters.
  const seedKinds = distinct.length > MANY_LABELS ? new Set<string>() : null;
  for (const seed of distinct) {
    const alphabet = classifyAlphabet(seed).alphabet;
    if (seedKinds !== null) {
      const kind = `${alphabet}|${/[a-z]/.test(seed)}|${/[A-Z]/.test(seed)}`;
      if (seedKinds.has(kind)) continue;
      seedKinds.add(kind);
    }
    const group = distinct.filter((l) => l === seed || classifyAlphabet(`${seed}${l}`).alphabet === alphabet);
    if (group.length < 2) continue;
    const key = group.join('\0');
    if (tried.has(key)) continue;
    tried.add(key);
    const reading = scoreLabel(group.join(''));
    if (joined === null || reading.bits > joined.bits) joined = reading;
  }
  if (joined === null || joined.bits <= labelsBits) {
    return { labels: scores, joined, reading: 'labels', bits: labelsBits, labelBits: scores.map((s) => ({ label: s.text, bits: s.bits })) };
  }
  const totalLength = scores.reduce((sum, s) => sum + s.length, 0);
  const labelBits = scores.map((s) => ({ label: s.text, bits: (joined.bits * s.length) / totalLength }));
  return { labels: scores, joined, reading: 'joined', bits: joined.bits, labelBits };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
