// Which alphabet a label's text is drawn from. Encoders pick an alphabet and stay in it, so
// the smallest alphabet that holds the text bounds how much information each character can
// carry (log2 of its size); choosing the smallest keeps every later estimate conservative.

export type AlphabetName =
  | 'decimal' | 'hex' | 'base32' | 'base32hex' | 'alnum' | 'hostname' | 'base64' | 'printable' | 'binary';

export interface AlphabetReading {
  alphabet: AlphabetName;
  size: number;
  /** The text judged: lower-cased for case-insensitive alphabets, '=' padding stripped. */
  text: string;
}

/** Smallest first; each is judged on lower-cased text (DNS is case-insensitive). */
const CASE_INSENSITIVE: Array<[AlphabetName, number, RegExp]> = [
  ['decimal', 10, /^[0-9]+$/],
  ['hex', 16, /^[0-9a-f]+$/],
  ['base32', 32, /^[a-z2-7]+$/], // RFC 4648 section 6
  ['base32hex', 32, /^[0-9a-v]+$/], // RFC 4648 section 7
  ['alnum', 36, /^[0-9a-z]+$/],
];
/** Standard and URL-safe base64 together: 62 letters and digits plus '+' '/' '-' '_'. */
const BASE64 = /^[A-Za-z0-9+/_-]+$/;
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * `raw` is the label's bytes as a latin1 string (one char per byte). Hyphens are dropped
 * before a case-insensitive alphabet is tried: they separate words and UUID groups in
 * hostnames and carry next to nothing, so `0f8c-...` is hex, not a 38-symbol alphabet.
 */
export function classifyAlphabet(raw: string): AlphabetReading {
  if (raw === '') return { alphabet: 'hostname', size: 38, text: '' };
  const unpadded = raw.replace(/=+$/, '');
  const text = unpadded === '' ? raw : unpadded;
  const mixedCase = /[a-z]/.test(text) && /[A-Z]/.test(text);
  if (!mixedCase) {
    const lower = text.toLowerCase();
    const words = lower.replace(/-/g, '');
    for (const [alphabet, size, pattern] of CASE_INSENSITIVE) {
      if (pattern.test(words)) return { alphabet, size, text: words };
    }
    if (/^[0-9a-z_-]+$/.test(lower)) return { alphabet: 'hostname', size: 38, text: lower };
  }
  if (BASE64.test(text)) return { alphabet: 'base64', size: 64, text };
  if (PRINTABLE.test(raw)) return { alphabet: 'printable', size: 95, text: raw };
  return { alphabet: 'binary', size: 256, text: raw };
}
