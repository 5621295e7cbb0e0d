// From baseline to enforcement with real parts: the same offline cargo build runs three
// times under bpftrace and teaches its pipeline a baseline (the registry names it resolves,
// the address it connects to). A fourth build brings a new dependency whose build.rs talks
// to a new name: it raises first_seen_domain, the build's baseline diff names exactly that
// name, its domain and its address, and the nftables export — checked by the real `nft -c` —
// allows the learnt address and not the new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer, QTYPE, type DnsServer } from '../support/dns-server.js';
import { BENIGN_NAMES, CARGO_EXFIL_WORKSPACE, findCargo, minimalEnv } from '../support/cargo.js';
import { getJson, runTracked, startAgent, startCollector, TELLTALE_BIN, type Daemon } from '../support/telltale-procs.js';

const PIPELINE = 'e2e/baseline';
/** Where the registry names resolve (TEST-NET-1), and where the new dependency's name does (TEST-NET-2). */
const REGISTRY = '192.0.2.10';
const NEWDEP = '198.51.100.7';
const NEW_NAME = 'telemetry.newdep.test';

interface BuildDiff { pipeline: string; version: number; new: { kind: string; value: string; pending: boolean }[] }
interface Version { version: number; cause: string; builds: string[]; added: { kind: string; value: string }[] }

describe('baseline → diff → nftables, on a real cargo build', () => {
  let dir: string;
  let dns: DnsServer;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  let agent: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-e2e-baseline-'));
    dns = await startDnsServer({
      host: '127.0.0.1', port: 0,
      answer: (q) => q.type !== QTYPE.A ? { rcode: 3 } : { rcode: 0, a: [q.name.toLowerCase() === NEW_NAME ? NEWDEP : REGISTRY], ttl: 0 },
    });
    collector = await startCollector(join(dir, 'collector'), ['--learning-builds', '3']);
    agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [dns.port]);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = async (n: number, features: string[] = []) => {
    const cargo = findCargo();
    if (!cargo) throw new Error('cargo is required for this test');
    const env = {
      ...minimalEnv(), CARGO_TARGET_DIR: mkdtempSync(join(dir, 'target-')), TELLTALE_FIXTURE_DNS: `127.0.0.1:${dns.port}`,
      TELLTALE_FIXTURE_BENIGN_DNS: '1', TELLTALE_FIXTURE_CONNECT: `${REGISTRY}:443`,
    };
    const report = join(dir, `build-${n}.json`);
    const r = await runTracked(['--data-dir', join(dir, 'agent'), '--pipeline', PIPELINE, '--run-id', String(n), '--report', report, '--',
      cargo, 'build', '--offline', '--locked', '--quiet', '--manifest-path', join(CARGO_EXFIL_WORKSPACE, 'Cargo.toml'), ...features], env);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as { buildId: string; alerts: { kind: string; domain: string | null }[]; complete: boolean };
    expect(parsed.complete, r.output).toBe(true);
    return { ...r, report: parsed };
  };

  it('learns, flags the new dependency, names it in the diff and keeps it out of the nftables export', async () => {
    const learnt: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const r = await build(n);
      expect(r.code, r.output).toBe(0);
      expect(r.report.alerts, r.output).toEqual([]);
      learnt.push(r.report.buildId);
    }
    const { versions } = await getJson<{ versions: Version[] }>(`${collector.httpUrl}/api/pipelines/${encodeURIComponent(PIPELINE)}/baseline/versions`);
    // Three identical builds: the first taught everything, the other two nothing new.
    expect(versions.map((v) => [v.version, v.cause, v.builds])).toEqual([[1, 'learned', [learnt[0]]]]);
    const names = versions[0]!.added.filter((e) => e.kind === 'name').map((e) => e.value);
    expect(names.sort()).toEqual([...BENIGN_NAMES].sort());
    expect(versions[0]!.added).toContainEqual({ kind: 'destination', value: `udp/${REGISTRY}:443` });

    const fourth = await build(4, ['--features', 'telemetry']);
    expect(dns.queries.some((q) => q.name === NEW_NAME), 'the new dependency really resolved its name').toBe(true);
    expect(fourth.report.alerts.map((a) => [a.kind, a.domain])).toEqual([['first_seen_domain', 'newdep.test']]);

    const diff = await getJson<BuildDiff>(`${collector.httpUrl}/api/builds/${encodeURIComponent(fourth.report.buildId)}/baseline-diff`);
    expect(diff.version).toBe(1);
    expect(diff.new).toEqual([
      { kind: 'name', value: NEW_NAME, pending: false },
      { kind: 'domain', value: 'newdep.test', pending: false },
      { kind: 'destination', value: `udp/${NEWDEP}:443`, pending: false },
    ]);

    // The export, read from the running collector's API by the CLI, checked by the real nft.
    const out = join(dir, 'egress.nft');
    const cli = spawnSync(process.execPath, [TELLTALE_BIN, 'policy', 'export', '--pipeline', PIPELINE, '--format', 'nftables', '--mode', 'enforce',
      '--uid', '1000', '--collector', collector.httpUrl, '--out', out], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const ruleset = readFileSync(out, 'utf8');
    expect(() => execFileSync('nft', ['-c', '-f', out], { stdio: 'pipe' })).not.toThrow();
    // The allowed set holds exactly the learnt destination; the new dependency's address is nowhere.
    const elements = /set allowed_v4 \{[\s\S]*?elements = \{([^}]*)\}/.exec(ruleset)?.[1]?.split(',').map((e) => e.trim()).filter(Boolean);
    expect(elements).toEqual([`${REGISTRY} . udp . 443`]);
    expect(ruleset).not.toContain(NEWDEP);
    expect(ruleset).toMatch(/meta skuid 1000/);
    // The checker is not a rubber stamp: the same file with a broken set element fails it.
    const broken = join(dir, 'broken.nft');
    writeFileSync(broken, ruleset.replace(REGISTRY, '192.0.2.999'));
    expect(() => execFileSync('nft', ['-c', '-f', broken], { stdio: 'pipe' })).toThrow();
  }, 300_000);
});
