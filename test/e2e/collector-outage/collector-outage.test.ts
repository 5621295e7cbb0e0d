// The collector is killed mid-build and restarted: the agent spools what it saw while the
// collector was away and delivers it when it returns; every event is stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '@telltale/agent-bridge';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { getJson, runTracked, startAgent, startCollector, type Daemon } from '../support/telltale-procs.js';

const QUERIES = 60;
const CHILDREN = 30;
const SPAN_MS = 6000;
const NOISY = fileURLToPath(new URL('./noisy-build.mjs', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface TreeNode { exe: string; children: TreeNode[] }
const flatten = (nodes: TreeNode[]): TreeNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

describe('collector outage mid-build', () => {
  let dir: string;
  let dns: DnsServer;
  let agent: Daemon;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-outage-'));
    dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every event the agent saw exactly once', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    collector = await startCollector(join(dir, 'collector'), [], httpPort, grpcPort);
    agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [dns.port]);
    const report = join(dir, 'report.json');
    const build = runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', 'e2e/outage', '--report', report, '--',
      process.execPath, NOISY, String(dns.port), String(QUERIES), String(CHILDREN), String(SPAN_MS)], process.env);

    await new Promise((r) => setTimeout(r, SPAN_MS / 3));
    await collector.stop('SIGKILL');
    const seenDuringOutage = dns.queries.length;
    await new Promise((r) => setTimeout(r, SPAN_MS / 3));
    collector = await startCollector(join(dir, 'collector'), [], httpPort, grpcPort);
    const result = await build;
    expect(result.code, result.output).toBe(0);
    const { buildId, complete } = JSON.parse(readFileSync(report, 'utf8')) as { buildId: string; complete: boolean };
    expect(complete, result.output).toBe(true);
    expect(dns.queries.length).toBe(QUERIES);
    expect(seenDuringOutage).toBeLessThan(QUERIES); // the outage really fell inside the build

    const detail = await getJson<{ dnsQueries: { qname: string }[]; processTree: TreeNode[]; build: { counts: { dnsQueries: number; lostEvents: number } } }>(
      `${collector.httpUrl}/api/builds/${buildId}`);
    const names = detail.dnsQueries.map((q) => q.qname).filter((n) => n.endsWith('.outage.test')).sort();
    expect(names).toEqual(Array.from({ length: QUERIES }, (_, i) => `q${i}.outage.test`).sort());
    expect(detail.build.counts.dnsQueries).toBe(QUERIES);
    expect(detail.build.counts.lostEvents).toBe(0);
    const trues = flatten(detail.processTree).filter((p) => p.exe === '/bin/true' || p.exe === '/usr/bin/true');
    expect(trues).toHaveLength(CHILDREN);
    const metrics = await (await fetch(`${collector.httpUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/telltale_sequence_gaps_total/);
    // The agent really lost its collector and came back to it.
    const status = (await controlRequest(join(dir, 'agent', 'agent.sock'), 'GET', '/v1/status')).body as { forwarder: { reconnects: number } };
    expect(status.forwarder.reconnects).toBeGreaterThanOrEqual(1);
  });
});
