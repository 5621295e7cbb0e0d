// The real thing: bpftrace with the shipped script, a child that resolves a name against a
// DNS socket this test binds on loopback, and the assembled events it must produce.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpftraceAssembler } from '../core/bpftrace-assembler.js';
import { BuildTracker } from '../core/build-tracker.js';
import type { HostEvent } from '../core/host-event.js';
import { measureClockOffsetNs, startBpftrace, type BpftraceProcess } from './bpftrace-process.js';
import { readCwd, readParentPid } from './proc-reader.js';

const SCRIPT = fileURLToPath(new URL('../../../deploy/bpftrace/telltale.bt', import.meta.url));

const QUERY = Buffer.from([
  0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  3, ...Buffer.from('abc'), 13, ...Buffer.from('telltale-test'), 7, ...Buffer.from('invalid'), 0,
  0x00, 0x01, 0x00, 0x01,
]);
// The answer: same question, one A record 192.0.2.7 (a name pointer to offset 12).
const ANSWER = Buffer.concat([
  Buffer.from([0xbe, 0xef, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
  QUERY.subarray(12),
  Buffer.from([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 192, 0, 2, 7]),
]);

const CHILD = `
import dgram from 'node:dgram';
import net from 'node:net';
const [dnsPort, tcpPort, queryHex] = process.argv.slice(2);
setTimeout(() => process.exit(2), 10000).unref();
const udp = dgram.createSocket('udp4');
udp.on('message', () => {
  udp.close();
  const tcp = net.connect(Number(tcpPort), '127.0.0.1', () => tcp.end());
  // Stay alive a moment so the agent can still read our cwd when the exec arrives.
  tcp.on('close', () => setTimeout(() => process.exit(0), 500));
});
udp.connect(Number(dnsPort), '127.0.0.1', () => udp.send(Buffer.from(queryHex, 'hex')));
`;

describe('bpftrace-process with the shipped telltale.bt', () => {
  const events: HostEvent[] = [];
  let dir: string;
  let dnsServer: dgram.Socket;
  let tcpServer: net.Server;
  let proc: BpftraceProcess;
  let assembler: BpftraceAssembler;

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'telltale-bt-')));
    writeFileSync(join(dir, 'child.mjs'), CHILD);
    dnsServer = dgram.createSocket('udp4');
    dnsServer.on('message', (_msg, from) => dnsServer.send(ANSWER, from.port, from.address));
    await new Promise<void>((r) => dnsServer.bind(0, '127.0.0.1', r));
    tcpServer = net.createServer((s) => s.resume());
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));

    assembler = new BpftraceAssembler({ clockOffsetNs: measureClockOffsetNs(), cwdOf: readCwd });
    proc = await startBpftrace({
      scriptPath: SCRIPT,
      dnsPorts: [dnsServer.address().port],
      onRecord: (r) => events.push(...assembler.push(r)),
    });
    expect(await proc.ready).toBeGreaterThan(20);
  }, 90_000);

  afterAll(async () => {
    await proc?.stop();
    dnsServer?.close();
    tcpServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the child exec with argv, its DNS query and answer, and its connects', async () => {
    const dnsPort = dnsServer.address().port;
    const tcpPort = (tcpServer.address() as net.AddressInfo).port;
    const args = [join(dir, 'child.mjs'), String(dnsPort), String(tcpPort), QUERY.toString('hex')];
    const startedUs = Date.now() * 1000;
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'inherit' });
    const pid = child.pid as number;
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);

    const mine = () => events.filter((e) => 'pid' in e && e.pid === pid);
    for (let i = 0; i < 100 && !hasAll(mine()); i++) await new Promise((r) => setTimeout(r, 100));

    const exec = mine().find((e) => e.kind === 'exec');
    expect(exec).toMatchObject({ ppid: process.pid, exe: process.execPath, argv: [process.execPath, ...args], argvTruncated: false, cwd: dir });
    expect(Math.abs((exec?.timeUs ?? 0) - startedUs)).toBeLessThan(5_000_000);

    const dns = mine().filter((e) => e.kind === 'dns');
    const query = dns.find((e) => !e.response);
    expect(query).toMatchObject({ family: 'inet', protocol: 'udp', address: '127.0.0.1', port: dnsPort, packetLength: QUERY.length });
    expect(Buffer.from(query?.packet ?? [])).toEqual(QUERY);
    const answer = dns.find((e) => e.response);
    expect(answer).toMatchObject({ address: '127.0.0.1', port: dnsPort, packetLength: ANSWER.length });
    expect(Buffer.from(answer?.packet ?? [])).toEqual(ANSWER);

    const connects = mine().filter((e) => e.kind === 'connect').map((e) => [e.protocol, e.address, e.port]);
    expect(connects).toEqual(expect.arrayContaining([['udp', '127.0.0.1', dnsPort], ['tcp', '127.0.0.1', tcpPort]]));
    expect(mine().find((e) => e.kind === 'exit')).toMatchObject({ exitCode: 0, signal: 0 });

    // The tracker places all of it under a build rooted at this test process.
    const tracker = new BuildTracker({ lookupParent: readParentPid });
    tracker.register('it', process.pid);
    // Lines from different CPUs may arrive out of order; the agent gets them in time order too.
    for (const e of mine().sort((a, b) => a.timeUs - b.timeUs)) expect(tracker.assign(e), e.kind).toBe('it');

    const exit = await proc.stop();
    expect(exit.code).toBe(0);
    expect(proc.drops.get('line_rejected') ?? 0).toBe(0);
  }, 60_000);
});

describe('bpftrace-process start failures', () => {
  const noop = () => {};
  const failure = async (opts: Partial<Parameters<typeof startBpftrace>[0]>) => {
    const proc = await startBpftrace({ scriptPath: SCRIPT, onRecord: noop, ...opts });
    return proc.ready.then(() => 'ready', (e: { code: string }) => e.code);
  };

  it('says when bpftrace cannot be run at all', async () => {
    expect(await failure({ bpftracePath: '/nonexistent/bpftrace' })).toBe('BPFTRACE_SPAWN_FAILED');
  });

  it('says when bpftrace is not running as root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-bt-'));
    const wrapper = join(dir, 'bpftrace-as-nobody');
    writeFileSync(wrapper, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups bpftrace "$@"\n');
    chmodSync(wrapper, 0o755);
    try {
      expect(await failure({ bpftracePath: wrapper })).toBe('BPFTRACE_NOT_ROOT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when the script does not load, with bpftrace\'s words', async () => {
    const proc = await startBpftrace({ scriptPath: '/nonexistent/telltale.bt', onRecord: noop });
    await expect(proc.ready).rejects.toMatchObject({ code: 'BPFTRACE_EARLY_EXIT' });
    expect((await proc.exited).stderr.join('\n')).toMatch(/nonexistent/);
  });

  it('refuses more DNS ports than the script takes', async () => {
    await expect(startBpftrace({ scriptPath: SCRIPT, onRecord: noop, dnsPorts: [53, 1, 2, 3, 4, 5] }))
      .rejects.toMatchObject({ code: 'BPFTRACE_BAD_OPTIONS' });
  });
});

function hasAll(events: HostEvent[]): boolean {
  const kinds = events.map((e) => (e.kind === 'dns' ? `dns:${e.response}` : e.kind));
  return ['exec', 'dns:false', 'dns:true', 'connect', 'exit'].every((k) => kinds.includes(k))
    && events.filter((e) => e.kind === 'connect').length >= 2;
}
