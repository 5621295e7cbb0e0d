// fromProto / toProto: the only place generated message types meet domain types.
// Decoding is where untrusted bytes from an agent become a TelltaleEvent or a ProtoError.
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';
import type {
  AddressFamily, AlertSummary, BatchAck, BuildContext, EventBatch, LockfileOmission, SecretEncoding, TelltaleEvent, Transport,
} from './domain.js';
import { ProtoError } from './errors.js';

const pb = telltale.v1;

/** Bounds on what one event may carry; larger input is rejected, not truncated silently. */
export const LIMITS = Object.freeze({
  stringBytes: 4096,
  argvEntries: 256,
  dnsPacketBytes: 65535,
  eventsPerBatch: 10000,
  secretVariableChars: 256,
  // The agent fingerprints values of at most 4 KiB.
  secretValueBytes: 4096,
  // A lockfile's content travels in one event (bigger ones go as a hash with `too_large`).
  lockfileBytes: 8 * 1024 * 1024,
  lockfilePathChars: 1024,
});

const SECRET_ENCODINGS: ReadonlySet<string> = new Set<SecretEncoding>(['raw', 'hex', 'base32', 'base64', 'base64url']);

/** A secret_match as the agent may send it: a printable name, a known encoding, 1 ≤ covered ≤ value ≤ 4 KiB. */
function secretMatchFromProto(m: telltale.v1.SecretMatch.$Properties, timeUs: number, buildId: string): TelltaleEvent {
  const variable = m.variable ?? '';
  if (variable.length === 0 || variable.length > LIMITS.secretVariableChars || !/^[\x21-\x7e]+$/.test(variable)) {
    throw new ProtoError('PROTO_INVALID_EVENT', `secret_match.variable must be 1-${LIMITS.secretVariableChars} printable characters`);
  }
  const encoding = m.encoding ?? '';
  if (!SECRET_ENCODINGS.has(encoding)) throw new ProtoError('PROTO_INVALID_EVENT', 'secret_match.encoding is not raw, hex, base32, base64 or base64url');
  const coveredBytes = num(m.coveredBytes);
  const valueBytes = num(m.valueBytes);
  if (coveredBytes < 1 || valueBytes > LIMITS.secretValueBytes || coveredBytes > valueBytes) {
    throw new ProtoError('PROTO_INVALID_EVENT', 'secret_match needs 1 <= covered_bytes <= value_bytes <= 4096');
  }
  return { timeUs, buildId, kind: 'secret_match', pid: num(m.pid), variable, encoding: encoding as SecretEncoding, coveredBytes, valueBytes };
}

const LOCKFILE_OMISSIONS: ReadonlySet<string> = new Set<LockfileOmission>(['too_large', 'over_budget']);

/**
 * A lockfile snapshot as the agent may send it: a relative path without '..' (it names the file
 * to a person and keys the diff), a SHA-256, and content only of the stated size.
 */
function lockfileFromProto(m: telltale.v1.LockfileSnapshot.$Properties, timeUs: number, buildId: string): TelltaleEvent {
  const bad = (why: string) => new ProtoError('PROTO_INVALID_EVENT', `lockfile ${why}`);
  const path = m.path ?? '';
  if (path.length === 0 || path.length > LIMITS.lockfilePathChars) throw bad(`path must be 1-${LIMITS.lockfilePathChars} characters`);
  if (/[\x00-\x1f\x7f]/.test(path) || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw bad('path must be relative, without empty, "." or ".." segments or control characters');
  }
  const workspace = str(m.workspace, 'lockfile.workspace');
  if (!workspace.startsWith('/')) throw bad('workspace must be an absolute path');
  const sha256 = m.sha256 ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw bad('sha256 must be 64 lower-case hex digits');
  const size = safe(m.size, 'lockfile.size');
  const bytes = m.content && m.content.length > 0 ? m.content : null;
  const omitted = m.omitted ?? '';
  if (omitted !== '' && !LOCKFILE_OMISSIONS.has(omitted)) throw bad('omitted is not too_large or over_budget');
  if (bytes) {
    if (bytes.length > LIMITS.lockfileBytes) throw bad(`content larger than ${LIMITS.lockfileBytes} bytes`);
    if (bytes.length !== size) throw bad('content length differs from size');
    if (omitted !== '') throw bad('content present but marked omitted');
  }
  return {
    timeUs, buildId, kind: 'lockfile', path, workspace, sha256, size, content: bytes,
    omitted: omitted === '' ? null : (omitted as LockfileOmission), scanIncomplete: m.scanIncomplete ?? false,
  };
}

