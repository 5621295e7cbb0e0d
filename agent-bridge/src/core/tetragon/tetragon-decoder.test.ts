import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { HostEvent } from '../host-event.js';
import { TetragonDecoder, type TetragonDecoderOptions } from './tetragon-decoder.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n');
const decode = (lines: string[], opts: TetragonDecoderOptions = {}) => {
  const d = new TetragonDecoder(opts);
  const events = [...lines.flatMap((l) => d.push(l)), ...d.flush()];
  return { d, events, drops: Object.fromEntries(d.drops) };
};
const ofKind = <K extends HostEvent['kind']>(events: HostEvent[], kind: K) =>
  events.filter((e): e is Extract<HostEvent, { kind: K }> => e.kind === kind);
/** The question name of a DNS query, read the plain way (no compression in a query). */
function qname(packet: Uint8Array): string {
  const labels: string[] = [];
  for (let i = 12; packet[i]! > 0; i += packet[i]! + 1) labels.push(String.fromCharCode(...packet.subarray(i + 1, i + 1 + packet[i]!)));
  return labels.join('.');
}

const T = '2026-03-14T09:21:00Z';
const line = (o: object) => JSON.stringify({ ...o, node_name: 'n', time: T });
const proc = (pid: number, extra: object = {}) => ({ exec_id: `id-${pid}`, pid, uid: 1000, binary: '/bin/sh', flags: 'execve clone', start_time: T, ...extra });
const udp = { sock_arg: { family: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP', saddr: '0.0.0.0', daddr: '0.0.0.0', state: 'TCP_CLOSE' } };
const sockaddr = (addr: string, port: number) => ({ sockaddr_arg: { family: 'AF_INET', addr, port } });
const kprobe = (process: object, fn: string, args: object[], parent?: object) =>
  line({ process_kprobe: { process, ...(parent ? { parent } : {}), function_name: fn, args, action: 'KPROBE_ACTION_POST' } });
const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

describe('TetragonDecoder on the exfil build', () => {
  const { d, events, drops } = decode(fixture('exfil-build.jsonl'));

  it('rebuilds the tree from procFS and execve events, ppid from the parent', () => {
    const execs = ofKind(events, 'exec');
    expect(execs).toHaveLength(20);
    expect(execs.slice(0, 4).map((e) => [e.pid, e.ppid, e.exe.split('/').pop()])).toEqual([
      [11870, 0, 'Runner.Worker'], [11881, 11870, 'bash'], [11906, 11881, 'cargo'], [11906, 11881, 'cargo'],
    ]);
    const script = execs.find((e) => e.exe.endsWith('/build-script-build'))!;
    expect(script).toMatchObject({ pid: 12024, ppid: 11906, cwd: '/tmp/cap/url-parsr', uid: 0, argvTruncated: false, timeUs: 1_773_480_000_790_687 });
    expect(script.argv).toEqual([script.exe]);
  });

  it('splits arguments the way Tetragon joined them', () => {
    const rustc = ofKind(events, 'exec').find((e) => e.pid === 11920)!;
    expect(rustc.argv.slice(0, 3)).toEqual([rustc.exe, '--crate-name', 'build_script_build']);
    expect(rustc.argv).toContain('cfg(feature, values())');
  });

  it('reports the build script’s DNS query with its bytes and destination, then its connect', () => {
    const [dns] = ofKind(events, 'dns');
    expect(dns).toMatchObject({ pid: 12024, family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false, packetLength: 100 });
    expect(qname(dns!.packet)).toBe('o5fgc3dslbkxi3sgivgusl2lg5guirkoi4xweudykjtgsq2zivmectkqjrcuwrk.z.exfil-drill.test');
    expect(ofKind(events, 'connect')).toEqual([
      { kind: 'connect', timeUs: 1_773_480_000_793_020, pid: 12024, family: 'inet', protocol: 'tcp', address: '127.0.0.1', port: 8443 },
    ]);
  });

  it('reports every exit and drops nothing', () => {
    expect(ofKind(events, 'exit')).toHaveLength(16);
    expect(drops).toEqual({});
    expect(d.source).toBe('tetragon');
  });
});

describe('TetragonDecoder on the benign build', () => {
  const { events, drops } = decode(fixture('benign-build.jsonl'));

  it('takes the destination of a send on a connected socket from the socket', () => {
    expect(ofKind(events, 'dns').map((e) => [qname(e.packet), e.address, e.port, e.protocol])).toEqual([
      ['index.crates.test', '127.0.0.53', 53, 'udp'], ['index.crates.test', '127.0.0.53', 53, 'udp'],
      ['static.crates.test', '127.0.0.53', 53, 'udp'], ['static.crates.test', '127.0.0.53', 53, 'udp'],
    ]);
    expect(ofKind(events, 'connect').map((e) => `${e.protocol} ${e.address}:${e.port}`))
      .toEqual(['udp 127.0.0.53:53', 'tcp 127.0.0.1:443', 'udp 127.0.0.53:53', 'tcp 127.0.0.1:443']);
    expect(drops).toEqual({});
  });
});

describe('TetragonDecoder on hostile input', () => {
  const { events, drops } = decode(fixture('hostile.jsonl'));

  it('counts each bad line and returns it as a loss, and keeps going', () => {
    expect(drops).toEqual({
      malformed_line: 18, rate_limited: Number.MAX_SAFE_INTEGER, throttled: 1,
      ignored_process_lsm: 1, ignored_process_tracepoint: 1, ignored_other: 1,
    });
    const losses = ofKind(events, 'loss');
    expect(losses.filter((l) => l.reason === 'malformed_line')).toHaveLength(18);
    expect(losses.filter((l) => l.reason === 'throttled').map((l) => l.timeUs)).toEqual([1_773_480_066_178_407, 1_773_480_067_501_718]);
    expect(losses.every((l) => l.source === 'tetragon')).toBe(true);
  });

  it('still decodes the valid lines between them', () => {
    expect(ofKind(events, 'exec')).toMatchObject([{ pid: 45, exe: '/usr/bin/true', argv: ['/usr/bin/true', '--version'], argvTruncated: true }]);
    expect(ofKind(events, 'exit')).toMatchObject([{ pid: 45, exitCode: 0, signal: 9 }]);
    expect(ofKind(events, 'dns')).toMatchObject([{ pid: 45, packetLength: 300, address: '127.0.0.53', port: 53 }]);
    expect(ofKind(events, 'dns')[0]!.packet).toHaveLength(8);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('survives a 10 MB line as one counted loss', () => {
    const d = new TetragonDecoder();
    const huge = `{"process_exec":{"process":{"pid":1,"arguments":"${'A'.repeat(10 << 20)}"}}}`;
    expect(d.push(huge)).toEqual([{ kind: 'loss', timeUs: 0, source: 'tetragon', reason: 'line_too_long', count: 1 }]);
    expect(d.drops.get('line_too_long')).toBe(1);
  });
});

describe('TetragonDecoder process linkage', () => {
  it('takes ppid from the exec_id table when only parent_exec_id is known, else 0', () => {
    const { events } = decode([
      line({ process_exec: { process: proc(10) } }),
      line({ process_exec: { process: proc(11, { parent_exec_id: 'id-10' }) } }),
      line({ process_exec: { process: proc(12, { parent_exec_id: 'never-seen' }) } }),
    ]);
    expect(ofKind(events, 'exec').map((e) => e.ppid)).toEqual([0, 10, 0]);
  });

  it('introduces a clone that never exec’d with a fork, and a missed exec with a late exec', () => {
    const { events } = decode([
      line({ process_exec: { process: proc(20) } }),
      kprobe(proc(21, { flags: 'clone', parent_exec_id: 'id-20' }), 'security_socket_connect', [udp, sockaddr('10.0.0.1', 53)]),
      kprobe(proc(22, { binary: '/usr/bin/dig', arguments: 'example.test' }), 'security_socket_connect', [udp, sockaddr('10.0.0.1', 53)], proc(20)),
      kprobe(proc(22, { binary: '/usr/bin/dig' }), 'security_socket_connect', [udp, sockaddr('10.0.0.1', 53)]),
    ]);
    expect(events.map((e) => e.kind)).toEqual(['exec', 'fork', 'connect', 'exec', 'connect', 'connect']);
    expect(events[1]).toMatchObject({ kind: 'fork', pid: 21, ppid: 20 });
    expect(events[3]).toMatchObject({ kind: 'exec', pid: 22, ppid: 20, exe: '/usr/bin/dig', argv: ['/usr/bin/dig', 'example.test'] });
  });

  it('introduces an unseen subshell parent (a clone that never exec\'d) before the exec it starts', () => {
    // bash (30) forks a subshell (31, no event of its own) that execs curl (32): `$(curl ...)`.
    const { events } = decode([
      line({ process_exec: { process: proc(30) } }),
      line({ process_exec: { process: proc(32, { binary: '/usr/bin/curl', parent_exec_id: 'id-31' }), parent: proc(31, { flags: 'clone', parent_exec_id: 'id-30' }) } }),
    ]);
    expect(events.map((e) => [e.kind, 'pid' in e ? e.pid : null, 'ppid' in e ? e.ppid : null])).toEqual([['exec', 30, 0], ['fork', 31, 30], ['exec', 32, 31]]);
  });

  it('remembers the Kubernetes pod and container of each exec, when Tetragon gives them', () => {
    const pod = { namespace: 'ci', name: 'runner-abc', container: { id: 'containerd://1', name: 'job' } };
    const { d } = decode([line({ process_exec: { process: proc(40, { pod }) } }), line({ process_exec: { process: proc(41) } })]);
    expect(d.podOf(40)).toEqual({ namespace: 'ci', name: 'runner-abc', container: 'job' });
    expect(d.podOf(41)).toBeUndefined();
  });

  it('keeps the table bounded and counts live entries it had to drop', () => {
    const { drops } = decode([1, 2, 3, 4].map((pid) => line({ process_exec: { process: proc(pid) } })), { maxExecIds: 2 });
    expect(drops).toEqual({ exec_table_overflow: 2 });
  });
});

describe('TetragonDecoder network events', () => {
  const query = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1];

  it('reads a tcp_connect sock argument on its own', () => {
    const { events } = decode([kprobe(proc(30), 'tcp_connect', [{ sock_arg: { family: 'AF_INET6', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', daddr: '2001:db8::5', dport: 443, state: 'TCP_SYN_SENT' } }])]);
    expect(ofKind(events, 'connect')).toMatchObject([{ family: 'inet6', protocol: 'tcp', address: '2001:db8::5', port: 443 }]);
  });

  it('splits DNS over TCP at its length prefixes', () => {
    const framed = [0, query.length, ...query, 0, query.length, ...query];
    const tcp = { sock_arg: { family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', daddr: '10.0.0.1', dport: 53, state: 'TCP_ESTABLISHED' } };
    const { events } = decode([kprobe(proc(31), 'security_socket_sendmsg', [tcp, { bytes_arg: b64(framed) }])]);
    expect(ofKind(events, 'dns').map((e) => [e.protocol, e.packetLength, qname(e.packet)])).toEqual([['tcp', 24, 'a.test'], ['tcp', 24, 'a.test']]);
  });

  it('reports a glibc TCP query whose prefix came alone as a message of that length, bytes unseen', () => {
    const tcp = { sock_arg: { family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', daddr: '10.0.0.1', dport: 53, state: 'TCP_ESTABLISHED' } };
    const { events, drops } = decode([kprobe(proc(35), 'security_socket_sendmsg', [tcp, { bytes_arg: b64([0, 40]) }])]);
    expect(ofKind(events, 'dns')).toMatchObject([{ protocol: 'tcp', packet: new Uint8Array(0), packetLength: 40 }]);
    expect(drops).toEqual({ dns_tcp_length_only: 1 });
  });

  it('takes only configured DNS ports, and counts other payloads and connects it cannot place', () => {
    const send = kprobe(proc(32), 'security_socket_sendmsg', [udp, { bytes_arg: b64(query) }, sockaddr('10.0.0.1', 5353)]);
    expect(decode([send]).drops).toEqual({ payload_not_dns: 1 });
    expect(ofKind(decode([send], { dnsPorts: [53, 5353] }).events, 'dns')).toHaveLength(1);
    const unix = kprobe(proc(33), 'security_socket_connect', [{ sockaddr_arg: { family: 'AF_UNIX', addr: 'invalid IP' } }]);
    expect(decode([unix]).drops).toEqual({ connect_without_destination: 1 });
    expect(decode([kprobe(proc(34), 'fd_install', [{ int_arg: 3 }])]).drops).toEqual({ ignored_kprobe: 1 });
  });

  it('reports no loss for a rate-limit report of zero', () => {
    expect(decode([line({ rate_limit_info: {} })]).events).toEqual([]);
  });
});

describe('TetragonDecoder never throws', () => {
  const lines = fixture('exfil-build.jsonl').filter((l) => l.length < 2000);

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      expect(Array.isArray(new TetragonDecoder().push(s))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('on arbitrary JSON, and on fixture lines with a piece replaced', () => {
    const d = new TetragonDecoder();
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), (j) => {
      expect(Array.isArray(d.push(j))).toBe(true);
    }), { numRuns: 2000 });
    const mutated = fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }))
      .map(([l, at, cut, text]) => l.slice(0, at % l.length) + text + l.slice((at % l.length) + cut));
    fc.assert(fc.property(mutated, (l) => {
      for (const e of d.push(l)) expect(typeof e.kind).toBe('string');
    }), { numRuns: 3000 });
    expect(d.drops.get('decoder_error')).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
