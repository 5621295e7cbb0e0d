import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BpftraceDecoder } from '../bpftrace-decoder.js';
import type { SourceDecoder } from '../event-source.js';
import type { HostEvent } from '../host-event.js';
import { FalcoDecoder } from './falco-decoder.js';

const lines = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
const fixture = (name: string) => lines(`./testdata/${name}`);
function decodeAll(input: string[], d: SourceDecoder = new FalcoDecoder()): HostEvent[] {
  return [...input.flatMap((l) => d.push(l)), ...d.flush()];
}
const ofKind = <K extends HostEvent['kind']>(events: HostEvent[], kind: K) =>
  events.filter((e): e is Extract<HostEvent, { kind: K }> => e.kind === kind);
const EXFIL_QNAME = 'o5fgc3dslbkxi3sgivgusl2lg5guirkoi4xweudykjtgsq2zivmectkqjrcuwrk.z.exfil-drill.test';
const EXFIL_QUERY = Uint8Array.from(Buffer.from('612d010000010000000000003f6f356667633364736c626b786933736769766775736c326c6735677569726b6f69347877657564796b6a74677371327a69766d6563746b716a72637577726b017a0b657866696c2d6472696c6c04746573740000010001', 'hex'));

/** A minimal alert line of one of our rules, as Falco shapes it (sorted keys, compact). */
function line(rule: string, fields: Record<string, string>, extra = ''): string {
  const of = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `"${k}":${v}`).join(',');
  return `{"hostname":"h","output_fields":{${of}},"priority":"Notice","rule":"${rule}","source":"syscall",${extra}"tags":["telltale"],"time":"2023-11-14T22:13:20.123456789Z"}`;
}

describe('FalcoDecoder on the cargo exfil fixture', () => {
  const d = new FalcoDecoder({ bufferFormat: 'base64' });
  const events = decodeAll(fixture('exfil-build.jsonl'), d);

  it('gives the exact DNS query the build script sent, with its true length and peer', () => {
    const dns = ofKind(events, 'dns');
    expect(dns).toHaveLength(1);
    expect(dns[0]).toEqual({
      kind: 'dns', timeUs: 1700000000468711, pid: 12024, packet: EXFIL_QUERY, packetLength: 100,
      family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false,
    });
    expect(d.drops.size).toBe(0);
  });

  it('gives the process tree: cargo (the rustup proxy, then the real one), its rustc and the build script', () => {
    const execs = ofKind(events, 'exec');
    expect(execs[0]).toEqual({
      kind: 'exec', timeUs: 1700000000000656, pid: 11906, ppid: 11881, exe: '/root/.cargo/bin/cargo',
      argv: ['cargo', 'build', '--offline', '--locked', '--quiet'], cwd: '/tmp/cap', uid: 0,
      startTimeUs: 1700000000000332, argvTruncated: false,
    });
    const script = execs.find((e) => e.exe.endsWith('/build-script-build'));
    expect(script).toMatchObject({ pid: 12024, ppid: 11906, cwd: '/tmp/cap/url-parsr' });
    // rustc 11920 has the argument "cfg(feature, values())": proc.args cannot say where it ends.
    expect(execs.find((e) => e.pid === 11920)?.argvTruncated).toBe(true);
  });

  it('matches what the bpftrace source makes of the same build, event for event', () => {
    const cwdOf = (pid: number) => (pid === 12024 ? '/tmp/cap/url-parsr' : '/tmp/cap');
    const bt = new BpftraceDecoder({ clockOffsetNs: 1700000000000000000n - 2935323000000n, cwdOf });
    const reference = decodeAll(lines('../../../../cli/src/commands/testdata/cargo-exfil.bpftrace.jsonl'), bt);
    // The fixture's DNS went to 127.0.0.53:53, the capture's to 127.0.0.1:5399; argv is compared below.
    const comparable = (e: HostEvent) => (e.kind === 'exec' ? { ...e, argv: [], argvTruncated: false }
      : e.kind === 'dns' ? { kind: e.kind, timeUs: e.timeUs, pid: e.pid, packet: Array.from(e.packet), response: e.response } : e);
    expect(events.length).toBeGreaterThan(40);
    expect(events.map(comparable)).toEqual(reference.map(comparable));
    // argv is the same wherever proc.args could be split without doubt and was not cut. rustc
    // passes "cfg(feature, values())", which holds a space; the linkers' argv passes 4 KiB.
    const ours = ofKind(events, 'exec');
    const theirs = ofKind(reference, 'exec');
    const rustc = [11920, 12026, 12033, 12098];
    const linkers = [12018, 12019, 12020, 12020, 12113, 12114, 12115, 12115];
    expect(ours.filter((e) => e.argvTruncated).map((e) => e.pid).sort()).toEqual([...rustc, ...linkers].sort());
    ours.forEach((e, i) => {
      if (!e.argvTruncated) expect(e.argv).toEqual(theirs[i]!.argv);
    });
  });
});