const familyToProto: Record<AddressFamily, number> = { unspecified: 0, inet: 1, inet6: 2 };
const familyFromProto = (n: number | null | undefined): AddressFamily => (n === 1 ? 'inet' : n === 2 ? 'inet6' : 'unspecified');
const transportToProto: Record<Transport, number> = { unspecified: 0, tcp: 1, udp: 2 };
const transportFromProto = (n: number | null | undefined): Transport => (n === 1 ? 'tcp' : n === 2 ? 'udp' : 'unspecified');

function str(value: string | null | undefined, field: string): string {
  const s = value ?? '';
  if (s.length > LIMITS.stringBytes) throw new ProtoError('PROTO_INVALID_EVENT', `${field} longer than ${LIMITS.stringBytes}`);
  return s;
}
const num = (value: number | null | undefined): number => value ?? 0;

/** 64-bit fields arrive as JavaScript numbers: beyond 2^53 they are not exact, so refused. */
function safe(value: number | null | undefined, field: string): number {
  const n = value ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new ProtoError('PROTO_INVALID_EVENT', `${field} is not an integer from 0 to 2^53`);
  return n;
}

function contextFromProto(c: telltale.v1.BuildContext.$Properties | null | undefined): BuildContext {
  if (!c) throw new ProtoError('PROTO_INVALID_EVENT', 'build_start without context');
  return {
    buildId: str(c.buildId, 'context.build_id'),
    pipeline: str(c.pipeline, 'context.pipeline'),
    runId: str(c.runId, 'context.run_id'),
    job: str(c.job, 'context.job'),
    repo: str(c.repo, 'context.repo'),
    commit: str(c.commit, 'context.commit'),
    agentHost: str(c.agentHost, 'context.agent_host'),
    ciProvider: str(c.ciProvider, 'context.ci_provider'),
    ...(c.k8sPod ? { k8sNamespace: str(c.k8sNamespace, 'context.k8s_namespace'), k8sPod: str(c.k8sPod, 'context.k8s_pod'), k8sContainer: str(c.k8sContainer, 'context.k8s_container') } : {}),
  };
}

// The generated `body` getter scans Object.keys on every read; the decoder sets exactly one
// member of the oneof, so testing the members directly is equivalent and much cheaper.
function bodyOf(m: telltale.v1.Event.$Properties): string | undefined {
  if (m.exec) return 'exec';
  if (m.dns) return 'dns';
  if (m.exit) return 'exit';
  if (m.fork) return 'fork';
  if (m.connect) return 'connect';
  if (m.buildStart) return 'buildStart';
  if (m.buildEnd) return 'buildEnd';
  if (m.loss) return 'loss';
  if (m.secretMatch) return 'secretMatch';
  if (m.lockfile) return 'lockfile';
  return undefined;
}

