import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTetragonLine, parseTetragonObject, type TetragonEvent } from './tetragon-json.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
const ok = (line: string): TetragonEvent => {
  const r = parseTetragonLine(line);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.event;
};
const code = (line: string) => {
  const r = parseTetragonLine(line);
  return r.ok ? 'ok' : r.error.code;
};

describe('parseTetragonLine', () => {
  it('reads every line of the build fixtures', () => {
    const events = [...fixture('exfil-build.jsonl'), ...fixture('benign-build.jsonl')].map(ok);
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['exec', 'exit', 'kprobe']));
  });

  it('reads an exec: wrappers, flags, times to the microsecond', () => {
    const e = ok(fixture('exfil-build.jsonl')[1]!);
    expect(e).toMatchObject({
      kind: 'exec', timeUs: 1_773_480_000_100_120,
      process: { pid: 11881, uid: 0, binary: '/usr/bin/bash', flags: ['procFS'], startTimeUs: 1_773_480_000_050_000, cwd: '/tmp/cap' },
      parent: { pid: 11870, binary: '/home/runner/actions-runner/bin/Runner.Worker' },
    });
  });

  it('reads a kprobe’s socket, payload and sockaddr arguments in order', () => {
    const e = ok(fixture('exfil-build.jsonl').find((l) => l.includes('security_socket_sendmsg'))!);
    if (e.kind !== 'kprobe') throw new Error(e.kind);
    expect(e.functionName).toBe('security_socket_sendmsg');
    expect(e.policyName).toBe('telltale-dns-payload');
    expect(e.args.map((a) => a.kind)).toEqual(['sock', 'bytes', 'sockaddr']);
    expect(e.args[1]).toMatchObject({ kind: 'bytes', origSize: 100 });
    expect(e.args[2]).toEqual({ kind: 'sockaddr', sockaddr: { family: 'AF_INET', addr: '127.0.0.53', port: 53 } });
  });

  it('reads a truncated payload with its original size', () => {
    const e = ok(fixture('hostile.jsonl')[26]!);
    expect(e.kind === 'kprobe' && e.args[1]).toMatchObject({ kind: 'bytes', origSize: 300, bytes: new Uint8Array([0x12, 0x34, 1, 0, 0, 1, 0, 0]) });
  });

  it('reads throttle and rate-limit events', () => {
    const lines = fixture('hostile.jsonl');
    expect(ok(lines[5]!)).toEqual({ kind: 'throttle', timeUs: 1_773_480_066_178_407, phase: 'start', cgroup: 'session-429.scope' });
    expect(ok(lines[6]!)).toMatchObject({ kind: 'throttle', phase: 'stop' });
    expect(ok(lines[4]!)).toMatchObject({ kind: 'rate_limit', dropped: 18446744073709551615n });
  });

  it('names the kinds it does not use instead of failing', () => {
    const lines = fixture('hostile.jsonl');
    expect([ok(lines[7]!), ok(lines[8]!), ok(lines[9]!)].map((e) => e.kind === 'ignored' && e.eventName))
      .toEqual(['process_lsm', 'process_tracepoint', 'other']);
  });

  it('answers every hostile line with a code, never a throw', () => {
    expect(fixture('hostile.jsonl').map(code)).toEqual([
      'TETRAGON_BAD_JSON', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok',
      'ok', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD',
      'TETRAGON_BAD_JSON', 'TETRAGON_BAD_JSON', 'TETRAGON_BAD_JSON', 'TETRAGON_BAD_JSON', 'TETRAGON_BAD_JSON',
      'TETRAGON_BAD_JSON', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_FIELD', 'TETRAGON_BAD_JSON', 'ok', 'ok',
    ]);
  });

  it('refuses a line over the limit without parsing it', () => {
    expect(code('{"x":"' + 'a'.repeat(2 << 20) + '"}')).toBe('TETRAGON_LINE_TOO_LONG');
    expect(parseTetragonLine('{"process_exec":{}}', 10)).toMatchObject({ ok: false, error: { code: 'TETRAGON_LINE_TOO_LONG' } });
  });

  it('leaves Object.prototype alone when keys are __proto__', () => {
    const e = ok(fixture('hostile.jsonl')[10]!);
    expect(e).toMatchObject({ kind: 'exec', process: { pid: 45, binary: '/usr/bin/true' } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['pid']).toBeUndefined();
  });
});

describe('parseTetragonObject', () => {
  it('takes an object already decoded, lowerCamel names included (what a gRPC adapter has)', () => {
    const r = parseTetragonObject({
      processExit: { process: { execId: 'eA==', pid: 7, startTime: '2026-03-14T09:20:00Z' }, signal: 'SIGTERM', status: 0 },
      nodeName: 'n', time: '2026-03-14T09:20:01.000001Z',
    });
    expect(r).toEqual({ ok: true, event: expect.objectContaining({ kind: 'exit', timeUs: 1_773_480_001_000_001, signal: 'SIGTERM', status: 0 }) });
  });

  it('falls back to ProcessExit.time when the response has none', () => {
    const r = parseTetragonObject({ process_exit: { process: { pid: 7 }, time: '2026-03-14T09:20:00Z' } });
    expect(r.ok && r.event.timeUs).toBe(1_773_480_000_000_000);
  });
});
