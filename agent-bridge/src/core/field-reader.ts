// Reads the space-separated fields of one telltale.bt printf line. It keeps the first
// problem in `error` instead of throwing, so a record parser reads straight through.
import type { AddressFamily, Transport } from '@telltale/proto';

/** PID_MAX_LIMIT on 64-bit Linux. */
export const PID_MAX = 4_194_304;
const MAX_U64 = (1n << 64n) - 1n;
/** The script dumps at most 1,248 bytes a message; anything far beyond is not its output. */
const MAX_CAPTURED = 65_536;

const DIGITS = /^\d+$/;
const HEX_WORDS = /^(?:[0-9a-f]{16}){1,64}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-f:.]{2,45}$/;

export class FieldReader {
  error: string | null = null;
  private pos = 0;

  constructor(private readonly text: string) {}

  word(): string {
    if (this.pos > this.text.length) return this.bad('missing field', '');
    let end = this.text.indexOf(' ', this.pos);
    if (end < 0) end = this.text.length;
    const w = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return w === '' ? this.bad('empty field', '') : w;
  }

  /** The trailing string field: everything after the last separator, possibly empty. */
  rest(): string {
    if (this.pos > this.text.length) return this.bad('missing string field', '');
    const r = this.text.slice(this.pos);
    this.pos = this.text.length + 1;
    return r;
  }

  end<R>(record: R): R {
    if (this.pos <= this.text.length) this.bad('trailing data', null);
    return record;
  }

  u64(): bigint {
    const w = this.word();
    if (w.length > 20 || !DIGITS.test(w)) return this.bad(`not a u64: ${w.slice(0, 24)}`, 0n);
    const v = BigInt(w);
    return v > MAX_U64 ? this.bad('u64 out of range', 0n) : v;
  }

  int(min: number, max: number): number {
    const w = this.word();
    if (w.length > 16 || !DIGITS.test(w)) return this.bad(`not a number: ${w.slice(0, 24)}`, 0);
    const v = Number(w);
    return v < min || v > max ? this.bad(`${v} outside ${min}..${max}`, 0) : v;
  }

  sockType(): Transport {
    const v = this.int(0, 15);
    return v === 1 ? 'tcp' : v === 2 ? 'udp' : 'unspecified';
  }

  family(): AddressFamily {
    const v = this.int(0, 255);
    if (v === 2) return 'inet';
    if (v === 10) return 'inet6';
    return this.bad(`address family ${v}`, 'unspecified');
  }

  address(family: AddressFamily): string {
    const w = this.word();
    const ok = family === 'inet' ? IPV4.test(w) : IPV6.test(w) && w.includes(':');
    return ok ? w : this.bad(`not an ${family} address: ${w.slice(0, 48)}`, '');
  }

  segment(): { length: number; captured: number } {
    const length = this.int(0, Number.MAX_SAFE_INTEGER);
    const captured = this.int(0, MAX_CAPTURED);
    if (captured > length) this.bad('captured more than the length', null);
    return { length, captured };
  }

  /** u64 words printed as %016lx: each holds 8 payload bytes in little-endian order. */
  words(): Uint8Array {
    const hex = this.word();
    if (!HEX_WORDS.test(hex)) return this.bad('bad hex words', new Uint8Array(0));
    const out = new Uint8Array(hex.length / 2);
    for (let w = 0; w < hex.length / 16; w++) {
      for (let j = 0; j < 8; j++) {
        out[w * 8 + 7 - j] = parseInt(hex.slice(w * 16 + j * 2, w * 16 + j * 2 + 2), 16);
      }
    }
    return out;
  }

  private bad<T>(message: string, fallback: T): T {
    this.error ??= message;
    return fallback;
  }
}