/** Turns one decoded wire event into a domain event, or throws PROTO_INVALID_EVENT. */
export function eventFromProto(m: telltale.v1.Event.$Properties): TelltaleEvent {
  // Object literals, not `{ ...base }`: V8 (Node 20) takes a slow path for spreads into a
  // literal with more properties, ~2 µs an event, which was most of the ingest cost.
  const timeUs = safe(m.timeUs, 'time_us');
  const buildId = str(m.buildId, 'build_id');
  if (!buildId) throw new ProtoError('PROTO_INVALID_EVENT', 'event without build_id');
  switch (bodyOf(m)) {
    case 'buildStart': {
      const b = m.buildStart!;
      const context = contextFromProto(b.context);
      if (context.buildId !== buildId) throw new ProtoError('PROTO_INVALID_EVENT', 'build_start context names another build');
      return { timeUs, buildId, kind: 'build_start', context, rootPid: num(b.rootPid) };
    }
    case 'buildEnd':
      return { timeUs, buildId, kind: 'build_end', exitCode: num(m.buildEnd!.exitCode) };
    case 'exec': {
      const e = m.exec!;
      const argv = e.argv ?? [];
      if (argv.length > LIMITS.argvEntries) throw new ProtoError('PROTO_INVALID_EVENT', `argv has more than ${LIMITS.argvEntries} entries`);
      return {
        timeUs, buildId, kind: 'exec', pid: num(e.pid), ppid: num(e.ppid), exe: str(e.exe, 'exec.exe'),
        argv: argv.map((a) => str(a, 'exec.argv')), cwd: str(e.cwd, 'exec.cwd'), uid: num(e.uid),
        startTimeUs: safe(e.startTimeUs, 'exec.start_time_us'), argvTruncated: e.argvTruncated ?? false,
      };
    }
    case 'fork':
      return { timeUs, buildId, kind: 'fork', pid: num(m.fork!.pid), ppid: num(m.fork!.ppid) };
    case 'exit':
      return { timeUs, buildId, kind: 'exit', pid: num(m.exit!.pid), exitCode: num(m.exit!.exitCode), signal: num(m.exit!.signal) };
    case 'connect': {
      const c = m.connect!;
      return {
        timeUs, buildId, kind: 'connect', pid: num(c.pid), family: familyFromProto(c.family), protocol: transportFromProto(c.protocol),
        address: str(c.address, 'connect.address'), port: num(c.port),
      };
    }
    case 'dns': {
      const d = m.dns!;
      const packet = d.packet ?? new Uint8Array(0);
      if (packet.length > LIMITS.dnsPacketBytes) throw new ProtoError('PROTO_INVALID_EVENT', 'dns packet larger than 65535 bytes');
      return {
        timeUs, buildId, kind: 'dns', pid: num(d.pid), packet, packetLength: Math.max(num(d.packetLength), packet.length),
        family: familyFromProto(d.family), protocol: transportFromProto(d.protocol), address: str(d.address, 'dns.address'), port: num(d.port),
        response: d.response ?? false,
      };
    }
    case 'loss':
      return { timeUs, buildId, kind: 'loss', source: str(m.loss!.source, 'loss.source'), reason: str(m.loss!.reason, 'loss.reason'), count: safe(m.loss!.count, 'loss.count') };
    case 'secretMatch':
      return secretMatchFromProto(m.secretMatch!, timeUs, buildId);
    case 'lockfile':
      return lockfileFromProto(m.lockfile!, timeUs, buildId);
    default:
      throw new ProtoError('PROTO_INVALID_EVENT', 'event without a known body');
  }
}

export function eventToProto(e: TelltaleEvent): telltale.v1.Event.$Properties {
  const timeUs = e.timeUs;
  const buildId = e.buildId;
  switch (e.kind) {
    case 'build_start': return { timeUs, buildId, buildStart: { context: { ...e.context }, rootPid: e.rootPid } };
    case 'build_end': return { timeUs, buildId, buildEnd: { exitCode: e.exitCode } };
    case 'exec': return {
      timeUs, buildId,
      exec: { pid: e.pid, ppid: e.ppid, exe: e.exe, argv: e.argv, cwd: e.cwd, uid: e.uid, startTimeUs: e.startTimeUs, argvTruncated: e.argvTruncated },
    };
    case 'fork': return { timeUs, buildId, fork: { pid: e.pid, ppid: e.ppid } };
    case 'exit': return { timeUs, buildId, exit: { pid: e.pid, exitCode: e.exitCode, signal: e.signal } };
    case 'connect': return {
      timeUs, buildId,
      connect: { pid: e.pid, family: familyToProto[e.family], protocol: transportToProto[e.protocol], address: e.address, port: e.port },
    };
    case 'dns': return {
      timeUs, buildId,
      dns: {
        pid: e.pid, packet: e.packet, packetLength: e.packetLength, family: familyToProto[e.family],
        protocol: transportToProto[e.protocol], address: e.address, port: e.port, response: e.response,
      },
    };
    case 'loss': return { timeUs, buildId, loss: { source: e.source, reason: e.reason, count: e.count } };
    case 'secret_match': return {
      timeUs, buildId,
      secretMatch: { pid: e.pid, variable: e.variable, encoding: e.encoding, coveredBytes: e.coveredBytes, valueBytes: e.valueBytes },
    };
    case 'lockfile': return {
      timeUs, buildId,
      lockfile: {
        path: e.path, workspace: e.workspace, sha256: e.sha256, size: e.size, content: e.content ?? new Uint8Array(0), omitted: e.omitted ?? '',
        scanIncomplete: e.scanIncomplete,
      },
    };
  }
}

