import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAck, decodeBatch, encodeAck, encodeBatch, LIMITS } from './convert.js';
import { ProtoError } from './errors.js';
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as ProtoError).code;
  }
  return null;
};

describe('decodeBatch at the collector edge', () => {
  it('turns random bytes into PROTO_DECODE or a batch, never a crash', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        decodeBatch(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtoError);
      }
    }), { numRuns: 2000 });
  });

  it('rejects a batch without agent id or with sequence 0', () => {
    expect(codeOf(() => decodeBatch(telltale.v1.EventBatch.encode({ sequence: 1 }).finish()))).toBe('PROTO_INVALID_BATCH');
    expect(codeOf(() => decodeBatch(telltale.v1.EventBatch.encode({ agentId: 'a' }).finish()))).toBe('PROTO_INVALID_BATCH');
  });

  it('lists bad events and keeps the good ones', () => {
    const bytes = telltale.v1.EventBatch.encode({
      agentId: 'a', sequence: 1,
      events: [
        { buildId: 'b', timeUs: 1, fork: { pid: 2, ppid: 1 } },
        { buildId: '', timeUs: 1, fork: { pid: 3, ppid: 1 } },
        { buildId: 'b', timeUs: 1 },
        { buildId: 'b', timeUs: 1, exec: { pid: 4, exe: 'x'.repeat(LIMITS.stringBytes + 1) } },
        { buildId: 'b', timeUs: 1, exec: { pid: 5, argv: Array(LIMITS.argvEntries + 1).fill('a') } },
      ],
    }).finish();
    const batch = decodeBatch(bytes);
    expect(batch.events.map((e) => e.kind)).toEqual(['fork']);
    expect(batch.rejected.map((r) => [r.index, r.error.code])).toEqual([[1, 'PROTO_INVALID_EVENT'], [2, 'PROTO_INVALID_EVENT'], [3, 'PROTO_INVALID_EVENT'], [4, 'PROTO_INVALID_EVENT']]);
  });

  it('refuses times beyond 2^53, which numbers cannot hold exactly', () => {
    const bytes = telltale.v1.EventBatch.encode({ agentId: 'a', sequence: 1, events: [{ buildId: 'b', timeUs: 2 ** 63, fork: { pid: 1 } }] }).finish();
    expect(decodeBatch(bytes).rejected[0]?.error.code).toBe('PROTO_INVALID_EVENT');
  });

  it('refuses a build_start whose context names another build', () => {
    const bytes = telltale.v1.EventBatch.encode({ agentId: 'a', sequence: 1, events: [{ buildId: 'b', buildStart: { context: { buildId: 'other' } } }] }).finish();
    expect(decodeBatch(bytes).rejected[0]?.error.code).toBe('PROTO_INVALID_EVENT');
  });

  it('carries a build\'s Kubernetes pod when the agent knows it, and nothing when it does not', () => {
    const context = { buildId: 'b', pipeline: 'p', runId: '1', job: 'j', repo: 'r', commit: 'c', agentHost: 'h', ciProvider: 'github' };
    const withPod = { ...context, k8sNamespace: 'ci', k8sPod: 'runner-1', k8sContainer: 'job' };
    const round = (c: typeof context) => {
      const e = decodeBatch(encodeBatch({ agentId: 'a', sequence: 1, events: [{ kind: 'build_start', timeUs: 1, buildId: 'b', context: c, rootPid: 1 }] })).events[0]!;
      return e.kind === 'build_start' ? e.context : null;
    };
    expect(round(withPod)).toEqual(withPod);
    expect(round(context)).toEqual(context);
  });

  it('round-trips acks', () => {
    expect(decodeAck(encodeAck({ sequence: 7, accepted: 3, rejected: 1, duplicate: true }))).toEqual({ sequence: 7, accepted: 3, rejected: 1, duplicate: true });
    expect(codeOf(() => decodeAck(Uint8Array.from([0xff, 0xff, 0xff])))).toBe('PROTO_DECODE');
  });

  it('keeps microsecond times exact as numbers', () => {
    const t = 1_795_000_000_123_457;
    const b = decodeBatch(encodeBatch({ agentId: 'a', sequence: 2 ** 40, events: [{ kind: 'fork', timeUs: t, buildId: 'b', pid: 1, ppid: 0 }] }));
    expect(b.events[0]!.timeUs).toBe(t);
    expect(b.sequence).toBe(2 ** 40);
  });
});
