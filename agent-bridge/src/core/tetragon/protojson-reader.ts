// Reads protojson members the way Go's protojson writes them (Tetragon's export uses proto
// names, e.g. exec_id; the lowerCamel json_name, execId, is read too, as protojson readers
// must). An absent or null member is the proto default. Like ../field-reader.ts it keeps the
// first problem in `error` and returns a fallback, so a message parser reads straight through.
import { decodeBase64 } from './base64.js';
import { rfc3339ToUs } from './rfc3339.js';

export type JsonObject = { readonly [key: string]: unknown };

const MAX_U32 = 0xffff_ffff;
const MAX_U64 = (1n << 64n) - 1n;
const U64_TEXT = /^\d{1,20}$/;
const U32_TEXT = /^\d{1,10}$/;

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export class ProtoJsonReader {
  error: string | null = null;

  /** An own member only: a `__proto__` or `constructor` key in the line is just data. */
  member(obj: JsonObject, name: string): unknown {
    if (Object.hasOwn(obj, name)) return obj[name];
    const alias = camel(name);
    return alias !== name && Object.hasOwn(obj, alias) ? obj[alias] : undefined;
  }

  has(obj: JsonObject, name: string): boolean {
    const v = this.member(obj, name);
    return v !== undefined && v !== null;
  }

  object(obj: JsonObject, name: string): JsonObject | null {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return null;
    return isJsonObject(v) ? v : this.bad(name, 'not an object', null);
  }

  array(obj: JsonObject, name: string): readonly unknown[] {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : this.bad(name, 'not an array', []);
  }

  string(obj: JsonObject, name: string): string {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : this.bad(name, 'not a string', '');
  }

  /** uint32: a JSON number, or its decimal text (which protojson also accepts). */
  u32(obj: JsonObject, name: string): number {
    return this.u32Value(this.member(obj, name), name) ?? 0;
  }

  /** google.protobuf.UInt32Value renders as the bare number; absent means unknown. */
  wrappedU32(obj: JsonObject, name: string): number | null {
    return this.u32Value(this.member(obj, name), name);
  }

  /** uint64: decimal text (as protojson writes it) or a JSON number that is a safe integer. */
  u64(obj: JsonObject, name: string): bigint {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return 0n;
    if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : this.bad(name, 'not a uint64', 0n);
    if (typeof v !== 'string' || !U64_TEXT.test(v)) return this.bad(name, 'not a uint64', 0n);
    const n = BigInt(v);
    return n > MAX_U64 ? this.bad(name, 'uint64 out of range', 0n) : n;
  }

  /** google.protobuf.Timestamp as Unix microseconds; absent means unknown. */
  timestampUs(obj: JsonObject, name: string): number | null {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') return this.bad(name, 'not a timestamp', null);
    return rfc3339ToUs(v) ?? this.bad(name, 'not an RFC 3339 time after 1970', null);
  }

  bytes(obj: JsonObject, name: string): Uint8Array {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return new Uint8Array(0);
    if (typeof v !== 'string') return this.bad(name, 'not base64', new Uint8Array(0));
    return decodeBase64(v) ?? this.bad(name, 'not base64', new Uint8Array(0));
  }

  /** An enum by value name, or by number (both are valid protojson); unknown names fall to 0. */
  enumValue(obj: JsonObject, name: string, values: Readonly<Record<string, number>>): number {
    const v = this.member(obj, name);
    if (v === undefined || v === null) return 0;
    if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= MAX_U32 ? v : this.bad(name, 'not an enum', 0);
    if (typeof v !== 'string') return this.bad(name, 'not an enum', 0);
    return Object.hasOwn(values, v) ? values[v]! : 0;
  }

  fail(name: string, message: string): void {
    this.error ??= `${name}: ${message}`;
  }

  private u32Value(v: unknown, name: string): number | null {
    if (v === undefined || v === null) return null;
    const n = typeof v === 'string' && U32_TEXT.test(v) ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_U32 ? n : this.bad(name, 'not a uint32', 0);
  }

  private bad<T>(name: string, message: string, fallback: T): T {
    this.fail(name, message);
    return fallback;
  }
}