export function encodeBatch(batch: EventBatch): Uint8Array {
  return pb.EventBatch.encode({ agentId: batch.agentId, sequence: batch.sequence, events: batch.events.map(eventToProto) }).finish();
}

export interface DecodedBatch {
  agentId: string;
  sequence: number;
  events: TelltaleEvent[];
  /** Events refused by eventFromProto, with their error codes; the rest of the batch stands. */
  rejected: { index: number; error: ProtoError }[];
}

/** Decodes an EventBatch from bytes. Malformed bytes throw PROTO_DECODE; bad events are listed, not fatal. */
export function decodeBatch(bytes: Uint8Array): DecodedBatch {
  let m: telltale.v1.EventBatch;
  try {
    m = pb.EventBatch.decode(bytes);
  } catch (err) {
    throw new ProtoError('PROTO_DECODE', `EventBatch does not decode: ${(err as Error).message}`);
  }
  return batchFromProto(m);
}

export function batchFromProto(m: telltale.v1.EventBatch.$Properties): DecodedBatch {
  const agentId = str(m.agentId, 'agent_id');
  if (!agentId) throw new ProtoError('PROTO_INVALID_BATCH', 'batch without agent_id');
  const sequence = num(m.sequence);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new ProtoError('PROTO_INVALID_BATCH', 'batch sequence must be 1 or more');
  const raw = m.events ?? [];
  if (raw.length > LIMITS.eventsPerBatch) throw new ProtoError('PROTO_INVALID_BATCH', `batch holds more than ${LIMITS.eventsPerBatch} events`);
  const events: TelltaleEvent[] = [];
  const rejected: DecodedBatch['rejected'] = [];
  raw.forEach((e, index) => {
    try {
      events.push(eventFromProto(e));
    } catch (err) {
      if (err instanceof ProtoError) rejected.push({ index, error: err });
      else rejected.push({ index, error: new ProtoError('PROTO_INVALID_EVENT', String(err)) });
    }
  });
  return { agentId, sequence, events, rejected };
}

export function encodeAck(ack: BatchAck): Uint8Array {
  return pb.BatchAck.encode(ack).finish();
}

export function decodeAck(bytes: Uint8Array): BatchAck {
  let m: telltale.v1.BatchAck;
  try {
    m = pb.BatchAck.decode(bytes);
  } catch (err) {
    throw new ProtoError('PROTO_DECODE', `BatchAck does not decode: ${(err as Error).message}`);
  }
  return { sequence: num(m.sequence), accepted: num(m.accepted), rejected: num(m.rejected), duplicate: m.duplicate ?? false };
}

export function alertToProto(a: AlertSummary): telltale.v1.Alert.$Properties {
  return {
    id: a.id, kind: a.kind, severity: a.severity, qname: a.qname ?? '', domain: a.domain ?? '', address: a.address ?? '',
    chain: a.chain.map((c) => ({ pid: c.pid, exe: c.exe, argv: c.argv })), evidenceJson: JSON.stringify(a.evidence), createdAtUs: a.createdAtUs,
  };
}

export function alertFromProto(m: telltale.v1.Alert.$Properties): AlertSummary {
  let evidence: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(m.evidenceJson || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) evidence = parsed as Record<string, unknown>;
  } catch {
    evidence = { unparsed: m.evidenceJson };
  }
  return {
    id: m.id ?? '', kind: m.kind ?? '', severity: m.severity ?? '', qname: m.qname || null, domain: m.domain || null,
    address: m.address || null, chain: (m.chain ?? []).map((c) => ({ pid: num(c.pid), exe: c.exe ?? '', argv: c.argv ?? [] })),
    evidence, createdAtUs: num(m.createdAtUs),
  };
}
