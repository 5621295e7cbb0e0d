// Parses one line of Tetragon's JSON export (a GetEventsResponse as protojson, proto names) or
// an object already shaped like it, into a typed, checked event or a typed error. Never throws.
// Only the members telltale uses are read; the rest of the line is ignored.
import { TetragonError, type TetragonErrorCode } from '../errors.js';
import { isJsonObject, ProtoJsonReader, type JsonObject } from './protojson-reader.js';

/** A kprobe event carrying 4 KiB of payload is ~7 KB; maxData payloads (320 KiB) stay under this. */
export const MAX_LINE_CHARS = 1 << 20;
/** Tetragon sends at most a handful of arguments (5 args, plus data); anything near this is not it. */
const MAX_ARGS = 64;

export interface TetragonProcess {
  execId: string;
  /** Null when Tetragon left it out (never for a well-formed exec). */
  pid: number | null;
  uid: number | null;
  cwd: string;
  binary: string;
  /** argv[1..] as Tetragon joined them; see tetragon-arguments.ts. */
  arguments: string;
  flags: readonly string[];
  startTimeUs: number | null;
  parentExecId: string;
  /** The Kubernetes pod and container it runs in, when Tetragon knows them. */
  pod: TetragonPod | null;
}

export interface TetragonPod { namespace: string; name: string; container: string }

export interface TetragonSock { family: string; type: string; protocol: string; daddr: string; dport: number }
export interface TetragonSockaddr { family: string; addr: string; port: number }

export type TetragonArg =
  | { kind: 'sock'; sock: TetragonSock }
  | { kind: 'sockaddr'; sockaddr: TetragonSockaddr }
  /** bytes_arg, or truncated_bytes_arg with origSize above bytes.length. */
  | { kind: 'bytes'; bytes: Uint8Array; origSize: number }
  | { kind: 'other' };

interface Common { timeUs: number | null }
interface WithProcess extends Common { process: TetragonProcess; parent: TetragonProcess | null }

export type TetragonEvent =
  | (WithProcess & { kind: 'exec' })
  | (WithProcess & { kind: 'exit'; signal: string; status: number })
  | (WithProcess & { kind: 'kprobe'; functionName: string; policyName: string; args: TetragonArg[] })
  | (Common & { kind: 'throttle'; phase: 'start' | 'stop' | 'unknown'; cgroup: string })
  | (Common & { kind: 'rate_limit'; dropped: bigint })
  /** A kind telltale does not use (process_lsm, ...): counted, not an error. */
  | (Common & { kind: 'ignored'; eventName: IgnoredKind });

export type TetragonParseResult = { ok: true; event: TetragonEvent } | { ok: false; error: TetragonError };

const USED = ['process_exec', 'process_exit', 'process_kprobe', 'process_throttle', 'rate_limit_info'] as const;
const IGNORED = ['process_tracepoint', 'process_loader', 'process_uprobe', 'process_lsm', 'process_usdt', 'test'] as const;
export type IgnoredKind = (typeof IGNORED)[number] | 'other';
/** GetEventsResponse members outside the event oneof. */
const COMMON = new Set(['node_name', 'nodeName', 'time', 'aggregation_info', 'aggregationInfo', 'cluster_name', 'clusterName', 'node_labels', 'nodeLabels']);
const THROTTLE = { THROTTLE_UNKNOWN: 0, THROTTLE_START: 1, THROTTLE_STOP: 2 } as const;

const fail = (code: TetragonErrorCode, message: string): TetragonParseResult => ({ ok: false, error: new TetragonError(code, message) });

export function parseTetragonLine(line: string, maxChars = MAX_LINE_CHARS): TetragonParseResult {
  if (line.length > maxChars) return fail('TETRAGON_LINE_TOO_LONG', `line of ${line.length} characters`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail('TETRAGON_BAD_JSON', 'not JSON');
  }
  return parseTetragonObject(value);
}

export function parseTetragonObject(value: unknown): TetragonParseResult {
  if (!isJsonObject(value)) return fail('TETRAGON_BAD_JSON', 'not an object');
  const r = new ProtoJsonReader();
  const timeUs = r.timestampUs(value, 'time');
  const used = USED.filter((k) => r.has(value, k));
  if (used.length > 1) return fail('TETRAGON_BAD_JSON', `two events: ${used.join(', ')}`);
  let event: TetragonEvent;
  if (used.length === 0) {
    const others = Object.keys(value).filter((k) => !COMMON.has(k));
    if (others.length === 0) return fail('TETRAGON_BAD_JSON', 'no event');
    const name = IGNORED.find((k) => r.has(value, k)) ?? 'other';
    event = { kind: 'ignored', timeUs, eventName: name };
  } else {
    const kind = used[0]!;
    const body = r.object(value, kind);
    if (!body) return fail('TETRAGON_BAD_FIELD', r.error ?? kind);
    event = readEvent(r, kind, body, timeUs);
  }
  return r.error === null ? { ok: true, event } : fail('TETRAGON_BAD_FIELD', r.error);
}

