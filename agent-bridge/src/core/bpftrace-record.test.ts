import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, parseBpftraceLine, type BpftraceRecord } from './bpftrace-record.js';

// Lines captured from deploy/bpftrace/telltale.bt on this kernel (bpftrace 0.17).
const captured = readFileSync(new URL('./testdata/telltale-bt-capture.jsonl', import.meta.url), 'latin1')
  .split('\n')
  .filter((l) => l !== '');

const printf = (data: string): string => JSON.stringify({ type: 'printf', data });

function ok(line: string): BpftraceRecord {
  const r = parseBpftraceLine(line);
  if (!r.ok) throw new Error(`rejected ${r.error.code}: ${line}`);
  return r.record;
}

function code(line: string): string {
  const r = parseBpftraceLine(line);
  return r.ok ? 'ok' : r.error.code;
}

function find(tag: string, ...has: string[]): string {
  const line = captured.find((l) => l.includes(`"${tag} `) && has.every((h) => l.includes(h)));
  if (line === undefined) throw new Error(`no captured ${tag} line with ${has.join(' ')}`);
  return line;
}

describe('parseBpftraceLine on captured output', () => {
  it('accepts every captured line', () => {
    expect(captured.length).toBeGreaterThan(50);
    for (const line of captured) expect(code(line), line).toBe('ok');
  });

  it('reads exec with argv join key, start time and filename', () => {
    expect(ok(find('EXEC', '/usr/bin/true'))).toEqual({
      type: 'exec', t: 1164144133712n, pid: 19846, oldTid: 19846, ppid: 19805, uid: 0,
      startNs: 1164141098152n, argvT: 1164143268363n, filename: '/usr/bin/true', filenameBytes: 13,
    });
  });

  it('decodes argv strings: newline, quotes, UTF-8 bytes, control bytes, the 199-byte cap', () => {
    const arg = (i: number) => ok(find('ARGV', `1164143268363 19846 19846 ${i} `)) as { arg: string; argBytes: number };
    expect(arg(1).arg).toBe('a\nb');
    expect(arg(2).arg).toBe('q"\\x');
    expect(arg(3)).toMatchObject({ arg: 'é€', argBytes: 5 });
    expect(arg(4).arg).toBe('\x01\x1f\x7f');
    expect(arg(5)).toMatchObject({ arg: 'x'.repeat(199), argBytes: 199 });
    expect(ok(find('ARGE', '1164143268363'))).toMatchObject({ type: 'argv_end', count: 6, more: false });
  });

  it('reads fork, exit status and the perf loss / attach notices', () => {
    expect(ok(find('FORK', '19805 19847'))).toEqual({ type: 'fork', t: 1164145029927n, ppid: 19805, pid: 19847 });
    expect(ok(find('EXIT', '19847 256'))).toMatchObject({ type: 'exit', pid: 19847, exitCode: 1, signal: 0 });
    expect(ok(captured[0] as string)).toEqual({ type: 'attached', probes: 24 });
    expect(ok(captured.at(-1) as string)).toEqual({ type: 'lost', count: 12 });
    expect(ok(find('READY'))).toEqual({ type: 'ready', t: 1795471772868n, pid: 28923 });
  });

  it('reads IPv4 and IPv6 connects with their transport', () => {
    expect(ok(find('CONN', '::1'))).toMatchObject({ family: 'inet6', protocol: 'udp', address: '::1', port: 5399, fd: 3 });
    expect(ok(find('CONN', '19717'))).toMatchObject({ family: 'inet', protocol: 'tcp', address: '127.0.0.1' });
  });

  it('reads a DNS header and byte-swaps each payload word', () => {
    expect(ok(find('DNS', '1138387965586'))).toMatchObject({
      type: 'dns', pid: 19601, response: false, protocol: 'udp', family: 'inet', address: '127.0.0.1', port: 5399,
      segments: [{ length: 43, captured: 43 }, { length: 0, captured: 0 }],
    });
    const chunk = ok(find('DNSB', '1138387965586')) as { bytes: Uint8Array; segment: number; chunk: number };
    expect(chunk.bytes.length).toBe(208);
    expect([...chunk.bytes.subarray(0, 16)]).toEqual([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
  });
});

describe('parseBpftraceLine on hostile input', () => {
  it('never throws on random text or random printf data', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      expect(typeof parseBpftraceLine(s).ok).toBe('boolean');
      expect(typeof parseBpftraceLine(printf(s)).ok).toBe('boolean');
    }), { numRuns: 2000 });
  });

  it('never throws on mutated record lines', () => {
    const tags = ['EXEC', 'ARGV', 'ARGE', 'FORK', 'EXIT', 'CONN', 'DNS', 'DNSB'];
    const token = fc.oneof(fc.constantFrom('0', '1', '-1', '53', '2', '10', '::1', '1.2.3.4', '99999999999999999999'), fc.string({ maxLength: 8 }));
    fc.assert(fc.property(fc.constantFrom(...tags), fc.array(token, { maxLength: 16 }), (tag, rest) => {
      const r = parseBpftraceLine(printf(`${[tag, ...rest].join(' ')}\n`));
      if (!r.ok) expect(['BPFTRACE_BAD_FIELD', 'BPFTRACE_UNKNOWN_RECORD']).toContain(r.error.code);
    }), { numRuns: 2000 });
  });

  it('round-trips any argument bytes through bpftrace escaping', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 199 }).map((b) => b.map((x) => x || 1)), (bytes) => {
      // bpftrace 0.17: bytes >= 0x80 print as "\uffffffXX", the rest as JSON escapes them.
      let esc = '';
      for (const b of bytes) esc += b >= 0x80 ? `\\uffffff${b.toString(16)}` : JSON.stringify(String.fromCharCode(b)).slice(1, -1);
      const line = `{"type": "printf", "data": "ARGV 5 7 7 0 ${esc}\\n"}`;
      const rec = ok(line) as { arg: string; argBytes: number };
      expect(rec.argBytes).toBe(bytes.length);
      expect(rec.arg).toBe(new TextDecoder().decode(bytes));
    }), { numRuns: 1000 });
  });

  it('rejects a huge line before parsing it', () => {
    expect(code(printf(`ARGV 1 2 2 0 ${'y'.repeat(MAX_LINE_CHARS)}\n`))).toBe('BPFTRACE_LINE_TOO_LONG');
  });

  it('cannot be fooled by a newline forging a second record', () => {
    expect(code(printf('FORK 1 2 3\nFORK 4 5 6\n'))).toBe('BPFTRACE_BAD_FIELD');
    // Inside a trailing string the newline is just part of the argument.
    expect(ok(printf('ARGV 1 2 2 0 x\nEXEC 1 2 2 1 0 1 1 /bin/sh\n'))).toMatchObject({ arg: 'x\nEXEC 1 2 2 1 0 1 1 /bin/sh' });
  });

  it.each([
    ['not JSON', '{"type": "printf", "data": ', 'BPFTRACE_MALFORMED_JSON'],
    ['JSON array', '[1,2]', 'BPFTRACE_MALFORMED_JSON'],
    ['data not a string', '{"type": "printf", "data": 5}', 'BPFTRACE_MALFORMED_JSON'],
    ['other JSON type', '{"type": "map", "data": {"@x": 1}}', 'BPFTRACE_UNKNOWN_RECORD'],
    ['unknown tag', printf('HELLO 1 2\n'), 'BPFTRACE_UNKNOWN_RECORD'],
    ['no final newline', printf('FORK 1 2 3'), 'BPFTRACE_BAD_FIELD'],
    ['negative pid', printf('FORK 1 -2 3\n'), 'BPFTRACE_BAD_FIELD'],
    ['pid beyond pid_max', printf('FORK 1 2 4194305\n'), 'BPFTRACE_BAD_FIELD'],
    ['u64 overflow', printf('FORK 18446744073709551616 2 3\n'), 'BPFTRACE_BAD_FIELD'],
    ['extra field', printf('FORK 1 2 3 4\n'), 'BPFTRACE_BAD_FIELD'],
    ['double space', printf('FORK 1  2 3\n'), 'BPFTRACE_BAD_FIELD'],
    ['missing string field', printf('ARGV 1 2 2 0\n'), 'BPFTRACE_BAD_FIELD'],
    ['exit code too big', printf('EXIT 1 2 65536\n'), 'BPFTRACE_BAD_FIELD'],
    ['port too big', printf('CONN 1 2 2 3 2 2 65536 1.2.3.4\n'), 'BPFTRACE_BAD_FIELD'],
    ['unknown family', printf('CONN 1 2 2 3 2 1 53 1.2.3.4\n'), 'BPFTRACE_BAD_FIELD'],
    ['address of wrong family', printf('CONN 1 2 2 3 2 2 53 ::1\n'), 'BPFTRACE_BAD_FIELD'],
    ['bad IPv4', printf('CONN 1 2 2 3 2 2 53 1.2.3.256\n'), 'BPFTRACE_BAD_FIELD'],
    ['captured beyond length', printf('DNS 1 2 2 0 3 2 2 53 1.2.3.4 10 20 0 0\n'), 'BPFTRACE_BAD_FIELD'],
    ['DNS port 0', printf('DNS 1 2 2 0 3 2 2 0 1.2.3.4 10 10 0 0\n'), 'BPFTRACE_BAD_FIELD'],
    ['odd hex', printf(`DNSB 1 2 0 0 ${'a'.repeat(15)}\n`), 'BPFTRACE_BAD_FIELD'],
    ['upper-case hex', printf(`DNSB 1 2 0 0 ${'A'.repeat(16)}\n`), 'BPFTRACE_BAD_FIELD'],
    ['non-hex', printf(`DNSB 1 2 0 0 ${'g'.repeat(16)}\n`), 'BPFTRACE_BAD_FIELD'],
    ['segment 2', printf(`DNSB 1 2 2 0 ${'0'.repeat(16)}\n`), 'BPFTRACE_BAD_FIELD'],
    ['lost count negative', '{"type": "lost_events", "data": {"events": -1}}', 'BPFTRACE_BAD_FIELD'],
    ['lost count fractional', '{"type": "lost_events", "data": {"events": 1.5}}', 'BPFTRACE_BAD_FIELD'],
  ])('%s', (_name, line, expected) => {
    expect(code(line)).toBe(expected);
  });
});