describe('FalcoDecoder on the default (dots) buffer rendering', () => {
  it('rebuilds the exfil name from the lossy rendering and counts it as lossy', () => {
    const d = new FalcoDecoder();
    const dns = ofKind(decodeAll(fixture('exfil-build.dots.jsonl'), d), 'dns');
    expect(dns).toHaveLength(1);
    const p = dns[0]!.packet;
    expect(p.length).toBe(100);
    expect(Array.from(p.slice(12, 96))).toEqual(Array.from(EXFIL_QUERY.slice(12, 96))); // the whole name
    expect(d.drops.get('dns_payload_lossy')).toBe(1);
  });
});

describe('FalcoDecoder on the benign fixture', () => {
  it('gives the A and AAAA queries glibc sent in one sendmmsg, their answers and the connects', () => {
    const d = new FalcoDecoder();
    const events = decodeAll(fixture('benign-build.jsonl'), d);
    const dns = ofKind(events, 'dns');
    expect(dns.map((e) => e.response)).toEqual([false, false, true, true, false, false, true, true]);
    expect(dns.every((e) => e.packet.length === e.packetLength)).toBe(true);
    expect(ofKind(events, 'connect').map((c) => `${c.address}:${c.port}/${c.protocol}`)).toEqual(['10.20.0.5:443/tcp', '10.20.0.6:443/tcp']);
    expect(ofKind(events, 'exit').every((e) => e.exitCode === 0 && e.signal === 0)).toBe(true);
    expect(d.drops.size).toBe(0);
  });
});