function readEvent(r: ProtoJsonReader, kind: (typeof USED)[number], body: JsonObject, timeUs: number | null): TetragonEvent {
  switch (kind) {
    case 'process_throttle': {
      const type = r.enumValue(body, 'type', THROTTLE);
      const phase = type === 1 ? 'start' : type === 2 ? 'stop' : 'unknown';
      return { kind: 'throttle', timeUs, phase, cgroup: r.string(body, 'cgroup') };
    }
    case 'rate_limit_info':
      return { kind: 'rate_limit', timeUs, dropped: r.u64(body, 'number_of_dropped_process_events') };
    case 'process_exec':
      return { kind: 'exec', timeUs, ...processes(r, body) };
    case 'process_exit':
      return {
        kind: 'exit', timeUs: timeUs ?? r.timestampUs(body, 'time'), ...processes(r, body),
        signal: r.string(body, 'signal'), status: r.u32(body, 'status'),
      };
    case 'process_kprobe': {
      const raw = r.array(body, 'args');
      if (raw.length > MAX_ARGS) r.fail('args', `${raw.length} arguments`);
      return {
        kind: 'kprobe', timeUs, ...processes(r, body),
        functionName: r.string(body, 'function_name'), policyName: r.string(body, 'policy_name'),
        args: raw.slice(0, MAX_ARGS).map((a) => readArg(r, a)),
      };
    }
  }
}

function processes(r: ProtoJsonReader, body: JsonObject): { process: TetragonProcess; parent: TetragonProcess | null } {
  const p = r.object(body, 'process');
  const parent = r.object(body, 'parent');
  const process = readProcess(r, p ?? {});
  if (!p || process.pid === null) r.fail('process', 'no process pid');
  return { process, parent: parent ? readProcess(r, parent) : null };
}

function readProcess(r: ProtoJsonReader, p: JsonObject): TetragonProcess {
  return {
    execId: r.string(p, 'exec_id'),
    pid: r.wrappedU32(p, 'pid'),
    uid: r.wrappedU32(p, 'uid'),
    cwd: r.string(p, 'cwd'),
    binary: r.string(p, 'binary'),
    arguments: r.string(p, 'arguments'),
    flags: r.string(p, 'flags').split(' ').filter((f) => f !== ''),
    startTimeUs: r.timestampUs(p, 'start_time'),
    parentExecId: r.string(p, 'parent_exec_id'),
    pod: readPod(r, r.object(p, 'pod')),
  };
}

function readPod(r: ProtoJsonReader, pod: JsonObject | null): TetragonPod | null {
  if (!pod) return null;
  const name = r.string(pod, 'name');
  if (name === '') return null;
  const container = r.object(pod, 'container');
  return { namespace: r.string(pod, 'namespace'), name, container: container ? r.string(container, 'name') : '' };
}

function readArg(r: ProtoJsonReader, a: unknown): TetragonArg {
  if (!isJsonObject(a)) {
    r.fail('args', 'argument not an object');
    return { kind: 'other' };
  }
  const sock = r.object(a, 'sock_arg');
  if (sock) {
    return {
      kind: 'sock',
      sock: {
        family: r.string(sock, 'family'), type: r.string(sock, 'type'), protocol: r.string(sock, 'protocol'),
        daddr: r.string(sock, 'daddr'), dport: r.u32(sock, 'dport'),
      },
    };
  }
  const sa = r.object(a, 'sockaddr_arg');
  if (sa) return { kind: 'sockaddr', sockaddr: { family: r.string(sa, 'family'), addr: r.string(sa, 'addr'), port: r.u32(sa, 'port') } };
  if (r.has(a, 'bytes_arg')) {
    const bytes = r.bytes(a, 'bytes_arg');
    return { kind: 'bytes', bytes, origSize: bytes.length };
  }
  const tb = r.object(a, 'truncated_bytes_arg');
  if (tb) {
    const bytes = r.bytes(tb, 'bytes_arg');
    const orig = r.u64(tb, 'orig_size');
    if (orig < BigInt(bytes.length) || orig > BigInt(Number.MAX_SAFE_INTEGER)) r.fail('orig_size', `${orig} for ${bytes.length} bytes`);
    return { kind: 'bytes', bytes, origSize: Math.max(bytes.length, Number(orig)) };
  }
  return { kind: 'other' };
}
