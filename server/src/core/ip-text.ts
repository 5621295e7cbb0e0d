// IP addresses as text, in one canonical form (RFC 5952 for IPv6), so an address from a
// DNS answer, from a connect event and from a config list compare equal as strings.

import { parseIp } from './address.js';

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, a dual-stack socket talking IPv4) as the IPv4 address it is; any other text as given. */
export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(address);
  return m ? m[1]! : address;
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => String(b)).join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return `::ffff:${formatIpv4(bytes.subarray(12, 16))}`;

  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Canonical text of an address, or null when `text` is not an address. */
// Builds talk to few addresses over and over; parsing with BigInt each time cost ~2 µs a
// connect. Results are pure, so a bounded memo (cleared when full) is safe.
const canonicalMemo = new Map<string, string | null>();
const MEMO_MAX = 10_000;

export function canonicalIp(text: string): string | null {
  const hit = canonicalMemo.get(text);
  if (hit !== undefined) return hit;
  const value = canonicalIpUncached(text);
  if (canonicalMemo.size >= MEMO_MAX) canonicalMemo.clear();
  canonicalMemo.set(text, value);
  return value;
}

function canonicalIpUncached(text: string): string | null {
  const ip = parseIp(text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''));
  if (ip === null) return null;
  const size = ip.family === 4 ? 4 : 16;
  const bytes = new Uint8Array(size);
  let v = ip.value;
  for (let i = size - 1; i >= 0; i--) { bytes[i] = Number(v & 0xffn); v >>= 8n; }
  return ip.family === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}
