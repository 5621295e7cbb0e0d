// Typed reads of one alert's output_fields. Falco writes a missing value as JSON null
// (sinsp_filter_check::tojson returns Json::nullValue) and a few string fields as the text
// "<NA>" (fd.l4proto, the `output` rendering of nulls); both read as null here. The first
// value that is present but wrong is kept in `error` instead of throwing.
import type { FalcoField } from './falco-json.js';

const DECIMAL = /^-?\d{1,20}$/;

export class AlertFields {
  error: string | null = null;

  constructor(private readonly fields: ReadonlyMap<string, FalcoField>) {}

  has(key: string): boolean {
    return this.fields.has(key);
  }

  /** A string field; null when absent, null or "<NA>". */
  str(key: string): string | null {
    const v = this.fields.get(key);
    if (v === undefined || v === null || v === '<NA>') return null;
    if (typeof v !== 'string') return this.bad(key);
    return v;
  }

  /** An exact integer (JSON number, or a decimal string as evt.arg.* renders it). */
  big(key: string): bigint | null {
    const v = this.fields.get(key);
    if (v === undefined || v === null || v === '<NA>') return null;
    if (typeof v === 'bigint') return v;
    if (typeof v === 'string' && DECIMAL.test(v)) return BigInt(v);
    return this.bad(key);
  }

  /** An integer in [min, max], as a number. */
  int(key: string, min: number, max: number): number | null {
    const v = this.big(key);
    if (v === null) return null;
    if (v < BigInt(min) || v > BigInt(max)) return this.bad(key);
    return Number(v);
  }

  /** A first-value-wins error for a value the caller needs and did not get. */
  require<T>(value: T | null, key: string): T | null {
    if (value === null && this.error === null) this.error = `${key} missing`;
    return value;
  }

  private bad(key: string): null {
    if (this.error === null) this.error = `${key.slice(0, 64)} malformed`;
    return null;
  }
}
