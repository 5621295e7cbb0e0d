import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpftraceAssembler } from './bpftrace-assembler.js';
import { parseBpftraceLine, type BpftraceRecord, type DnsRecord, type ExecRecord } from './bpftrace-record.js';
import type { HostEvent } from './host-event.js';

const captured = readFileSync(new URL('./testdata/telltale-bt-capture.jsonl', import.meta.url), 'latin1')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => {
    const r = parseBpftraceLine(l);
    if (!r.ok) throw new Error(l);
    return r.record;
  });

const MS = 1_000_000n;
const newAssembler = (opts: Partial<ConstructorParameters<typeof BpftraceAssembler>[0]> = {}) =>
  new BpftraceAssembler({ clockOffsetNs: 0n, ...opts });
const feed = (a: BpftraceAssembler, records: BpftraceRecord[]): HostEvent[] => records.flatMap((r) => a.push(r));
const ofKind = <K extends HostEvent['kind']>(events: HostEvent[], kind: K) =>
  events.filter((e): e is Extract<HostEvent, { kind: K }> => e.kind === kind);

const exec = (tid: number, t: bigint, argvT: bigint, filename = '/bin/x'): ExecRecord => ({
  type: 'exec', t, pid: tid, oldTid: tid, ppid: 1, uid: 0, startNs: 1n, argvT, filename, filenameBytes: filename.length,
});
const argvSet = (tid: number, t: bigint, args: string[], more = false): BpftraceRecord[] => [
  ...args.map((arg, index): BpftraceRecord => ({ type: 'argv', t, pid: tid, tid, index, arg, argBytes: arg.length })),
  { type: 'argv_end', t, pid: tid, tid, count: args.length, more },
];
const tick = (t: bigint): BpftraceRecord => ({ type: 'fork', t, ppid: 1, pid: 99 });
const dnsHeader = (t: bigint, length: number, captured: number, protocol: 'udp' | 'tcp' = 'udp'): DnsRecord => ({
  type: 'dns', t, pid: 7, tid: 7, response: false, fd: 3, protocol, family: 'inet', port: 53, address: '1.1.1.1',
  segments: [{ length, captured }, { length: 0, captured: 0 }],
});
const chunk = (t: bigint, index: number, fill: number): BpftraceRecord =>
  ({ type: 'dns_chunk', t, tid: 7, segment: 0, chunk: index, bytes: new Uint8Array(208).fill(fill) });

describe('BpftraceAssembler on captured output', () => {
  const a = newAssembler({ clockOffsetNs: 1_700_000_000_000_000_000n, cwdOf: (pid) => `/cwd/${pid}` });
  const events = [...feed(a, captured), ...a.flush()];

  it('joins argv to the exec that ran, marking the 199-byte argument as possibly cut', () => {
    const [t, f] = ofKind(events, 'exec');
    expect(t).toEqual({
      kind: 'exec', timeUs: 1_700_001_164_144_133, pid: 19846, ppid: 19805, exe: '/usr/bin/true',
      argv: ['true', 'a\nb', 'q"\\x', 'é€', '\x01\x1f\x7f', 'x'.repeat(199)], cwd: '/cwd/19846', uid: 0,
      startTimeUs: 1_700_001_164_141_098, argvTruncated: true,
    });
    expect(f).toMatchObject({ pid: 19847, exe: '/dev/fd/4', argv: ['false', 'viafd'], argvTruncated: false });
  });

  it('reassembles DNS payloads, trims them to their length and unframes DNS over TCP', () => {
    const dns = ofKind(events, 'dns');
    const sizes = dns.map((d) => [d.protocol, d.response, d.packetLength, d.packet.length]);
    expect(sizes).toEqual([
      ['udp', false, 43, 43], ['udp', true, 643, 643], ['udp', false, 43, 43], ['udp', true, 43, 43],
      ['udp', false, 43, 43], ['udp', true, 43, 43], ['udp', false, 43, 43], ['udp', true, 43, 43],
      ['tcp', false, 43, 43], ['tcp', false, 43, 43], ['tcp', false, 43, 43], ['tcp', true, 43, 43], // framed write, writev x2, read
      ['udp', false, 33, 33], ['udp', false, 33, 33], ['udp', true, 33, 33], ['udp', true, 33, 33], // glibc sendmmsg A+AAAA
      ['udp', false, 19, 19],
    ]);
    const query = Uint8Array.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, ...Buffer.from('abc'), 13,
      ...Buffer.from('telltale-test'), 7, ...Buffer.from('invalid'), 0, 0, 1, 0, 1]);
    for (const d of dns.filter((e) => e.packetLength === 43 && !e.response)) expect(d.packet).toEqual(query);
    expect(dns.at(-1)).toMatchObject({ family: 'inet6', address: '::1', port: 5399 });
  });

  it('reports the lost perf events', () => {
    expect(ofKind(events, 'loss')).toEqual([expect.objectContaining({ source: 'bpftrace', count: 12 })]);
    expect(a.drops.get('perf_lost')).toBe(12);
    expect([...a.drops.keys()]).toEqual(['perf_lost']);
  });
});