describe('FalcoDecoder on hostile input', () => {
  it('counts every bad line, reports drops as loss, and never throws', () => {
    const d = new FalcoDecoder();
    const events = decodeAll(fixture('hostile.jsonl'), d);
    expect(Object.fromEntries(d.drops)).toEqual({
      FALCO_MALFORMED_JSON: 5, FALCO_NOT_AN_ALERT: 2, FALCO_BAD_FIELD: 7,
      syscall_event_drop: 1234, unknown_rule: 1, kernel_drop: 41, outputs_queue_drop: 3,
      dns_payload_missing: 1, dns_payload_unrecoverable: 1,
    });
    const loss = ofKind(events, 'loss');
    expect(loss.map((l) => `${l.reason}:${l.count}`)).toEqual([
      'malformed_line:1', 'malformed_line:1', 'malformed_line:1', 'malformed_line:1', 'syscall_event_drop:1234',
      'unusable_alert:1', 'malformed_line:1', 'malformed_line:1', 'unusable_alert:1', 'malformed_line:1',
      'malformed_line:1', 'malformed_line:1', 'malformed_line:1', 'malformed_line:1', 'kernel_drop:41',
      'outputs_queue_drop:3', 'dns_payload_missing:1', 'dns_payload_unrecoverable:1', 'unusable_alert:1',
    ]);
    expect(loss.every((l) => l.source === 'falco')).toBe(true);
    // Good alerts survive around them, prototype keys included; a huge evt.time falls back to `time`.
    const execs = ofKind(events, 'exec');
    expect(execs.map((e) => e.pid)).toEqual([4242, 4242, 4242, 4242]);
    expect(execs[2]!.timeUs).toBe(1700001200000001);
    expect(execs[3]).toMatchObject({ argv: ['sh', '-c', '"echo', '\\ud800', '\ud800\u0000\n"'], argvTruncated: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('never throws on any string, any JSON, or a damaged fixture line (property)', () => {
    const d = new FalcoDecoder();
    const good = fixture('exfil-build.jsonl');
    const damaged = fc.tuple(fc.constantFrom(...good), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([l, a, b, s]) => l.slice(0, a % l.length) + s + l.slice(a % l.length + (b % 16)));
    const arb = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json(), damaged);
    fc.assert(fc.property(arb, (l) => {
      const out = d.push(l);
      expect(Array.isArray(out)).toBe(true);
      for (const e of out) expect(Number.isSafeInteger(e.timeUs)).toBe(true);
    }), { numRuns: 2000 });
  });

  it('reports an over-long line as a loss without reading it', () => {
    const d = new FalcoDecoder();
    expect(d.push(`{"rule":"${'x'.repeat(2 << 20)}"}`)).toEqual([{ kind: 'loss', timeUs: 0, source: 'falco', reason: 'malformed_line', count: 1 }]);
    expect(d.drops.get('FALCO_LINE_TOO_LONG')).toBe(1);
  });
});

describe('FalcoDecoder time and mapping rules', () => {
  it('keeps evt.time to the microsecond where JSON.parse would round it up', () => {
    // 1700000000123456999 ns as a double is ...457024: JSON.parse would give µs ...457, not ...456.
    expect(Math.floor(JSON.parse('1700000000123456999') / 1000)).toBe(1700000000123457);
    const d = new FalcoDecoder();
    const [e] = d.push(line('telltale process forked', { 'evt.time': '1700000000123456999', 'proc.pid': '7', 'proc.ppid': '1' }));
    expect(e).toEqual({ kind: 'fork', timeUs: 1700000000123456, pid: 7, ppid: 1 });
    const [x] = d.push(line('telltale process started', {
      'evt.time': '1700000000123456789', 'proc.pid': '8', 'proc.exepath': '"/bin/true"', 'proc.exe': '"true"', 'proc.args': '""',
      'proc.cmdnargs': '0', 'proc.pid.ts': '1700000000000000999', 'proc.cwd': '"/"', 'user.uid': '4294967295',
    }));
    expect(x).toMatchObject({ kind: 'exec', timeUs: 1700000000123456, startTimeUs: 1700000000000000, exe: '/bin/true', argv: ['true'], cwd: '/', uid: 4294967295 });
  });

  it('splits the kernel exit status, or reads ret and a signal name', () => {
    const d = new FalcoDecoder();
    expect(d.push(line('telltale process exited', { 'proc.pid': '9', 'evt.arg.status': '"265"' }))).toMatchObject([{ exitCode: 1, signal: 9 }]);
    expect(d.push(line('telltale process exited', { 'proc.pid': '9', 'evt.arg.ret': '"0"', 'evt.arg.sig': '"SIGKILL"' }))).toMatchObject([{ exitCode: 0, signal: 9 }]);
    expect(d.push(line('telltale process exited', { 'proc.pid': '9' }))).toMatchObject([{ kind: 'loss', reason: 'unusable_alert' }]);
  });

  it('maps an alert of an unknown rule by evt.type only when it is tagged telltale (by default)', () => {
    const fields = { 'evt.type': '"connect"', 'proc.pid': '5', 'fd.sip': '"10.0.0.1"', 'fd.sport': '443', 'fd.l4proto': '"tcp"', 'fd.typechar': '"4"' };
    const tagged = line('my copy of the connect rule', fields);
    const untagged = tagged.replace('"tags":["telltale"]', '"tags":["network"]');
    expect(new FalcoDecoder().push(tagged)).toMatchObject([{ kind: 'connect', address: '10.0.0.1', port: 443, protocol: 'tcp', family: 'inet' }]);
    const d = new FalcoDecoder();
    expect(d.push(untagged)).toEqual([]);
    expect(d.drops.get('unknown_rule')).toBe(1);
    expect(new FalcoDecoder({ fallback: 'any' }).push(untagged)).toHaveLength(1);
    expect(new FalcoDecoder({ fallback: 'off' }).push(tagged)).toEqual([]);
  });

  it('takes a datagram to another port as DNS only when that port is configured', () => {
    const fields = { 'evt.type': '"sendto"', 'proc.pid': '5', 'fd.sip': '"10.0.0.1"', 'fd.sport': '5353', 'fd.l4proto': '"udp"', 'fd.typechar': '"4"', 'evt.rawres': '22', 'evt.arg.data': `"${Buffer.from(EXFIL_QUERY.slice(0, 22)).toString('base64')}"` };
    const l = line('another dns rule', fields);
    expect(new FalcoDecoder().push(l)).toEqual([]);
    expect(new FalcoDecoder({ dnsPorts: [5353] }).push(l)).toMatchObject([{ kind: 'dns', port: 5353, packetLength: 22 }]);
  });

  it('splits DNS over TCP at its length prefixes', () => {
    const msg = EXFIL_QUERY;
    const framed = Uint8Array.from([0, msg.length, ...msg, 0, msg.length, ...msg]);
    const l = line('telltale dns query sent', {
      'proc.pid': '5', 'fd.sip': '"::1"', 'fd.sport': '53', 'fd.l4proto': '"tcp"', 'fd.typechar': '"6"',
      'evt.rawres': String(framed.length), 'evt.arg.data': `"${Buffer.from(framed).toString('base64')}"`,
    });
    const out = new FalcoDecoder().push(l);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ kind: 'dns', family: 'inet6', protocol: 'tcp', address: '::1', packet: msg, packetLength: 100 });
  });
});
