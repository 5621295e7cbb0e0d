// The lockfiles agents report, stored by hash and diffed per pipeline; and what an alert from a
// package's build script then says: version, dependency path, that it arrived in this build and
// who brought it in, and what well-known name it resembles. Real SQLite, the real ingest core,
// lockfiles cargo wrote (server/src/core/lockfiles/testdata).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatch, type BuildContext, type LockfileEvent, type TelltaleEvent } from '@telltale/proto';
import { Store } from './store.js';
import { IngestCore } from '../core/ingest-core.js';
import { compileDetectors } from '../core/detectors/index.js';
import { compileTyposquat, wellKnownList } from '../core/typosquat/index.js';
import { loadTyposquatJudge } from './typosquat-lists.js';
import { base32, dnsPacket } from '../core/test-events.js';

const lockText = (name: string) => readFileSync(new URL(`../core/lockfiles/testdata/cargo/${name}`, import.meta.url), 'utf8');
const BEFORE = lockText('registry-before.v4.lock');
const AFTER = lockText('registry-after.v4.lock');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
// A list where url-parsr is one letter from a well-known crate.
const judge = compileTyposquat(wellKnownList('cargo', ['url-parse', 'serde', 'serde_json', 'itoa', 'ryu']));

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function openStore(dir?: string) {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'telltale-ledger-'));
  if (!dir) dirs.push(d);
  return { dir: d, store: new Store(join(d, 'telltale.db'), { typosquat: judge }) };
}
const context = (buildId: string, pipeline = 'acme/app'): BuildContext => ({
  buildId, pipeline, runId: buildId, job: 'build', repo: 'acme/app', commit: 'c0ffee', agentHost: 'runner-1', ciProvider: 'local',
});
function snapshot(buildId: string, text: string, withContent = true, path = 'Cargo.lock'): LockfileEvent {
  const bytes = Buffer.from(text);
  return { kind: 'lockfile', timeUs: 1, buildId, path, workspace: '/src', sha256: sha(text), size: bytes.length, content: withContent ? bytes : null, omitted: null };
}

