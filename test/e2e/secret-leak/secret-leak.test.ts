// "Did a real secret leave": the agent fingerprints the build's secret-like variables (in
// memory only) and checks every DNS query of the build against them. A real offline cargo
// build whose build script sends the fake AWS key over DNS must raise secret_leak naming the
// variable (and encoded_dns_label); the same build sending random data instead must raise
// encoded_dns_label only. Real bpftrace, agent, gRPC and collector; DNS only to the test's
// own loopback server, names under .test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { base32Decode } from '../support/base32.js';
import { getJson } from '../support/telltale-procs.js';
import { cargoExfilBuild, startWatchedStack, type WatchedStack } from '../support/watched-stack.js';

const FAKE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // AWS's documentation example, not a credential

interface ApiAlert { id: string; kind: string; severity: string; buildId: string; chain: { pid: number; exe: string }[]; evidence: Record<string, unknown> }

describe('a build script leaking a real secret of its build over DNS', () => {
  let stack: WatchedStack;
  beforeAll(async () => { stack = await startWatchedStack({ prefix: 'telltale-e2e-secret-' }); });
  afterAll(async () => { await stack?.close(); });

  const build = (pipeline: string, extraEnv: Record<string, string> = {}) =>
    cargoExfilBuild(stack, { pipeline, env: { AWS_SECRET_ACCESS_KEY: FAKE_KEY, TELLTALE_FIXTURE_LEAK: '1', ...extraEnv } });
  const alertsOf = async (pipeline: string) => (await getJson<{ alerts: ApiAlert[] }>(`${stack.collector.httpUrl}/api/alerts?pipeline=${encodeURIComponent(pipeline)}`)).alerts;

  it('raises a critical secret_leak naming AWS_SECRET_ACCESS_KEY, the whole value carried, besides encoded_dns_label', async () => {
    const before = stack.dns.queries.length;
    const r = await build('e2e/secret-leak');
    expect(r.code, r.output).toBe(3);
    expect(r.report.complete, r.output).toBe(true);
    const leaked = stack.dns.queries.slice(before).find((q) => q.name.endsWith('.exfil-drill.test'));
    expect(base32Decode(leaked!.name.split('.').slice(0, -2).join('')).toString()).toBe(FAKE_KEY);

    const alerts = await alertsOf('e2e/secret-leak');
    expect(alerts.map((a) => a.kind).sort(), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label', 'secret_leak']);
    const leak = alerts.find((a) => a.kind === 'secret_leak')!;
    expect(leak.severity).toBe('critical');
    expect(leak.buildId).toBe(r.report.buildId);
    expect(leak.evidence).toMatchObject({ variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', valueBytes: 40 });
    expect(leak.evidence.fraction as number).toBeGreaterThanOrEqual(0.9);
    expect(leak.chain.at(-1)!.exe.split('/').pop()).toBe('build-script-build');
    // Pushed live as well, by name only.
    expect(stack.streamed.some((m) => m.alert?.id === leak.id)).toBe(true);
    // telltale adds no copy of the value in clear: not in any alert, any stream message or any
    // log line of either daemon. (The leaked query itself, base32 as the build sent it, is the
    // evidence the DNS alert shows: the fingerprinting never widens that.)
    const said = JSON.stringify({ alerts, streamed: stack.streamed }) + stack.agent.output() + stack.collector.output();
    expect(said).toContain('AWS_SECRET_ACCESS_KEY');
    for (let i = 0; i + 10 <= FAKE_KEY.length; i++) expect(said).not.toContain(FAKE_KEY.slice(i, i + 10));
  });

  it('raises encoded_dns_label but no secret_leak when the same build leaks random data instead', async () => {
    const random = randomBytes(30).toString('base64url').slice(0, 40);
    const before = stack.dns.queries.length;
    const r = await build('e2e/random-leak', { TELLTALE_FIXTURE_LEAK_VAR: 'TELLTALE_FIXTURE_RANDOM', TELLTALE_FIXTURE_RANDOM: random });
    expect(r.code, r.output).toBe(3);
    expect(r.report.complete, r.output).toBe(true);
    const leaked = stack.dns.queries.slice(before).find((q) => q.name.endsWith('.exfil-drill.test'));
    expect(base32Decode(leaked!.name.split('.').slice(0, -2).join('')).toString(), 'the fixture really sent the random value').toBe(random);
    const alerts = await alertsOf('e2e/random-leak');
    expect(alerts.map((a) => a.kind), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label']);
  });
});
