// Tetragon's gRPC GetEvents on our own subset of its API: the call's path and codecs, and a
// decoded response rendered the way Tetragon's JSON export renders it (protojson with proto
// field names), so one decoder reads both the export file and the gRPC stream.
import './long-as-number.js';
import { tetragon } from '../gen/tetragon.js';

export const TETRAGON_GET_EVENTS_PATH = '/tetragon.FineGuidanceSensors/GetEvents';

/** Asks only for the events the decoder reads: other policies' events never cross the socket. */
export function encodeTetragonRequest(): Buffer {
  const E = tetragon.EventType;
  const wanted = [E.PROCESS_EXEC, E.PROCESS_EXIT, E.PROCESS_KPROBE, E.PROCESS_THROTTLE, E.RATE_LIMIT_INFO];
  return Buffer.from(tetragon.GetEventsRequest.encode({ allowList: [{ eventSet: wanted }] }).finish());
}

const EVENT_FIELDS = ['process_exec', 'process_exit', 'process_kprobe', 'process_throttle', 'rate_limit_info'];

/** uint64/int64 fields of the subset: protojson writes them as strings. */
const INT64_FIELDS = new Set(['cookie', 'orig_size', 'size_arg', 'long_arg', 'number_of_dropped_process_events']);
/** google.protobuf.Timestamp fields: protojson writes RFC 3339 with nanoseconds. */
const TIMESTAMP_FIELDS = new Set(['start_time', 'time']);
/** google.protobuf.UInt32Value fields: protojson writes the bare number. */
const WRAPPER_FIELDS = new Set(['pid', 'uid', 'auid', 'tid']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function rfc3339(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(nanos).padStart(9, '0')}Z`;
}

function render(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (TIMESTAMP_FIELDS.has(key) && typeof value === 'object') {
    const t = value as { seconds?: number | string; nanos?: number };
    return rfc3339(Number(t.seconds ?? 0), Number(t.nanos ?? 0));
  }
  if (WRAPPER_FIELDS.has(key) && typeof value === 'object') return (value as { value?: number }).value ?? 0;
  if (INT64_FIELDS.has(key) && (typeof value === 'number' || typeof value === 'bigint')) return String(value);
  if (Array.isArray(value)) return value.map((v) => render('', v));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const name = snake(k);
      out[name] = render(name, v);
    }
    return out;
  }
  return value;
}

/**
 * Decodes one GetEventsResponse and renders it as protojson (snake_case names, int64 as
 * strings, timestamps as RFC 3339, bytes as base64, enums by name, defaults omitted).
 * Throws on bytes that are not a response; the caller counts it as a malformed message.
 */
export function decodeTetragonResponse(bytes: Uint8Array): Record<string, unknown> {
  const message = tetragon.GetEventsResponse.decode(bytes);
  const object = tetragon.GetEventsResponse.toObject(message, { enums: String, bytes: String, defaults: false, arrays: false });
  const rendered = render('', object) as Record<string, unknown>;
  // An event kind outside our subset decodes to no oneof member at all: name it, so the
  // decoder counts it as ignored (as it does for the export) instead of malformed.
  if (!EVENT_FIELDS.some((k) => k in rendered)) rendered['unknown_event'] = {};
  return rendered;
}

/** The reverse, for tests and fake servers: a protojson export line's object as wire bytes. */
export function encodeTetragonResponse(protojson: Record<string, unknown>): Uint8Array {
  const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const unrender = (key: string, value: unknown): unknown => {
    if (TIMESTAMP_FIELDS.has(key) && typeof value === 'string') {
      const m = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(value);
      const seconds = Math.floor(Date.parse(`${m?.[1] ?? value}Z`) / 1000);
      return { seconds, nanos: Number((m?.[2] ?? '0').padEnd(9, '0')) };
    }
    if (WRAPPER_FIELDS.has(key) && typeof value === 'number') return { value };
    if (Array.isArray(value)) return value.map((v) => unrender('', v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[camel(k)] = unrender(k, v);
      return out;
    }
    return value;
  };
  return tetragon.GetEventsResponse.encode(tetragon.GetEventsResponse.fromObject(unrender('', protojson) as Record<string, unknown>)).finish();
}
