// The keystone scenario: a real offline cargo build whose typosquatted dependency's build.rs
// leaks a (fake) AWS key as a DNS query. Real bpftrace events, a real gRPC hop, a real SQLite
// file: the collector must hold an encoded_dns_label alert naming the query, the domain and
// the chain down to build-script-build; the same workspace built clean, resolving the names a
// real build resolves, raises nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENIGN_NAMES } from '../support/cargo.js';
import { base32Decode } from '../support/base32.js';
import { getJson } from '../support/telltale-procs.js';
import { cargoExfilBuild, startWatchedStack, type WatchedStack } from '../support/watched-stack.js';

const FAKE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface ApiAlert {
  id: string; kind: string; severity: string; pipeline: string; runId: string; buildId: string;
  qname: string | null; domain: string | null; chain: { pid: number; exe: string; argv: string[] }[];
  evidence: Record<string, unknown>; createdAt: string; createdAtUs: number;
}

describe('a build script leaking a secret over DNS', () => {
  let stack: WatchedStack;
  beforeAll(async () => { stack = await startWatchedStack({ prefix: 'telltale-e2e-' }); });
  afterAll(async () => { await stack?.close(); });

  const build = (pipeline: string, leak: boolean, extraEnv: Record<string, string> = {}) =>
    cargoExfilBuild(stack, { pipeline, env: { AWS_SECRET_ACCESS_KEY: FAKE_KEY, ...(leak ? { TELLTALE_FIXTURE_LEAK: '1' } : {}), ...extraEnv } });

  it('raises encoded_dns_label with the query, the domain and the chain to build-script-build', async () => {
    const r = await build('e2e/exfil', true);
    expect(r.report.complete, r.output).toBe(true);
    expect(r.code, r.output).toBe(3); // --fail-on-alert: cargo succeeded, telltale found a leak
    const leaked = stack.dns.queries.find((q) => q.name.endsWith('.exfil-drill.test'));
    expect(leaked, 'the fixture really sent its query').toBeDefined();
    const labels = leaked!.name.split('.').slice(0, -2).join('');
    expect(base32Decode(labels).toString()).toBe(FAKE_KEY);

    const { alerts } = await getJson<{ alerts: ApiAlert[] }>(`${stack.collector.httpUrl}/api/alerts?pipeline=e2e/exfil`);
    const alert = alerts.find((a) => a.kind === 'encoded_dns_label');
    expect(alert, JSON.stringify(alerts, null, 2)).toBeDefined();
    expect(alert!.qname).toBe(leaked!.name.toLowerCase());
    expect(alert!.domain).toBe('exfil-drill.test');
    expect(alert!.buildId).toBe(r.report.buildId);
    const exes = alert!.chain.map((p) => p.exe.split('/').pop());
    expect(exes[exes.length - 1]).toBe('build-script-build');
    // The alert names the package whose build script did it: the name from its path (a path
    // dependency's folder carries no version), the version and the way in from the Cargo.lock the
    // agent reported; the pipeline's first lockfile, so nothing is said to have arrived.
    expect(alert!.evidence['package']).toEqual({
      ecosystem: 'cargo', name: 'url-parsr', version: '0.1.0', from: 'build script path', lockfile: 'Cargo.lock', direct: false,
      dependencyPaths: ['app 0.1.0 → rust-utilities 0.1.0 → url-parsr 0.1.0'], arrivedInThisBuild: null, changeInThisBuild: null,
    });
    expect(exes).toContain('cargo');
    expect(alert!.chain[0]!.exe).toContain('node'); // the build's root: `telltale run` itself
    // The alert reached the WebSocket within a second of the DNS server seeing the query.
    const pushed = stack.streamed.find((m) => m.type === 'alert' && m.alert?.id === alert!.id);
    expect(pushed).toBeDefined();
    const queryWallMs = Date.now() - Number((process.hrtime.bigint() - leaked!.receivedAtNs) / 1_000_000n);
    expect(pushed!.at - queryWallMs).toBeLessThan(1000);
    // The build is stored with its process tree.
    const detail = await getJson<{ build: { counts: { processes: number; dnsQueries: number } }; processTree: unknown[] }>(
      `${stack.collector.httpUrl}/api/builds/${r.report.buildId}`);
    expect(detail.build.counts.dnsQueries).toBeGreaterThanOrEqual(1);
    // Every executable in the stored tree, by base name (the whole list is the failure message).
    const treeExes: string[] = [];
    const walk = (nodes: unknown[]) => {
      for (const n of nodes as { exe: string; children: unknown[] }[]) {
        treeExes.push(n.exe.split('/').pop()!);
        walk(n.children);
      }
    };
    walk(detail.processTree);
    expect(treeExes, JSON.stringify({ treeExes, complete: (detail as { processTreeComplete?: boolean }).processTreeComplete, chain: alert!.chain.map((p) => [p.pid, p.exe]) }))
      .toContain('build-script-build');
  });

  it('raises nothing for the same workspace built without the leak, though its build script resolves ordinary names', async () => {
    const before = stack.dns.queries.length;
    const r = await build('e2e/clean', false, { TELLTALE_FIXTURE_BENIGN_DNS: '1' });
    expect(r.code, r.output).toBe(0);
    expect(r.report.complete).toBe(true);
    expect(r.report.alerts).toEqual([]);
    // The build really sent its eight queries, and the collector stored each of them for this build.
    expect(stack.dns.queries.slice(before).map((q) => q.name)).toEqual(BENIGN_NAMES);
    const detail = await getJson<{ build: { counts: { dnsQueries: number } }; dnsQueries: { qname: string; qtype: string }[] }>(
      `${stack.collector.httpUrl}/api/builds/${r.report.buildId}`);
    expect(detail.dnsQueries.map((q) => q.qname).sort()).toEqual([...BENIGN_NAMES].sort());
    expect(detail.dnsQueries.every((q) => q.qtype === 'A')).toBe(true);
    expect(detail.build.counts.dnsQueries).toBeGreaterThanOrEqual(BENIGN_NAMES.length);
    const { alerts } = await getJson<{ alerts: ApiAlert[] }>(`${stack.collector.httpUrl}/api/alerts?pipeline=e2e/clean`);
    expect(alerts).toEqual([]);
    const { builds } = await getJson<{ builds: { id: string; counts: { processes: number } }[] }>(`${stack.collector.httpUrl}/api/builds?pipeline=e2e/clean`);
    expect(builds).toHaveLength(1);
    expect(builds[0]!.counts.processes).toBeGreaterThan(3); // the build was really watched
  });

  it('raises unexpected_tool when the build script spawns a shell piping into base64', async () => {
    const r = await build('e2e/spawn', false, { TELLTALE_FIXTURE_SPAWN: '1' });
    expect(r.code, r.output).toBe(3);
    const { alerts } = await getJson<{ alerts: ApiAlert[] }>(`${stack.collector.httpUrl}/api/alerts?pipeline=e2e/spawn`);
    expect(alerts.map((a) => a.kind)).toEqual(['unexpected_tool']);
    const exes = alerts[0]!.chain.map((p) => p.exe.split('/').pop());
    expect(exes.slice(-2)).toEqual(['build-script-build', 'sh']);
    expect(alerts[0]!.evidence).toMatchObject({ reason: 'shell_suspicious', matched: 'base64', buildScript: 'cargo_build_script' });
  });
});
