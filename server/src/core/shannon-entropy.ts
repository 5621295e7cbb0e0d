// Plug-in Shannon entropy of a string and its exact expectation for uniformly random text.
// The expectation matters because an L-character string can never exceed log2(L) bits/char:
// a fixed "> 3.5 bits" rule misses every random label shorter than 12 characters.

/** Shannon entropy in bits per character of the character frequencies of `text`. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const memo = new Map<number, number>();
const MEMO_MAX_LENGTH = 1024;

/**
 * E[plug-in entropy] of a uniformly random length-L string over an A-symbol alphabet.
 * By linearity of expectation over the A symbols, each with count K ~ Binomial(L, 1/A):
 *   A * sum_{k=1..L} P(K = k) * (-(k/L) log2(k/L)).
 */
export function expectedEntropy(length: number, alphabetSize: number): number {
  if (!Number.isInteger(length) || !Number.isInteger(alphabetSize) || length < 1 || alphabetSize < 1) return 0;
  const key = length * 4096 + alphabetSize;
  const cached = memo.get(key);
  if (cached !== undefined) return cached;

  const p = 1 / alphabetSize;
  // P(K = k) by the recurrence P(k) = P(k-1) * (L-k+1)/k * p/(1-p), in logs to stay finite.
  let logPk = length * Math.log1p(-p);
  const logRatio = alphabetSize === 1 ? -Infinity : Math.log(p) - Math.log1p(-p);
  let sum = 0;
  for (let k = 1; k <= length; k++) {
    logPk += Math.log((length - k + 1) / k) + logRatio;
    const f = k / length;
    sum += Math.exp(logPk) * -f * Math.log2(f);
  }
  const result = alphabetSize === 1 ? 0 : alphabetSize * sum;
  if (length <= MEMO_MAX_LENGTH && alphabetSize <= 4096) memo.set(key, result);
  return result;
}
