// RFC 4648 base32 (section 6 alphabet), lowercase, no padding — the encoding
// DNS exfiltration uses because it survives case-insensitive labels.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOOKUP = new Map<string, number>([...ALPHABET].map((c, i) => [c, i] as const));

export function base32Encode(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff; // ≤ 12 live bits ever
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 0x1f];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/**
 * Decodes base32; case-insensitive, trailing `=` padding tolerated. Throws on
 * characters outside the alphabet, impossible lengths (1, 3 or 6 mod 8) and
 * non-zero trailing bits, so a mangled capture cannot decode "by luck".
 */
export function base32Decode(text: string): Buffer {
  const s = text.toLowerCase().replace(/=+$/, '');
  if ([1, 3, 6].includes(s.length % 8)) throw new Error(`invalid base32 length ${s.length}`);
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of s) {
    const v = LOOKUP.get(c);
    if (v === undefined) throw new Error(`invalid base32 character ${JSON.stringify(c)}`);
    buffer = ((buffer << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 0xff);
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new Error('non-zero trailing bits in base32 input');
  return Buffer.from(out);
}

/**
 * For a name like `<b32>.<b32>.exfil-drill.test`, joins the labels in front of
 * `suffix` and decodes them; null if the name is not under `suffix` or has no
 * labels before it. A trailing dot on either side is ignored.
 */
export function decodeLabelsUnder(name: string, suffix: string): Buffer | null {
  const n = name.replace(/\.$/, '').toLowerCase();
  const sfx = '.' + suffix.replace(/^\.|\.$/g, '').toLowerCase();
  if (!n.endsWith(sfx) || n.length === sfx.length) return null;
  return base32Decode(n.slice(0, -sfx.length).split('.').join(''));
}
