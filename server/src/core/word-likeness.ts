// How much a label reads like words rather than encoded data. Random text over base32, hex
// or base64 rarely strings common letter pairs together, keeps a word-like vowel share, or
// avoids flipping between letters and digits; hostnames made of words and numbers do.

/**
 * Common pairs: the 50 most frequent English letter bigrams of Peter Norvig's "English
 * Letter Frequency Counts: Mayzner Revisited" (Google Books n-grams, 2012), plus every pair
 * inside the hostname vocabulary below, words that name build-time services.
 */
const NORVIG_TOP_50 =
  'th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur';
const HOSTNAME_WORDS =
  'www api cdn static assets download registry index crates github objects pipelines mirror files ' +
  'python hosted pypi npm yarn docker cloud storage proxy golang maven central repo update release ' +
  'archive packages nodejs org east west north south central auth login token telemetry metrics ' +
  'plugins gradle fastly amazon aws pkg mozilla ubuntu debian alpine security launchpad content ' +
  'windows microsoft google apis gstatic azure edge global services';

function bigramsOf(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < word.length; i++) out.push(word.slice(i, i + 2));
  return out;
}

const COMMON_BIGRAMS = new Set([...NORVIG_TOP_50.split(' '), ...HOSTNAME_WORDS.split(' ').flatMap(bigramsOf)]);
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const isLetter = (c: string) => c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';

export interface WordLikeness {
  /** 0..1: 1 reads like words, 0 like encoded data. */
  score: number;
  bigramShare: number;
  vowelShare: number;
  /** Letter<->digit flips beyond the first (a trailing version number is one flip). */
  extraFlips: number;
  longestConsonantRun: number;
}

export function wordLikeness(text: string): WordLikeness {
  const t = text.toLowerCase();
  let pairs = 0;
  let hits = 0;
  let letters = 0;
  let vowels = 0;
  let flips = 0;
  let run = 0;
  let longestRun = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i] as string;
    const next = t[i + 1];
    if (isLetter(c)) {
      letters++;
      if (VOWELS.has(c)) { vowels++; run = 0; } else { run++; longestRun = Math.max(longestRun, run); }
    } else {
      run = 0;
    }
    if (next === undefined) continue;
    if (isLetter(c) && isLetter(next)) {
      pairs++;
      if (COMMON_BIGRAMS.has(c + next)) hits++;
    }
    if ((isLetter(c) && isDigit(next)) || (isDigit(c) && isLetter(next))) flips++;
  }
  const bigramShare = pairs === 0 ? 0 : hits / pairs;
  const vowelShare = letters === 0 ? 0 : vowels / letters;
  const extraFlips = Math.max(0, flips - 1);

  // English letters run about 40% vowels (y included); data letters about 23% (6 of 26).
  const vowelFit = clamp01(1 - Math.abs(vowelShare - 0.42) / 0.3);
  const letterShare = t.length === 0 ? 0 : letters / t.length;
  const flipPenalty = clamp01(extraFlips / Math.max(1, t.length / 4));
  const runPenalty = clamp01((longestRun - 4) / 4);
  const score = clamp01((0.7 * bigramShare + 0.3 * vowelFit) * Math.sqrt(letterShare) * (1 - flipPenalty) * (1 - runPenalty));
  return { score, bigramShare, vowelShare, extraFlips, longestConsonantRun: longestRun };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
