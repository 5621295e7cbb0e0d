// Parses one line of Falco's JSON output (json_output: true; the same text is each
// http_output POST body) into a validated alert or a typed error; never throws. Integers stay
// exact (bigint): evt.time is nanoseconds since the epoch, beyond 2^53. The shape is
// userspace/engine/formats.cpp (rule alerts) and userspace/falco/falco_outputs.cpp
// (internal alerts such as the syscall event drop) in falcosecurity/falco.
import { FalcoError, type FalcoErrorCode } from '../errors.js';
import { isJsonNumber, isJsonObject, scanJson, type JsonObject, type JsonValue } from './lossless-json.js';

/** The http_output body cap too: a Falco alert with a 16 KiB base64 buffer is ~25 KiB. */
export const MAX_LINE_CHARS = 1 << 20;
const MAX_FIELDS = 4096;
const MAX_KEY_CHARS = 1024;
const MAX_LIST_ITEMS = 4096;

/** falco_common.cpp priority_names, as format_priority writes them. */
export const FALCO_PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

export type FalcoScalar = string | bigint | number | boolean | null;
/** Integers are bigint, other numbers are number; a list field (EPF_IS_LIST) is an array. */
export type FalcoField = FalcoScalar | readonly FalcoScalar[];

export interface FalcoAlert {
  rule: string;
  priority: FalcoPriority;
  /** 'syscall' for rule alerts, 'internal' for Falco's own (drops, metrics). */
  source: string;
  hostname: string;
  /** `time`, the event's timestamp, in ns since the epoch. */
  timeNs: bigint;
  tags: readonly string[];
  /** The rendered `output` text; null when json_include_output_property is false. */
  output: string | null;
  /** `output_fields`; null when json_include_output_fields_property is false. */
  fields: ReadonlyMap<string, FalcoField> | null;
}

export type FalcoParse = { ok: true; alert: FalcoAlert } | { ok: false; error: FalcoError };

const fail = (code: FalcoErrorCode, message: string): FalcoParse => ({ ok: false, error: new FalcoError(code, message) });

export function parseFalcoLine(line: string): FalcoParse {
  if (line.length > MAX_LINE_CHARS) return fail('FALCO_LINE_TOO_LONG', `line of ${line.length} characters`);
  const scan = scanJson(line);
  if (!scan.ok) return fail('FALCO_MALFORMED_JSON', `${scan.reason} at ${scan.at}`);
  const o = scan.value;
  if (!isJsonObject(o)) return fail('FALCO_NOT_AN_ALERT', 'not an object');
  const rule = o.get('rule');
  const priority = o.get('priority');
  const source = o.get('source');
  const time = o.get('time');
  if (rule === undefined || priority === undefined || source === undefined || time === undefined) {
    return fail('FALCO_NOT_AN_ALERT', 'rule, priority, source or time missing');
  }
  if (typeof rule !== 'string' || rule === '') return fail('FALCO_BAD_FIELD', 'rule');
  if (typeof priority !== 'string' || !(FALCO_PRIORITIES as readonly string[]).includes(priority)) return fail('FALCO_BAD_FIELD', 'priority');
  if (typeof source !== 'string') return fail('FALCO_BAD_FIELD', 'source');
  const timeNs = typeof time === 'string' ? parseRfc3339Ns(time) : null;
  if (timeNs === null) return fail('FALCO_BAD_FIELD', 'time');
  const hostname = o.get('hostname') ?? '';
  if (typeof hostname !== 'string') return fail('FALCO_BAD_FIELD', 'hostname');
  const output = o.get('output') ?? null;
  if (output !== null && typeof output !== 'string') return fail('FALCO_BAD_FIELD', 'output');
  const tags = readTags(o.get('tags'));
  if (tags === null) return fail('FALCO_BAD_FIELD', 'tags');
  const rawFields = o.get('output_fields');
  let fields: Map<string, FalcoField> | null = null;
  if (rawFields !== undefined && rawFields !== null) {
    const read = readFields(rawFields);
    if (typeof read === 'string') return fail('FALCO_BAD_FIELD', `output_fields: ${read}`);
    fields = read;
  }
  return { ok: true, alert: { rule, priority: priority as FalcoPriority, source, hostname, timeNs, tags, output, fields } };
}

function readTags(v: JsonValue | undefined): string[] | null {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_LIST_ITEMS) return null;
  const out: string[] = [];
  for (const t of v) {
    if (typeof t !== 'string') return null;
    out.push(t);
  }
  return out;
}

/** A Map of the fields, or what was wrong with them. */
function readFields(v: JsonValue): Map<string, FalcoField> | string {
  if (!isJsonObject(v)) return 'not an object';
  if (v.size > MAX_FIELDS) return `${v.size} fields`;
  const out = new Map<string, FalcoField>();
  for (const [key, raw] of (v as JsonObject)) {
    if (key.length > MAX_KEY_CHARS) return 'key too long';
    if (Array.isArray(raw)) {
      if (raw.length > MAX_LIST_ITEMS) return `${key.slice(0, 64)}: list too long`;
      const items: FalcoScalar[] = [];
      for (const item of raw) {
        const s = scalar(item);
        if (s === undefined) return `${key.slice(0, 64)}: not a scalar list`;
        items.push(s);
      }
      out.set(key, items);
      continue;
    }
    const s = scalar(raw);
    if (s === undefined) return `${key.slice(0, 64)}: not a scalar`;
    out.set(key, s);
  }
  return out;
}

function scalar(v: JsonValue): FalcoScalar | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (!isJsonNumber(v)) return undefined;
  if (/^-?\d+$/.test(v.text)) return BigInt(v.text);
  const n = Number(v.text);
  return Number.isFinite(n) ? n : undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Falco writes `%FT%T` in UTC plus `.%09lu` nanoseconds and `Z`; null for anything else. */
export function parseRfc3339Ns(text: string): bigint | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2023-02-30 over to March: a date that does not round-trip is not a date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  if (ms < 0) return null;
  const frac = (m[7] ?? '').padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}