describe('BpftraceAssembler argv joining', () => {
  it('keeps only the argv set of the execve that succeeded (PATH search)', () => {
    const a = newAssembler();
    const out = feed(a, [
      ...argvSet(5, 10n, ['ls', '-l']), ...argvSet(5, 20n, ['ls', '-l']), ...argvSet(5, 30n, ['ls', '-la']),
      exec(5, 40n, 30n, '/usr/bin/ls'),
    ]);
    expect(ofKind(out, 'exec')).toMatchObject([{ exe: '/usr/bin/ls', argv: ['ls', '-la'], argvTruncated: false }]);
  });

  it('waits for argv lines that arrive after the exec (another CPU)', () => {
    const a = newAssembler();
    expect(a.push(exec(5, 40n, 30n))).toEqual([]);
    const out = feed(a, argvSet(5, 30n, ['sh', '-c', 'id']));
    expect(ofKind(out, 'exec')).toMatchObject([{ argv: ['sh', '-c', 'id'], argvTruncated: false }]);
  });

  it('marks argv truncated when the script hit its argument cap', () => {
    const a = newAssembler();
    const out = feed(a, [...argvSet(5, 30n, ['cc', '-c'], true), exec(5, 40n, 30n)]);
    expect(ofKind(out, 'exec')).toMatchObject([{ argv: ['cc', '-c'], argvTruncated: true }]);
  });

  it('gives up on missing argv after the hold time, counting the drop', () => {
    const a = newAssembler({ holdNs: 100n * MS });
    expect(a.push(exec(5, 1000n * MS, 999n * MS))).toEqual([]);
    expect(a.push(tick(1050n * MS))).toEqual([expect.objectContaining({ kind: 'fork' })]);
    const out = a.push(tick(1101n * MS));
    expect(ofKind(out, 'exec')).toMatchObject([{ pid: 5, argv: [], argvTruncated: true }]);
    expect(a.drops.get('argv_missing')).toBe(1);
  });

  it('emits the argv prefix of an incomplete set', () => {
    const a = newAssembler({ holdNs: 100n * MS });
    const set = argvSet(5, 10n * MS, ['a', 'b', 'c']).filter((r) => !(r.type === 'argv' && r.index === 1));
    feed(a, [...set, exec(5, 11n * MS, 10n * MS)]);
    const out = a.push(tick(500n * MS));
    expect(ofKind(out, 'exec')).toMatchObject([{ argv: ['a'], argvTruncated: true }]);
    expect(a.drops.get('argv_incomplete')).toBe(1);
  });

  it('emits an exec whose execve predates the script at once', () => {
    const a = newAssembler();
    expect(ofKind(a.push(exec(5, 40n, 0n)), 'exec')).toMatchObject([{ argv: [], argvTruncated: true }]);
    expect(a.drops.get('argv_missing')).toBe(1);
  });

  it('bounds waiting execs and argv sets', () => {
    const a = newAssembler({ maxPending: 2 });
    const out = feed(a, [exec(1, 10n, 5n), exec(2, 11n, 5n), exec(3, 12n, 5n), ...argvSet(4, 13n, ['x']), ...argvSet(6, 14n, ['y']), ...argvSet(7, 15n, ['z'])]);
    expect(ofKind(out, 'exec').map((e) => e.pid)).toEqual([1]);
    expect(a.drops.get('pending_overflow')).toBe(2);
    expect(ofKind(a.flush(), 'exec').map((e) => e.pid)).toEqual([2, 3]);
  });
});

describe('BpftraceAssembler DNS reassembly', () => {
  it('joins chunks in any order and trims to the captured length', () => {
    const a = newAssembler();
    expect(feed(a, [dnsHeader(5n, 500, 500), chunk(5n, 2, 3), chunk(5n, 0, 1)])).toEqual([]);
    const [d] = ofKind(a.push(chunk(5n, 1, 2)), 'dns');
    expect(d?.packetLength).toBe(500);
    expect(d?.packet.length).toBe(500);
    expect([d?.packet[0], d?.packet[208], d?.packet[416], d?.packet[499]]).toEqual([1, 2, 3, 3]);
  });

  it('keeps the bytes before a lost chunk and counts the loss', () => {
    const a = newAssembler({ holdNs: 10n });
    feed(a, [dnsHeader(5n, 1000, 1000), chunk(5n, 0, 1), chunk(5n, 2, 3)]);
    const [d] = ofKind(a.push(tick(100n)), 'dns');
    expect([d?.packetLength, d?.packet.length]).toEqual([1000, 208]);
    expect(a.drops.get('dns_chunk_missing')).toBe(1);
  });

  it('reports the true length of a datagram longer than the capture', () => {
    const a = newAssembler();
    const [d] = ofKind(feed(a, [dnsHeader(5n, 4000, 208), chunk(5n, 0, 9)]), 'dns');
    expect([d?.packetLength, d?.packet.length]).toEqual([4000, 208]);
  });

  it('counts chunks without a header', () => {
    const a = newAssembler();
    expect(a.push(chunk(5n, 0, 1))).toEqual([]);
    expect(a.drops.get('dns_chunk_orphan')).toBe(1);
  });

  it('converts monotonic time with the offset', () => {
    const a = newAssembler({ clockOffsetNs: 1_000_000_000n });
    const [d] = ofKind(feed(a, [dnsHeader(5_000n, 16, 16), chunk(5_000n, 0, 0)]), 'dns');
    expect(d?.timeUs).toBe(1_000_005);
  });
});
