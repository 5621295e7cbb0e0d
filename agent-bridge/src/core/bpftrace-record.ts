// Parse one line of `bpftrace -f json telltale.bt` output into a typed record or a typed
// error; never throws. The record formats are documented at the top of deploy/bpftrace/telltale.bt.
import type { AddressFamily, Transport } from '@telltale/proto';
import { AgentError, type AgentErrorCode } from './errors.js';
import { decodeBpftraceString } from './bpftrace-string.js';
import { FieldReader, PID_MAX } from './field-reader.js';

/** Longest legitimate line: an ARGV of 199 escaped bytes is about 2,100 characters. */
export const MAX_LINE_CHARS = 8192;

export interface ExecRecord {
  type: 'exec'; t: bigint; pid: number; oldTid: number; ppid: number; uid: number;
  startNs: bigint; argvT: bigint; filename: string; filenameBytes: number;
}
export interface ArgvRecord { type: 'argv'; t: bigint; pid: number; tid: number; index: number; arg: string; argBytes: number }
export interface ArgvEndRecord { type: 'argv_end'; t: bigint; pid: number; tid: number; count: number; more: boolean }
export interface ForkRecord { type: 'fork'; t: bigint; ppid: number; pid: number }
export interface ExitRecord { type: 'exit'; t: bigint; pid: number; exitCode: number; signal: number }
export interface ConnectRecord {
  type: 'connect'; t: bigint; pid: number; tid: number; fd: number;
  protocol: Transport; family: AddressFamily; port: number; address: string;
}
export interface DnsSegment { length: number; captured: number }
export interface DnsRecord {
  type: 'dns'; t: bigint; pid: number; tid: number; response: boolean; fd: number;
  protocol: Transport; family: AddressFamily; port: number; address: string;
  segments: [DnsSegment, DnsSegment];
}
export interface DnsChunkRecord { type: 'dns_chunk'; t: bigint; tid: number; segment: 0 | 1; chunk: number; bytes: Uint8Array }
export interface LostRecord { type: 'lost'; count: number }
/** bpftrace's own notice, printed before it attaches anything: not a readiness signal. */
export interface AttachedRecord { type: 'attached'; probes: number }
/** The script's last probe fired for `pid`'s canary kill(): every probe is attached. */
export interface ReadyRecord { type: 'ready'; t: bigint; pid: number }

export type BpftraceRecord =
  | ExecRecord | ArgvRecord | ArgvEndRecord | ForkRecord | ExitRecord
  | ConnectRecord | DnsRecord | DnsChunkRecord | LostRecord | AttachedRecord | ReadyRecord;

export type ParseResult = { ok: true; record: BpftraceRecord } | { ok: false; error: AgentError };

const fail = (code: AgentErrorCode, message: string): ParseResult => ({ ok: false, error: new AgentError(code, message) });

export function parseBpftraceLine(line: string): ParseResult {
  if (line.length > MAX_LINE_CHARS) return fail('BPFTRACE_LINE_TOO_LONG', `line of ${line.length} characters`);
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return fail('BPFTRACE_MALFORMED_JSON', 'not JSON');
  }
  if (!isObject(json) || typeof json['type'] !== 'string') return fail('BPFTRACE_MALFORMED_JSON', 'no type');
  const data = json['data'];
  switch (json['type']) {
    case 'printf':
      return typeof data === 'string' ? parsePrintf(data) : fail('BPFTRACE_MALFORMED_JSON', 'printf data');
    case 'attached_probes':
      return counter(data, 'probes', (n) => ({ type: 'attached', probes: n }));
    case 'lost_events':
      return counter(data, 'events', (n) => ({ type: 'lost', count: n }));
    default:
      return fail('BPFTRACE_UNKNOWN_RECORD', `type ${json['type'].slice(0, 40)}`);
  }
}

