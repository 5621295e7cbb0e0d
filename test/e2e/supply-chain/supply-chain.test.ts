// Name the culprit (issue 8), end to end: an offline cargo project whose transitive dependency
// `rust-utilities` gets a patch release (2.1.0 → 2.1.1) that pulls in `reqwests`, a typosquat of
// `reqwest` whose build.rs leaks over DNS. Crates come from a vendored directory source (real
// registry-style packages with checksums, as `cargo vendor` lays them out), so Cargo.lock records
// them as crates.io packages. Real cargo, bpftrace, agent, gRPC and collector; DNS only to the
// test's own loopback server, names under .test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Alert, BuildDetail } from '@telltale/proto';
import { findCargo, minimalEnv } from '../support/cargo.js';
import { getJson, runTracked } from '../support/telltale-procs.js';
import { startWatchedStack, type WatchedStack } from '../support/watched-stack.js';

const FAKE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // AWS's documentation example, not a credential
const PIPELINE = 'e2e/supply-chain';
/** The exfiltrating build script of the url-parsr fixture, reused as reqwests's. */
const LEAKY_BUILD_RS = readFileSync(new URL('../fixtures/cargo-exfil/url-parsr/build.rs', import.meta.url), 'utf8');

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** One crate in a vendored directory source: its files and the checksum file cargo verifies. */
function vendorCrate(vendor: string, name: string, version: string, manifestTail: string, files: Record<string, string>): void {
  const dir = join(vendor, `${name}-${version}`);
  const all: Record<string, string> = {
    'Cargo.toml': `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${manifestTail}`,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const checksums = Object.fromEntries(Object.entries(all).map(([path, text]) => [path, sha256(text)]));
  writeFileSync(join(dir, '.cargo-checksum.json'), JSON.stringify({ files: checksums, package: sha256(`${name}-${version}`) }));
}

/** The patch release, as the registry publishes it: rust-utilities 2.1.1 now needs reqwests. */
function publishUpgrade(vendor: string): void {
  vendorCrate(vendor, 'rust-utilities', '2.1.1', '\n[dependencies]\nreqwests = "0.1"\n', { 'src/lib.rs': 'pub fn util() {}\n' });
  vendorCrate(vendor, 'reqwests', '0.1.0', 'build = "build.rs"\n', { 'src/lib.rs': 'pub fn get() {}\n', 'build.rs': LEAKY_BUILD_RS });
}

function makeProject(root: string): string {
  const vendor = join(root, 'vendor');
  vendorCrate(vendor, 'http-kit', '1.0.0', '\n[dependencies]\nrust-utilities = "2.1"\n', { 'src/lib.rs': 'pub fn kit() {}\n' });
  vendorCrate(vendor, 'rust-utilities', '2.1.0', '', { 'src/lib.rs': 'pub fn util() {}\n' });
  const project = join(root, 'app');
  mkdirSync(join(project, 'src'), { recursive: true });
  mkdirSync(join(project, '.cargo'));
  writeFileSync(join(project, 'Cargo.toml'), '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nhttp-kit = "1"\n');
  writeFileSync(join(project, 'src/main.rs'), 'fn main() { http_kit::kit(); }\n');
  writeFileSync(join(project, '.cargo/config.toml'),
    `[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "${vendor}"\n`);
  return project;
}

describe('a transitive upgrade that brings in a typosquatted crate with an exfiltrating build.rs', () => {
  let stack: WatchedStack;
  let project: string;
  let cargo: string;
  const buildIds: string[] = [];
  const cargoIn = (args: string[]) => execFileSync(cargo, args, { cwd: project, env: { ...minimalEnv(), CARGO_NET_OFFLINE: 'true' }, encoding: 'utf8', stdio: 'pipe' });
  const build = async (runId: string, env: Record<string, string>) => {
    const report = join(stack.dir, `report-${runId}.json`);
    const r = await runTracked(['--data-dir', join(stack.dir, 'agent'), '--pipeline', PIPELINE, '--run-id', runId, '--report', report, '--fail-on-alert', '--',
      cargo, 'build', '--offline', '--locked', '--quiet'], {
      ...minimalEnv(), CARGO_TARGET_DIR: mkdtempSync(join(stack.dir, 'target-')), TELLTALE_FIXTURE_DNS: `127.0.0.1:${stack.dns.port}`,
      TELLTALE_FIXTURE_LEAK: '1', ...env,
    }, project);
    const { buildId, complete } = JSON.parse(readFileSync(report, 'utf8')) as { buildId: string; complete: boolean };
    buildIds.push(buildId);
    return { ...r, buildId, complete };
  };
  const alertsOf = async (buildId: string) => (await getJson<{ alerts: Alert[] }>(`${stack.collector.httpUrl}/api/alerts?buildId=${buildId}`)).alerts;
  const detailOf = (buildId: string) => getJson<BuildDetail>(`${stack.collector.httpUrl}/api/builds/${buildId}`);

  beforeAll(async () => {
    const found = findCargo();
    if (!found) throw new Error('cargo is required for this test');
    cargo = found;
    stack = await startWatchedStack({ prefix: 'telltale-e2e-supply-' });
    project = makeProject(stack.dir);
    // The lockfile as the project had it before the patch release: rust-utilities 2.1.0.
    cargoIn(['generate-lockfile', '--offline']);
    publishUpgrade(join(stack.dir, 'vendor'));
  }, 120_000);
  afterAll(async () => { await stack?.close(); });

  it('before the upgrade: the build is clean, and its Cargo.lock is recorded as the pipeline\'s first', async () => {
    expect(readFileSync(join(project, 'Cargo.lock'), 'utf8')).not.toContain('reqwests');
    const r = await build('1', { AWS_SECRET_ACCESS_KEY: FAKE_KEY });
    expect(r.code, r.output).toBe(0);
    expect(await alertsOf(r.buildId)).toEqual([]);
    const { lockfiles } = await detailOf(r.buildId);
    expect(lockfiles.map((l) => [l.path, l.kind, l.status, l.format, l.packages])).toEqual([['Cargo.lock', 'cargo-lock', 'parsed', 'Cargo.lock v4', 3]]);
    expect(lockfiles[0]!.sha256).toBe(sha256(readFileSync(join(project, 'Cargo.lock'))));
    expect(lockfiles[0]!.change).toMatchObject({ first: true, previousBuildId: null });
  });

  it('after it: the alerts name reqwests 0.1.0, its dependency path, the lockfile change and the look-alike; secret_leak names the key', async () => {
    cargoIn(['update', '--offline', '-p', 'rust-utilities']);
    expect(readFileSync(join(project, 'Cargo.lock'), 'utf8')).toContain('name = "reqwests"');
    const r = await build('2', { AWS_SECRET_ACCESS_KEY: FAKE_KEY });
    expect(r.code, r.output).toBe(3);
    expect(r.complete, r.output).toBe(true);
    const alerts = await alertsOf(r.buildId);
    expect(alerts.map((a) => a.kind).sort(), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label', 'secret_leak', 'typosquat_package']);

    const culprit = {
      ecosystem: 'cargo', name: 'reqwests', version: '0.1.0', lockfile: 'Cargo.lock', direct: false,
      dependencyPaths: ['app 0.1.0 → http-kit 1.0.0 → rust-utilities 2.1.1 → reqwests 0.1.0'],
      arrivedInThisBuild: true,
      arrival: 'reqwests 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1',
      lockfileChange: { lockfile: 'Cargo.lock', previousBuildId: buildIds[0], added: 1, removed: 0, upgraded: ['rust-utilities 2.1.0 → 2.1.1'], downgraded: [] },
      typosquat: [{ kind: 'edit_distance', resembles: 'reqwest', evidence: '1 edit from "reqwest": extra "s" at 8' }],
    };
    const encoded = alerts.find((a) => a.kind === 'encoded_dns_label')!;
    expect(encoded.chain.at(-1)!.exe).toMatch(/\/build\/reqwests-[0-9a-f]{16}\/build-script-build$/);
    expect(encoded.evidence.package).toMatchObject(culprit);
    const leak = alerts.find((a) => a.kind === 'secret_leak')!;
    expect(leak.severity).toBe('critical');
    expect(leak.evidence).toMatchObject({ variable: 'AWS_SECRET_ACCESS_KEY', valueBytes: 40, package: culprit });

    // Flagged from the lockfile alone, before reqwests's build script ran.
    const squat = alerts.find((a) => a.kind === 'typosquat_package')!;
    expect(squat.severity).toBe('low');
    expect(squat.evidence).toMatchObject({
      package: { ecosystem: 'cargo', name: 'reqwests', version: '0.1.0' }, lockfile: 'Cargo.lock',
      signals: [{ kind: 'edit_distance', resembles: 'reqwest' }], arrival: culprit.arrival, dependencyPaths: culprit.dependencyPaths,
    });
    expect(squat.eventAtUs).toBeLessThan(encoded.eventAtUs);

    const { lockfiles } = await detailOf(r.buildId);
    expect(lockfiles).toHaveLength(1);
    expect(lockfiles[0]!.change).toMatchObject({
      first: false, previousBuildId: buildIds[0], counts: { added: 1, removed: 0, upgraded: 1 },
      added: [{ name: 'reqwests', version: '0.1.0', source: 'registry', arrival: culprit.arrival, typosquat: [{ kind: 'edit_distance', resembles: 'reqwest' }] }],
      upgraded: [{ name: 'rust-utilities', from: '2.1.0', to: '2.1.1' }],
      flagged: [{ name: 'reqwests', dependencyPaths: culprit.dependencyPaths }],
    });
  });

  it('the same build leaking random data: encoded_dns_label names the package, secret_leak stays silent', async () => {
    const random = randomBytes(30).toString('base64url').slice(0, 40);
    const r = await build('3', { AWS_SECRET_ACCESS_KEY: FAKE_KEY, TELLTALE_FIXTURE_LEAK_VAR: 'TELLTALE_FIXTURE_RANDOM', TELLTALE_FIXTURE_RANDOM: random });
    expect(r.code, r.output).toBe(3);
    expect(r.complete, r.output).toBe(true);
    const alerts = await alertsOf(r.buildId);
    // The lockfile did not change since the last build: nothing arrived, nothing new to flag.
    expect(alerts.map((a) => a.kind), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label']);
    expect(alerts[0]!.evidence.package).toMatchObject({
      name: 'reqwests', version: '0.1.0', arrivedInThisBuild: false, typosquat: [{ resembles: 'reqwest' }],
      dependencyPaths: ['app 0.1.0 → http-kit 1.0.0 → rust-utilities 2.1.1 → reqwests 0.1.0'],
    });
    expect(alerts[0]!.evidence.package).not.toHaveProperty('arrival');
    // Sent by hash only: the agent had sent this content for the pipeline before.
    const { lockfiles } = await detailOf(r.buildId);
    expect(lockfiles[0]).toMatchObject({ status: 'parsed', change: { first: false, previousBuildId: buildIds[1], counts: { added: 0, upgraded: 0 } } });
    expect(stack.agent.output()).not.toContain('lockfiles in the workspace not all reported');
  });
});