describe('LockfileLedger', () => {
  it('diffs each snapshot against the pipeline\'s previous one; content is kept once by hash', () => {
    const { store } = openStore();
    const first = store.lockfiles.snapshot(context('b1'), snapshot('b1', BEFORE), 1);
    expect(first).toMatchObject({ status: 'parsed', previousBuildId: null, diff: { first: true } });
    // Same content, hash only: nothing changed.
    const same = store.lockfiles.snapshot(context('b2'), snapshot('b2', BEFORE, false), 2);
    expect(same).toMatchObject({ status: 'parsed', previousBuildId: 'b1', diff: { first: false, added: [], removed: [] } });
    const after = store.lockfiles.snapshot(context('b3'), snapshot('b3', AFTER), 3);
    if (typeof after === 'string') throw new Error(after);
    expect(after.previousBuildId).toBe('b2');
    expect(after.diff!.added.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(after.diff!.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['rust-utilities 2.1.0 → 2.1.1']);
    expect(after.typosquat.get('url-parsr@0.1.0')?.map((s) => [s.kind, s.resembles])).toEqual([['edit_distance', 'url-parse']]);
    expect(store.db.prepare('SELECT count(*) FROM lockfile_blobs').pluck().get()).toBe(2);
    // Another pipeline has its own history.
    expect(store.lockfiles.snapshot(context('x1', 'acme/other'), snapshot('x1', AFTER, false), 4)).toMatchObject({ previousBuildId: null, diff: { first: true } });
    const [row] = store.lockfiles.rowsOf('b3');
    expect(row).toMatchObject({ path: 'Cargo.lock', kind: 'cargo-lock', status: 'parsed', format: 'Cargo.lock v4', packages: 10 });
    expect(row!.change).toMatchObject({
      first: false, previousBuildId: 'b2', counts: { added: 1, upgraded: 1 },
      added: [{ name: 'url-parsr', version: '0.1.0', arrival: 'url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1' }],
      flagged: [{ name: 'url-parsr', dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'] }],
      upgraded: [{ name: 'rust-utilities', from: '2.1.0', to: '2.1.1' }],
    });
  });

  it('a resent batch gets the snapshot as first resolved, not a diff against itself', () => {
    const { store } = openStore();
    store.lockfiles.snapshot(context('b1'), snapshot('b1', BEFORE), 1);
    store.lockfiles.snapshot(context('b2'), snapshot('b2', AFTER), 2);
    const again = store.lockfiles.snapshot(context('b2'), snapshot('b2', AFTER), 3);
    expect(again).toMatchObject({ previousBuildId: 'b1', diff: { first: false } });
    expect(typeof again !== 'string' && again.diff!.added.map((p) => p.name)).toEqual(['url-parsr']);
    expect(store.lockfiles.rowsOf('b2')).toHaveLength(1);
  });

  it('refuses content whose hash is not the stated one, and names it knows no lockfile by', () => {
    const { store } = openStore();
    expect(store.lockfiles.snapshot(context('b1'), { ...snapshot('b1', BEFORE), sha256: sha('other') }, 1)).toBe('lockfile_hash_mismatch');
    expect(store.lockfiles.snapshot(context('b1'), snapshot('b1', BEFORE, true, 'Cargo.toml'), 1)).toBe('lockfile_unknown_kind');
    expect(store.db.prepare('SELECT count(*) FROM lockfile_blobs').pluck().get()).toBe(0);
  });

  it('says what it could not read: never received, too large, unparsable', () => {
    const { store } = openStore();
    expect(store.lockfiles.snapshot(context('b1'), snapshot('b1', BEFORE, false), 1)).toMatchObject({ status: 'content_unknown', lock: null });
    expect(store.lockfiles.snapshot(context('b1'), { ...snapshot('b1', AFTER, false), omitted: 'too_large' }, 1)).toMatchObject({ status: 'too_large' });
    const broken = store.lockfiles.snapshot(context('b1'), snapshot('b1', '[[package]\nname = ', true, 'app/Cargo.lock'), 1);
    expect(broken).toMatchObject({ status: 'unparsable', lock: null });
    expect(typeof broken !== 'string' && broken.detail).toMatch(/^syntax: /);
    expect(store.lockfiles.rowsOf('b1').map((r) => r.status)).toEqual(['content_unknown', 'too_large', 'unparsable']);
  });
});

describe('alerts name how the package got in', () => {
  const SCRIPT = '/src/target/debug/build/url-parsr-0123456789abcdef/build-script-build';
  const buildEvents = (buildId: string, lock: LockfileEvent | null): TelltaleEvent[] => {
    let t = 10;
    const ev: TelltaleEvent[] = [{ kind: 'build_start', timeUs: t++, buildId, context: context(buildId), rootPid: 100 }];
    if (lock) ev.push({ ...lock, timeUs: t++ });
    ev.push(
      { kind: 'exec', timeUs: t++, buildId, pid: 101, ppid: 100, exe: '/usr/bin/cargo', argv: ['cargo', 'build'], cwd: '/src', uid: 0, startTimeUs: 0, argvTruncated: false },
      { kind: 'exec', timeUs: t++, buildId, pid: 102, ppid: 101, exe: SCRIPT, argv: [SCRIPT], cwd: '/src/vendor/url-parsr', uid: 0, startTimeUs: 0, argvTruncated: false },
    );
    const packet = dnsPacket(`${base32('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').slice(0, 60)}.exfil.test`);
    ev.push({ kind: 'dns', timeUs: t++, buildId, pid: 102, packet, packetLength: packet.length, family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false });
    return ev;
  };
  const core = (store: Store) => new IngestCore({ learningBuilds: 5, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}), {}, store.lockfiles);

  it('the package that arrived with an upgrade: version, path, arrival, lockfile change, look-alike; a typosquat finding before it ran', () => {
    const { store } = openStore();
    const c = core(store);
    c.apply(buildEvents('b1', snapshot('b1', BEFORE)), 1);
    const r = c.apply(buildEvents('b2', snapshot('b2', AFTER)), 2);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['typosquat_package', 'encoded_dns_label']);
    const [squat, leak] = r.findings;
    expect(squat!.finding).toMatchObject({
      severity: 'low', pid: 100,
      evidence: {
        package: { ecosystem: 'cargo', name: 'url-parsr', version: '0.1.0' }, lockfile: 'Cargo.lock',
        signals: [{ kind: 'edit_distance', resembles: 'url-parse' }],
        arrival: 'url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1',
        dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'],
      },
    });
    // Raised when the lockfile came, before the build script's first event.
    expect(squat!.timeUs).toBeLessThan(leak!.timeUs);
    expect(leak!.finding.evidence.package).toEqual({
      ecosystem: 'cargo', name: 'url-parsr', version: '0.1.0', from: 'build script path', lockfile: 'Cargo.lock', direct: false,
      dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'],
      arrivedInThisBuild: true,
      arrival: 'url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1',
      lockfileChange: { lockfile: 'Cargo.lock', previousBuildId: 'b1', added: 1, removed: 0, upgraded: ['rust-utilities 2.1.0 → 2.1.1'], downgraded: [] },
      typosquat: [{ kind: 'edit_distance', resembles: 'url-parse', evidence: '1 edit from "url-parse": "e" replaced by "r" at 9' }],
    });
  });

  it('a package locked before this build: version and path, not arrived; no lockfile: the process alone', () => {
    const { store } = openStore();
    const c = core(store);
    c.apply(buildEvents('b1', snapshot('b1', AFTER)), 1);
    const r = c.apply(buildEvents('b2', snapshot('b2', AFTER, false)), 2);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['encoded_dns_label']);
    expect(r.findings[0]!.finding.evidence.package).toMatchObject({ version: '0.1.0', arrivedInThisBuild: false, dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'] });
    expect(r.findings[0]!.finding.evidence.package).not.toHaveProperty('arrival');
    const bare = c.apply(buildEvents('b3', null), 3);
    expect(bare.findings[0]!.finding.evidence.package).toEqual({
      ecosystem: 'cargo', name: 'url-parsr', version: null, from: 'build script path',
      typosquat: [{ kind: 'edit_distance', resembles: 'url-parse', evidence: '1 edit from "url-parse": "e" replaced by "r" at 9' }],
    });
  });

  it('a pipeline\'s first lockfile raises no finding for mere edit-distance look-alikes (too common among real packages)', () => {
    const { store } = openStore();
    const r = core(store).apply(buildEvents('b1', snapshot('b1', AFTER)), 1);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['encoded_dns_label']);
    expect(store.lockfiles.rowsOf('b1')[0]!.change).toMatchObject({ first: true, flagged: [{ name: 'url-parsr' }] });
  });

  it('a collector restarting with the build open still knows its lockfiles', () => {
    const { store, dir } = openStore();
    const c = core(store);
    c.apply(buildEvents('b1', snapshot('b1', BEFORE)).concat({ kind: 'build_end', timeUs: 99, buildId: 'b1', exitCode: 0 }), 1);
    const events = buildEvents('b2', snapshot('b2', AFTER)).slice(0, 2);
    store.commitBatch('agent', 1, encodeBatch({ agentId: 'agent', sequence: 1, events }), c.apply(events, 2), (id) => c.build(id), 2);
    store.db.close();
    const { store: reopened } = openStore(dir);
    const again = new IngestCore({ learningBuilds: 5, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}),
      { openBuilds: reopened.loadOpenBuilds(100, 0) }, reopened.lockfiles);
    const r = again.apply(buildEvents('b2', null).slice(1), 3);
    expect(r.findings[0]!.finding.evidence.package).toMatchObject({ version: '0.1.0', arrivedInThisBuild: true, lockfileChange: { previousBuildId: 'b1' } });
    reopened.db.close();
  });

  it('without a ledger lockfile events are a counted drop', () => {
    const c = new IngestCore({ learningBuilds: 5, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}));
    expect(c.apply(buildEvents('b1', snapshot('b1', BEFORE)), 1).drops.get('lockfile_not_kept')).toBe(1);
  });
});

describe('the shipped lists', () => {
  it('load, and judge a typosquat of a well-known crate', () => {
    expect(loadTyposquatJudge().judge('cargo', 'reqwests').map((s) => [s.kind, s.resembles])).toEqual([['edit_distance', 'reqwest']]);
  });
});