function counter(data: unknown, key: string, make: (n: number) => BpftraceRecord): ParseResult {
  const n = isObject(data) ? data[key] : undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return fail('BPFTRACE_BAD_FIELD', key);
  return { ok: true, record: make(n) };
}

function parsePrintf(data: string): ParseResult {
  if (!data.endsWith('\n')) return fail('BPFTRACE_BAD_FIELD', 'printf without newline');
  const f = new FieldReader(data.slice(0, -1));
  const tag = f.word();
  const record = readRecord(tag, f);
  if (f.error !== null) return fail('BPFTRACE_BAD_FIELD', `${tag.slice(0, 8)}: ${f.error}`);
  if (record === null) return fail('BPFTRACE_UNKNOWN_RECORD', `tag ${tag.slice(0, 8)}`);
  return { ok: true, record };
}

function readRecord(tag: string, f: FieldReader): BpftraceRecord | null {
  switch (tag) {
    case 'EXEC': {
      const [t, pid, oldTid, ppid, uid] = [f.u64(), f.int(1, PID_MAX), f.int(1, PID_MAX), f.int(0, PID_MAX), f.int(0, 0xffffffff)];
      const [startNs, argvT] = [f.u64(), f.u64()];
      const name = decodeBpftraceString(f.rest());
      return { type: 'exec', t, pid, oldTid, ppid, uid, startNs, argvT, filename: name.text, filenameBytes: name.byteLength };
    }
    case 'ARGV': {
      const [t, pid, tid, index] = [f.u64(), f.int(1, PID_MAX), f.int(1, PID_MAX), f.int(0, 4095)];
      const arg = decodeBpftraceString(f.rest());
      return { type: 'argv', t, pid, tid, index, arg: arg.text, argBytes: arg.byteLength };
    }
    case 'ARGE': {
      const [t, pid, tid, count, more] = [f.u64(), f.int(1, PID_MAX), f.int(1, PID_MAX), f.int(0, 4096), f.int(0, 1)];
      return f.end({ type: 'argv_end', t, pid, tid, count, more: more === 1 });
    }
    case 'FORK': {
      const [t, ppid, pid] = [f.u64(), f.int(0, PID_MAX), f.int(1, PID_MAX)];
      return f.end({ type: 'fork', t, ppid, pid });
    }
    case 'EXIT': {
      const [t, pid, code] = [f.u64(), f.int(1, PID_MAX), f.int(0, 0xffff)];
      return f.end({ type: 'exit', t, pid, exitCode: (code >> 8) & 0xff, signal: code & 0x7f });
    }
    case 'CONN': {
      const [t, pid, tid, fd, protocol] = [f.u64(), f.int(1, PID_MAX), f.int(1, PID_MAX), f.int(0, 0x7fffffff), f.sockType()];
      const [family, port] = [f.family(), f.int(0, 65535)];
      const address = f.address(family);
      return f.end({ type: 'connect', t, pid, tid, fd, protocol, family, port, address });
    }
    case 'DNS': {
      const [t, pid, tid, dir, fd, protocol] = [f.u64(), f.int(1, PID_MAX), f.int(1, PID_MAX), f.int(0, 1), f.int(0, 0x7fffffff), f.sockType()];
      const [family, port] = [f.family(), f.int(1, 65535)];
      const address = f.address(family);
      const segments: [DnsSegment, DnsSegment] = [f.segment(), f.segment()];
      return f.end({ type: 'dns', t, pid, tid, response: dir === 1, fd, protocol, family, port, address, segments });
    }
    case 'DNSB': {
      const [t, tid, segment, chunk] = [f.u64(), f.int(1, PID_MAX), f.int(0, 1), f.int(0, 1023)];
      const bytes = f.words();
      return f.end({ type: 'dns_chunk', t, tid, segment: segment === 0 ? 0 : 1, chunk, bytes });
    }
    case 'READY': {
      const [t, pid] = [f.u64(), f.int(1, PID_MAX)];
      return f.end({ type: 'ready', t, pid });
    }
    default:
      return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
