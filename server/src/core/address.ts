// Address classes for egress decisions: loopback and private ranges are not egress unless
// configuration marks them external (tests and drills run against loopback on purpose).

export interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
  text: string;
}

export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let head = text;
  let tail4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIp(text.slice(lastColon + 1));
    if (!v4 || v4.family !== 4) return null;
    tail4 = v4.value;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return { family: 6, value };
}

export function parseCidr(text: string): Cidr | null {
  const [addr, prefixText] = text.split('/');
  const ip = parseIp(addr ?? '');
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { family: ip.family, bits: ip.value, prefix, text };
}

export function cidrContains(cidr: Cidr, text: string): boolean {
  let ip = parseIp(text);
  if (!ip) return false;
  if (ip.family === 6 && cidr.family === 4 && ip.value >> 32n === 0xffffn) ip = { family: 4, value: ip.value & 0xffffffffn };
  if (ip.family !== cidr.family) return false;
  const width = BigInt(cidr.family === 4 ? 32 : 128);
  const shift = width - BigInt(cidr.prefix);
  return ip.value >> shift === cidr.bits >> shift;
}

const internalRanges = [
  '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '0.0.0.0/8',
  '::1/128', '::/128', 'fc00::/7', 'fe80::/10',
].map((c) => parseCidr(c)!);

/** Is a connect to this address egress: public, or inside a range configured as external. */
export function isExternal(address: string, external: readonly Cidr[]): boolean {
  if (!parseIp(address)) return false;
  if (external.some((c) => cidrContains(c, address))) return true;
  return !internalRanges.some((c) => cidrContains(c, address));
}
