// Rebuilds the drill's canary from the query names the drill DNS server received, per the
// layout url-parsr's build.rs sends (drill/project/README.md):
// `<seq>-<total>.<data>[.<data>...].<domain>`. Pure: no I/O.

type Encoding = 'base32' | 'base64url' | 'hex';

export interface RebuiltCanary {
  /** The leaked token, or null when the chunks are incomplete, conflict or do not decode. */
  canary: string | null;
  /** Distinct chunks read under the drill domain (a duplicate or retry counts once). */
  usedQueries: number;
}

interface Chunk {
  seq: number;
  total: number;
  data: string;
}

const SEQ_LABEL = /^(0|[1-9]\d{0,5})-([1-9]\d{0,5})$/;
const DATA_LABEL: Record<Encoding, RegExp> = {
  base32: /^[a-z2-7]{1,63}$/,
  base64url: /^[A-Za-z0-9_-]{1,63}$/,
  hex: /^[0-9a-f]{1,63}$/,
};
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * `queryNames` in arrival order (duplicates, retries and foreign names allowed). base32 and
 * hex are read case-insensitively (resolvers may randomise case); base64url needs the case
 * as sent, so a case-changed copy of a chunk makes it conflict and the result null.
 */
export function rebuildCanary(queryNames: string[], domain: string, encoding: Encoding): RebuiltCanary {
  const suffix = `.${domain.replace(/\.$/, '').toLowerCase()}`;
  const chunks = new Map<number, string>();
  let total: number | null = null;
  let conflict = false;
  for (const name of queryNames) {
    const chunk = parseQueryName(name, suffix, encoding);
    if (chunk === null) continue;
    if (total !== null && total !== chunk.total) conflict = true;
    total ??= chunk.total;
    const known = chunks.get(chunk.seq);
    if (known === undefined) chunks.set(chunk.seq, chunk.data);
    else if (known !== chunk.data) conflict = true;
  }
  const usedQueries = chunks.size;
  if (conflict || total === null || chunks.size !== total) return { canary: null, usedQueries };
  // Every seq is below total and there are total of them: 0..total-1 are all present.
  const encoded = [...chunks.entries()].sort(([a], [b]) => a - b).map(([, data]) => data).join('');
  return { canary: toAscii(decode(encoded, encoding)), usedQueries };
}

/** One received name read as a chunk of the drill layout, or null when it is not one. */
function parseQueryName(name: string, suffix: string, encoding: Encoding): Chunk | null {
  const full = name.endsWith('.') ? name.slice(0, -1) : name;
  if (full.length <= suffix.length || !full.toLowerCase().endsWith(suffix)) return null;
  const [seqLabel, ...dataLabels] = full.slice(0, full.length - suffix.length).split('.');
  const seq = SEQ_LABEL.exec(seqLabel ?? '');
  if (seq === null || dataLabels.length === 0) return null;
  const [index, total] = [Number(seq[1]), Number(seq[2])];
  if (index >= total) return null;
  const labels = encoding === 'base64url' ? dataLabels : dataLabels.map((l) => l.toLowerCase());
  if (!labels.every((l) => DATA_LABEL[encoding].test(l))) return null;
  return { seq: index, total, data: labels.join('') };
}

function decode(text: string, encoding: Encoding): number[] | null {
  if (encoding === 'hex') {
    if (text.length % 2 !== 0) return null;
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i += 2) bytes.push(parseInt(text.slice(i, i + 2), 16));
    return bytes;
  }
  return encoding === 'base32' ? decodeBaseN(text, BASE32, 5) : decodeBaseN(text, BASE64URL, 6);
}

/** RFC 4648 without padding, strictly: a leftover of a whole character or non-zero bits fails. */
function decodeBaseN(text: string, alphabet: string, bitsPerChar: number): number[] | null {
  const bytes: number[] = [];
  let buffer = 0;
  let held = 0;
  for (const ch of text) {
    const value = alphabet.indexOf(ch);
    if (value < 0) return null;
    buffer = (buffer << bitsPerChar) | value;
    held += bitsPerChar;
    if (held >= 8) {
      held -= 8;
      bytes.push((buffer >> held) & 0xff);
      buffer &= (1 << held) - 1;
    }
  }
  return held < bitsPerChar && buffer === 0 ? bytes : null;
}

/** The canary is printable ASCII; anything else means the rebuild went wrong. */
function toAscii(bytes: number[] | null): string | null {
  if (bytes === null || bytes.length === 0 || bytes.some((b) => b < 0x20 || b > 0x7e)) return null;
  return String.fromCharCode(...bytes);
}
