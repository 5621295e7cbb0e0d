// From baseline to enforcement with real parts: the same offline cargo build runs three
// times under bpftrace and teaches its pipeline a baseline (the registry names it resolves,
// the address it connects to). A fourth build brings a new dependency whose build.rs talks
// to a new name: it raises first_seen_domain, the build's baseline diff names exactly that
// name, its domain and its address, and the nftables export — checked by the real `nft -c` —
// allows the learnt address and not the new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QTYPE } from '../support/dns-server.js';
import { BENIGN_NAMES } from '../support/cargo.js';
import { getJson, TELLTALE_BIN } from '../support/telltale-procs.js';
import { cargoExfilBuild, startWatchedStack, type WatchedStack } from '../support/watched-stack.js';

const PIPELINE = 'e2e/baseline';
/** Where the registry names resolve (TEST-NET-1), and where the new dependency's name does (TEST-NET-2). */
const REGISTRY = '192.0.2.10';
const NEWDEP = '198.51.100.7';
const NEW_NAME = 'telemetry.newdep.test';

interface BuildDiff { pipeline: string; version: number; new: { kind: string; value: string; pending: boolean }[] }
interface Version { version: number; cause: string; builds: string[]; added: { kind: string; value: string }[] }

describe('baseline → diff → nftables, on a real cargo build', () => {
  let stack: WatchedStack;
  beforeAll(async () => {
    stack = await startWatchedStack({
      prefix: 'telltale-e2e-baseline-', collectorArgs: ['--learning-builds', '3'],
      answer: (q) => q.type !== QTYPE.A ? { rcode: 3 } : { rcode: 0, a: [q.name.toLowerCase() === NEW_NAME ? NEWDEP : REGISTRY], ttl: 0 },
    });
  }, 90_000);
  afterAll(async () => { await stack?.close(); });

  const build = async (n: number, features: string[] = []) => {
    const r = await cargoExfilBuild(stack, {
      pipeline: PIPELINE, runId: String(n), failOnAlert: false, cargoArgs: features,
      env: { TELLTALE_FIXTURE_BENIGN_DNS: '1', TELLTALE_FIXTURE_CONNECT: `${REGISTRY}:443` },
    });
    expect(r.report.complete, r.output).toBe(true);
    return r;
  };

  it('learns, flags the new dependency, names it in the diff and keeps it out of the nftables export', async () => {
    const learnt: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const r = await build(n);
      expect(r.code, r.output).toBe(0);
      expect(r.report.alerts, r.output).toEqual([]);
      learnt.push(r.report.buildId);
    }
    const { versions } = await getJson<{ versions: Version[] }>(`${stack.collector.httpUrl}/api/pipelines/${encodeURIComponent(PIPELINE)}/baseline/versions`);
    // Three identical builds: the first taught everything, the other two nothing new.
    expect(versions.map((v) => [v.version, v.cause, v.builds])).toEqual([[1, 'learned', [learnt[0]]]]);
    const names = versions[0]!.added.filter((e) => e.kind === 'name').map((e) => e.value);
    expect(names.sort()).toEqual([...BENIGN_NAMES].sort());
    expect(versions[0]!.added).toContainEqual({ kind: 'destination', value: `udp/${REGISTRY}:443` });

    const fourth = await build(4, ['--features', 'telemetry']);
    expect(stack.dns.queries.some((q) => q.name === NEW_NAME), 'the new dependency really resolved its name').toBe(true);
    expect(fourth.report.alerts.map((a) => [a.kind, a.domain])).toEqual([['first_seen_domain', 'newdep.test']]);

    const diff = await getJson<BuildDiff>(`${stack.collector.httpUrl}/api/builds/${encodeURIComponent(fourth.report.buildId)}/baseline-diff`);
    expect(diff.version).toBe(1);
    expect(diff.new).toEqual([
      { kind: 'name', value: NEW_NAME, pending: false },
      { kind: 'domain', value: 'newdep.test', pending: false },
      { kind: 'destination', value: `udp/${NEWDEP}:443`, pending: false },
    ]);

    // The export, read from the running collector's API by the CLI, checked by the real nft.
    const out = join(stack.dir, 'egress.nft');
    const cli = spawnSync(process.execPath, [TELLTALE_BIN, 'policy', 'export', '--pipeline', PIPELINE, '--format', 'nftables', '--mode', 'enforce',
      '--uid', '1000', '--collector', stack.collector.httpUrl, '--out', out], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const ruleset = readFileSync(out, 'utf8');
    expect(() => execFileSync('nft', ['-c', '-f', out], { stdio: 'pipe' })).not.toThrow();
    // The allowed set holds exactly the learnt destination; the new dependency's address is nowhere.
    const elements = /set allowed_v4 \{[\s\S]*?elements = \{([^}]*)\}/.exec(ruleset)?.[1]?.split(',').map((e) => e.trim()).filter(Boolean);
    expect(elements).toEqual([`${REGISTRY} . udp . 443`]);
    expect(ruleset).not.toContain(NEWDEP);
    expect(ruleset).toMatch(/meta skuid 1000/);
    // The checker is not a rubber stamp: the same file with a broken set element fails it.
    const broken = join(stack.dir, 'broken.nft');
    writeFileSync(broken, ruleset.replace(REGISTRY, '192.0.2.999'));
    expect(() => execFileSync('nft', ['-c', '-f', broken], { stdio: 'pipe' })).toThrow();
  }, 300_000);
});
