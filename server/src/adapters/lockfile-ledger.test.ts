// The lockfiles agents report, stored by hash and diffed against the previous build's; builds
// hold references the ledger resolves through a bounded cache; and what an alert from a
// package's build script then says: version, dependency path, that it arrived or changed in
// this build and who brought it in, and what well-known name it resembles. Real SQLite, the
// real ingest core, lockfiles cargo wrote (server/src/core/lockfiles/testdata).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatch, type BuildContext, type LockfileEvent, type TelltaleEvent } from '@telltale/proto';
import { Store } from './store.js';
import { BASE_QUERY, LockfileLedger, MAX_CONTENT_PER_BUILD, MAX_SNAPSHOTS_PER_BUILD } from './lockfile-ledger.js';
import { IngestCore } from '../core/ingest-core.js';
import { compileDetectors } from '../core/detectors/index.js';
import { compileTyposquat, wellKnownList, type TyposquatJudge } from '../core/typosquat/index.js';
import type { BuildLockfile } from '../core/attribution/build-lockfiles.js';
import { loadTyposquatJudge } from './typosquat-lists.js';
import { base32, dnsPacket } from '../core/test-events.js';

const lockText = (name: string) => readFileSync(new URL(`../core/lockfiles/testdata/cargo/${name}`, import.meta.url), 'utf8');
const BEFORE = lockText('registry-before.v4.lock');
const AFTER = lockText('registry-after.v4.lock');
/** AFTER, and ryu upgraded too: what a later CI step of the same build might report. */
const AFTER_STEP2 = AFTER.replace('name = "ryu"\nversion = "1.0.2"', 'name = "ryu"\nversion = "1.0.3"');
const URL_PARSR = 'name = "url-parsr"\nversion = "0.1.0"';
const URL_PARSR_SUM = 'cf9441671a34dd7d82717986c2b65d9936c24b2532fde18b86bb3eece8ec3aec';
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
function snapshot(buildId: string, text: string, withContent = true, path = 'Cargo.lock', timeUs = 1): LockfileEvent {
  const bytes = Buffer.from(text);
  return { kind: 'lockfile', timeUs, buildId, path, workspace: '/src', sha256: sha(text), size: bytes.length, content: withContent ? bytes : null, omitted: null, scanIncomplete: false };
}
function ref(r: BuildLockfile | string): BuildLockfile {
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('LockfileLedger', () => {
  it('diffs each snapshot against the pipeline\'s previous one; content is kept once by hash', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    const first = ref(l.snapshot(context('b1'), snapshot('b1', BEFORE), 1));
    expect(first).toMatchObject({ status: 'parsed', previousBuildId: null });
    expect(l.resolve(first)?.diff.first).toBe(true);
    // Same content, hash only: nothing changed.
    const same = ref(l.snapshot(context('b2'), snapshot('b2', BEFORE, false), 2));
    expect(same).toMatchObject({ status: 'parsed', previousBuildId: 'b1' });
    expect(l.resolve(same)?.diff).toMatchObject({ first: false, added: [], removed: [] });
    const after = ref(l.snapshot(context('b3'), snapshot('b3', AFTER), 3));
    expect(after).toEqual({ path: 'Cargo.lock', kind: 'cargo-lock', sha256: sha(AFTER), status: 'parsed', detail: null, previousBuildId: 'b2', previousSha256: sha(BEFORE) });
    const { diff, typosquat } = l.resolve(after)!;
    expect(diff.added.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(diff.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['rust-utilities 2.1.0 → 2.1.1']);
    expect(typosquat.get('url-parsr@0.1.0')?.map((s) => [s.kind, s.resembles])).toEqual([['edit_distance', 'url-parse']]);
    expect(store.db.prepare('SELECT count(*) FROM lockfile_blobs').pluck().get()).toBe(2);
    // Another pipeline has its own history.
    expect(l.snapshot(context('x1', 'acme/other'), snapshot('x1', AFTER, false), 4)).toMatchObject({ previousBuildId: null });
    const [row] = l.rowsOf('b3');
    expect(row).toMatchObject({ path: 'Cargo.lock', kind: 'cargo-lock', status: 'parsed', format: 'Cargo.lock v4', packages: 10 });
    expect(row!.change).toMatchObject({
      first: false, previousBuildId: 'b2', counts: { added: 1, upgraded: 1 },
      added: [{ name: 'url-parsr', version: '0.1.0', arrival: 'url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1' }],
      flagged: [{ name: 'url-parsr', dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'] }],
      flaggedPathsShown: 1,
      upgraded: [{ name: 'rust-utilities', from: '2.1.0', to: '2.1.1' }],
    });
  });

  it('a resent batch gets the snapshot as first recorded, not a diff against itself', () => {
    const { store } = openStore();
    store.lockfiles.snapshot(context('b1'), snapshot('b1', BEFORE), 1);
    const first = store.lockfiles.snapshot(context('b2'), snapshot('b2', AFTER), 2);
    const again = ref(store.lockfiles.snapshot(context('b2'), snapshot('b2', AFTER), 3));
    expect(again).toEqual(first);
    expect(again).toMatchObject({ previousBuildId: 'b1' });
    expect(store.lockfiles.resolve(again)!.diff.added.map((p) => p.name)).toEqual(['url-parsr']);
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
    const l = store.lockfiles;
    const unknown = ref(l.snapshot(context('b1'), snapshot('b1', BEFORE, false), 1));
    expect(unknown).toMatchObject({ status: 'content_unknown' });
    expect(l.resolve(unknown)).toBeNull();
    expect(l.snapshot(context('b1'), { ...snapshot('b1', AFTER, false), omitted: 'too_large' }, 1)).toMatchObject({ status: 'too_large' });
    const broken = ref(l.snapshot(context('b1'), snapshot('b1', '[[package]\nname = ', true, 'app/Cargo.lock'), 1));
    expect(broken).toMatchObject({ status: 'unparsable' });
    expect(broken.detail).toMatch(/^syntax: /);
    expect(l.rowsOf('b1').map((r) => r.status)).toEqual(['content_unknown', 'too_large', 'unparsable']);
  });

  it('the base is the last snapshot it could parse: one never received, too large or unparsable is skipped', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE), 1);
    l.snapshot(context('b2'), { ...snapshot('b2', AFTER, false), omitted: 'too_large' }, 2);
    l.snapshot(context('b3'), snapshot('b3', 'never sent', false), 3);
    l.snapshot(context('b4'), snapshot('b4', '[[package]\nname = '), 4);
    const after = ref(l.snapshot(context('b5'), snapshot('b5', AFTER), 5));
    expect(after).toMatchObject({ status: 'parsed', previousBuildId: 'b1', previousSha256: sha(BEFORE) });
    // Not a first snapshot: the look-alike arrived here, and is flagged as such.
    expect(l.resolve(after)!.diff).toMatchObject({ first: false, added: [{ id: 'url-parsr@0.1.0' }] });
  });

  it('a later CI step of a build diffs against the same base as its first: the previous build\'s', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE, true, 'Cargo.lock', 10), 1);
    const step1 = ref(l.snapshot(context('b2'), snapshot('b2', AFTER, true, 'Cargo.lock', 20), 2));
    const step2 = ref(l.snapshot(context('b2'), snapshot('b2', AFTER_STEP2, true, 'Cargo.lock', 30), 3));
    expect([step1.previousBuildId, step2.previousBuildId]).toEqual(['b1', 'b1']);
    const { diff } = l.resolve(step2)!;
    expect(diff.added.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(diff.upgraded.map((c) => c.name)).toEqual(['rust-utilities', 'ryu']);
    // The next build diffs against b2's last snapshot.
    expect(l.snapshot(context('b3'), snapshot('b3', AFTER_STEP2, false, 'Cargo.lock', 40), 4)).toMatchObject({ previousBuildId: 'b2', previousSha256: sha(AFTER_STEP2) });
  });

  it('a replayed old batch diffs against the latest parsed snapshot received (not the build before it by time); equal times go by arrival', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE, true, 'Cargo.lock', 100), 1);
    l.snapshot(context('b3'), snapshot('b3', AFTER, true, 'Cargo.lock', 300), 2);
    const late = ref(l.snapshot(context('b2'), snapshot('b2', BEFORE, false, 'Cargo.lock', 200), 3));
    expect(late).toMatchObject({ previousBuildId: 'b3', previousSha256: sha(AFTER) });
    expect(l.resolve(late)!.diff.removed.map((p) => p.name)).toEqual(['url-parsr']);
    // Two builds at the same time: the one recorded last is the base.
    l.snapshot(context('c1', 'acme/tie'), snapshot('c1', AFTER, false, 'Cargo.lock', 500), 4);
    l.snapshot(context('c2', 'acme/tie'), snapshot('c2', BEFORE, false, 'Cargo.lock', 500), 5);
    expect(l.snapshot(context('c3', 'acme/tie'), snapshot('c3', AFTER, false, 'Cargo.lock', 500), 6)).toMatchObject({ previousBuildId: 'c2' });
  });

  it('the base is the latest parsed snapshot received, whatever the agents\' clocks say', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE, true, 'Cargo.lock', 100), 1);
    l.snapshot(context('b2'), snapshot('b2', AFTER, true, 'Cargo.lock', 200), 2);
    // An agent whose clock runs behind: not a pipeline's first lockfile, and b2 is its base.
    expect(l.snapshot(context('b3'), snapshot('b3', AFTER_STEP2, true, 'Cargo.lock', 50), 3)).toMatchObject({ previousBuildId: 'b2' });
    // The next build's base is b3, received last, though b2's clock said later.
    expect(l.snapshot(context('b4'), snapshot('b4', AFTER_STEP2, false, 'Cargo.lock', 300), 4)).toMatchObject({ previousBuildId: 'b3', previousSha256: sha(AFTER_STEP2) });
    // An agent whose clock runs ahead is not the base of every build after it.
    l.snapshot(context('b5'), snapshot('b5', BEFORE, false, 'Cargo.lock', 1e15), 5);
    l.snapshot(context('b6'), snapshot('b6', AFTER, false, 'Cargo.lock', 400), 6);
    expect(l.snapshot(context('b7'), snapshot('b7', AFTER, false, 'Cargo.lock', 500), 7)).toMatchObject({ previousBuildId: 'b6' });
  });

  it('content arriving after its hash keeps the base the snapshot was first given', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE), 1);
    expect(l.snapshot(context('b2'), snapshot('b2', AFTER, false), 2)).toMatchObject({ status: 'content_unknown', previousBuildId: 'b1' });
    l.snapshot(context('b3'), snapshot('b3', AFTER_STEP2), 3);
    const late = ref(l.snapshot(context('b2'), snapshot('b2', AFTER), 4));
    expect(late).toMatchObject({ status: 'parsed', previousBuildId: 'b1', previousSha256: sha(BEFORE) });
    expect(l.resolve(late)!.diff.added.map((p) => p.name)).toEqual(['url-parsr']);
  });

  it('finds the base at the end of the partial index of parsed snapshots: no sort, no walk over the others', () => {
    const { store } = openStore();
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'build_lockfiles' AND sql IS NOT NULL").pluck().all();
    expect(indexes).toEqual(['build_lockfiles_parsed']);
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${BASE_QUERY}`).all('acme/app', 'Cargo.lock', 'b1') as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(['SEARCH build_lockfiles USING INDEX build_lockfiles_parsed (pipeline=? AND path=?)']);
  });

  it('a lockfile changed back within a build (A → B → A) is A again, live and after a reload', () => {
    const { store, dir } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b1'), snapshot('b1', BEFORE, true, 'Cargo.lock', 10), 1);
    l.snapshot(context('b1'), snapshot('b1', AFTER, true, 'Cargo.lock', 20), 2);
    const back = ref(l.snapshot(context('b1'), snapshot('b1', BEFORE, false, 'Cargo.lock', 30), 3));
    expect(back.sha256).toBe(sha(BEFORE));
    expect(l.refsOf('b1', 64).map((r) => r.sha256)).toEqual([sha(BEFORE)]);
    // The API lists the snapshots in the order they became current: the last is A.
    expect(l.rowsOf('b1').map((r) => [r.sha256, r.reportedAt])).toEqual([[sha(AFTER), expect.any(String)], [sha(BEFORE), expect.any(String)]]);
    // The next build's base is A, reported last.
    expect(l.snapshot(context('b2'), snapshot('b2', AFTER, false, 'Cargo.lock', 40), 4)).toMatchObject({ previousBuildId: 'b1', previousSha256: sha(BEFORE) });
    store.db.close();
    expect(openStore(dir).store.lockfiles.refsOf('b1', 64).map((r) => r.sha256)).toEqual([sha(BEFORE)]);
  });

  it('resolves through a cache bounded by packages; references load without parsing', () => {
    const { store } = openStore();
    // Room for about one 10-package lockfile and its diff.
    const l = new LockfileLedger(store.db, judge, { cachePackages: 25 });
    const b1 = ref(l.snapshot(context('b1'), snapshot('b1', BEFORE), 1));
    const b2 = ref(l.snapshot(context('b2'), snapshot('b2', AFTER), 2));
    expect(l.cacheStats().packages).toBeLessThanOrEqual(25);
    const parses = l.cacheStats().parses;
    expect(l.refsOf('b2', 64)).toEqual([b2]);
    expect(l.cacheStats().parses).toBe(parses);
    // Evicted, then made again alike.
    const again = l.resolve(b1)!;
    expect(again.diff.first).toBe(true);
    expect(l.resolve(b2)!.diff.added.map((p) => p.id)).toEqual(['url-parsr@0.1.0']);
    expect(l.cacheStats().parses).toBeGreaterThan(parses);
    expect(l.cacheStats().packages).toBeLessThanOrEqual(25);
    // Shared by hash pair: a resolve straight after is a hit.
    const hits = l.cacheStats().parses;
    expect(l.resolve(b2)).toBe(l.resolve(b2));
    expect(l.cacheStats().parses).toBe(hits);
  });

  it('never throws: an unexpected failure is a lockfile_error drop with a log line, or an unresolved reference', () => {
    const { store } = openStore();
    const logged: string[] = [];
    let broken = false;
    const flaky: TyposquatJudge = { ...judge, judge: (eco, name) => { if (broken) throw new Error('judge bug'); return judge.judge(eco, name); } };
    const l = new LockfileLedger(store.db, flaky, { log: { error: (msg, f) => logged.push(`${msg}: ${String(f?.error)}`) } });
    const ok = ref(l.snapshot(context('b1'), snapshot('b1', BEFORE), 1));
    broken = true;
    expect(l.snapshot(context('b2'), snapshot('b2', AFTER), 2)).toBe('lockfile_error');
    expect(l.resolve({ ...ok, sha256: sha(AFTER), previousSha256: sha(BEFORE) })).toBeNull();
    expect(l.judge('cargo', 'url-parsr')).toEqual([]);
    expect(logged).toEqual([
      'recording a lockfile failed: Error: judge bug', 'resolving a lockfile failed: Error: judge bug', 'judging a package name failed: Error: judge bug',
    ]);
  });
});

const SCRIPT = '/src/target/debug/build/url-parsr-0123456789abcdef/build-script-build';
const newCore = (store: Store, openBuilds = store.loadOpenBuilds(0)) =>
  new IngestCore({ learningBuilds: 5, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}), { openBuilds }, store.lockfiles);
/** A build: its lockfiles reported at the start; url-parsr's build script leaks over DNS unless `quiet`. */
function buildEvents(buildId: string, locks: LockfileEvent[], pipeline = 'acme/app', quiet = false): TelltaleEvent[] {
  let t = 10;
  const ev: TelltaleEvent[] = [{ kind: 'build_start', timeUs: t++, buildId, context: context(buildId, pipeline), rootPid: 100 }];
  for (const lock of locks) ev.push({ ...lock, timeUs: t++ });
  if (quiet) return ev;
  ev.push(
    { kind: 'exec', timeUs: t++, buildId, pid: 101, ppid: 100, exe: '/usr/bin/cargo', argv: ['cargo', 'build'], cwd: '/src', uid: 0, startTimeUs: 0, argvTruncated: false },
    { kind: 'exec', timeUs: t++, buildId, pid: 102, ppid: 101, exe: SCRIPT, argv: [SCRIPT], cwd: '/src/vendor/url-parsr', uid: 0, startTimeUs: 0, argvTruncated: false },
  );
  const packet = dnsPacket(`${base32('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').slice(0, 60)}.exfil.test`);
  ev.push({ kind: 'dns', timeUs: t++, buildId, pid: 102, packet, packetLength: packet.length, family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false });
  return ev;
}

describe('alerts name how the package got in', () => {
  it('the package that arrived with an upgrade: version, path, arrival, lockfile change, look-alike; a typosquat finding before it ran', () => {
    const { store } = openStore();
    const c = newCore(store);
    c.apply(buildEvents('b1', [snapshot('b1', BEFORE)]), 1);
    const r = c.apply(buildEvents('b2', [snapshot('b2', AFTER)]), 2);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['typosquat_package', 'encoded_dns_label']);
    const [squat, leak] = r.findings;
    expect(squat!.finding).toMatchObject({
      severity: 'low', pid: 100, dedupeKey: 'typosquat_package:b2:cargo:url-parsr@0.1.0',
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
      arrivedInThisBuild: true, changeInThisBuild: 'added',
      arrival: 'url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1',
      lockfileChange: { lockfile: 'Cargo.lock', previousBuildId: 'b1', added: 1, removed: 0, upgraded: ['rust-utilities 2.1.0 → 2.1.1'], downgraded: [], changedInPlace: [] },
      typosquat: [{ kind: 'edit_distance', resembles: 'url-parse', evidence: '1 edit from "url-parse": "e" replaced by "r" at 9' }],
    });
    // The build holds references only: no parsed lockfile, no diff.
    expect(c.build('b2')!.lockfiles).toEqual([{
      path: 'Cargo.lock', kind: 'cargo-lock', sha256: sha(AFTER), status: 'parsed', detail: null, previousBuildId: 'b1', previousSha256: sha(BEFORE),
    }]);
  });

  it('a package locked before this build: version and path, not arrived; no lockfile: the process alone', () => {
    const { store } = openStore();
    const c = newCore(store);
    c.apply(buildEvents('b1', [snapshot('b1', AFTER)]), 1);
    const r = c.apply(buildEvents('b2', [snapshot('b2', AFTER, false)]), 2);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['encoded_dns_label']);
    expect(r.findings[0]!.finding.evidence.package).toMatchObject({
      version: '0.1.0', arrivedInThisBuild: false, changeInThisBuild: 'unchanged', dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → url-parsr 0.1.0'],
    });
    for (const key of ['arrival', 'lockfileChange', 'previousVersion']) expect(r.findings[0]!.finding.evidence.package).not.toHaveProperty(key);
    const bare = c.apply(buildEvents('b3', []), 3);
    expect(bare.findings[0]!.finding.evidence.package).toEqual({
      ecosystem: 'cargo', name: 'url-parsr', version: null, from: 'build script path',
      typosquat: [{ kind: 'edit_distance', resembles: 'url-parse', evidence: '1 edit from "url-parse": "e" replaced by "r" at 9' }],
    });
  });

  it('a package upgraded, downgraded or changed in place in this build says so, with the lockfile change', () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['0.1.1', AFTER.replace(URL_PARSR, 'name = "url-parsr"\nversion = "0.1.1"'), { changeInThisBuild: 'upgraded', previousVersion: '0.1.0', lockfileChange: { upgraded: ['url-parsr 0.1.0 → 0.1.1'] } }],
      ['0.0.9', AFTER.replace(URL_PARSR, 'name = "url-parsr"\nversion = "0.0.9"'), { changeInThisBuild: 'downgraded', previousVersion: '0.1.0', lockfileChange: { downgraded: ['url-parsr 0.1.0 → 0.0.9'] } }],
      ['0.1.0', AFTER.replace(URL_PARSR_SUM, 'f'.repeat(64)), { changeInThisBuild: 'changed_in_place', lockfileChange: { changedInPlace: ['url-parsr 0.1.0 (new checksum)'] } }],
    ];
    for (const [version, text, expected] of cases) {
      const { store } = openStore();
      const c = newCore(store);
      c.apply(buildEvents('b1', [snapshot('b1', AFTER)]), 1);
      const pkg = c.apply(buildEvents('b2', [snapshot('b2', text)]), 2).findings.find((f) => f.finding.kind === 'encoded_dns_label')!.finding.evidence.package;
      expect(pkg).toMatchObject({ version, arrivedInThisBuild: false, ...expected, lockfileChange: { ...expected.lockfileChange as object, previousBuildId: 'b1' } });
      expect(pkg).not.toHaveProperty('arrival');
      if (expected.changeInThisBuild === 'changed_in_place') expect(pkg).not.toHaveProperty('previousVersion');
    }
  });

  it('a later CI step of the build: what arrived at the first step still arrived in this build', () => {
    const { store } = openStore();
    const c = newCore(store);
    c.apply(buildEvents('b1', [snapshot('b1', BEFORE)]), 1);
    const r = c.apply(buildEvents('b2', [snapshot('b2', AFTER), snapshot('b2', AFTER_STEP2)]), 2);
    expect(r.findings.find((f) => f.finding.kind === 'encoded_dns_label')!.finding.evidence.package).toMatchObject({
      arrivedInThisBuild: true, changeInThisBuild: 'added', lockfileChange: { previousBuildId: 'b1', upgraded: ['rust-utilities 2.1.0 → 2.1.1', 'ryu 1.0.2 → 1.0.3'] },
    });
    // One look-alike finding for the build, not one per step.
    expect(r.findings.filter((f) => f.finding.kind === 'typosquat_package')).toHaveLength(1);
  });

  it('every build that adds a look-alike stores its own alert, across pipelines', () => {
    const { store } = openStore();
    const c = newCore(store);
    let sequence = 0;
    const commit = (events: TelltaleEvent[]) => {
      sequence++;
      store.commitBatch('agent', sequence, encodeBatch({ agentId: 'agent', sequence, events }), c.apply(events, sequence), (id) => c.build(id), sequence);
    };
    for (const pipeline of ['acme/app', 'acme/other']) {
      commit(buildEvents(`${pipeline}#1`, [snapshot(`${pipeline}#1`, BEFORE)], pipeline, true));
      commit(buildEvents(`${pipeline}#2`, [snapshot(`${pipeline}#2`, AFTER)], pipeline, true));
    }
    const alerts = store.listAlerts({ kind: 'typosquat_package', limit: 10 });
    expect(alerts.map((a) => a.buildId).sort()).toEqual(['acme/app#2', 'acme/other#2']);
    // What each build counts is what the store holds.
    for (const id of ['acme/app#2', 'acme/other#2']) expect(store.getBuild(id)!.counts.alerts).toBe(1);
  });

  it('a pipeline\'s first lockfile raises no finding for mere edit-distance look-alikes (too common among real packages)', () => {
    const { store } = openStore();
    const r = newCore(store).apply(buildEvents('b1', [snapshot('b1', AFTER)]), 1);
    expect(r.findings.map((f) => f.finding.kind)).toEqual(['encoded_dns_label']);
    expect(r.findings[0]!.finding.evidence.package).toMatchObject({ arrivedInThisBuild: null, changeInThisBuild: null });
    expect(store.lockfiles.rowsOf('b1')[0]!.change).toMatchObject({ first: true, flagged: [{ name: 'url-parsr' }] });
  });

  it('a collector restarting with the build open still knows its lockfiles, and parses nothing to load them', () => {
    const { store, dir } = openStore();
    const c = newCore(store);
    c.apply(buildEvents('b1', [snapshot('b1', BEFORE)]).concat({ kind: 'build_end', timeUs: 99, buildId: 'b1', exitCode: 0 }), 1);
    const events = buildEvents('b2', [snapshot('b2', AFTER)]).slice(0, 2);
    store.commitBatch('agent', 1, encodeBatch({ agentId: 'agent', sequence: 1, events }), c.apply(events, 2), (id) => c.build(id), 2);
    const live = c.build('b2')!.lockfiles;
    store.db.close();
    const { store: reopened } = openStore(dir);
    const openBuilds = reopened.loadOpenBuilds(100, 0);
    expect(reopened.lockfiles.cacheStats().parses).toBe(0);
    expect(openBuilds.find((b) => b.context.buildId === 'b2')!.lockfiles).toEqual(live);
    const r = newCore(reopened, openBuilds).apply(buildEvents('b2', []).slice(1), 3);
    expect(r.findings[0]!.finding.evidence.package).toMatchObject({ version: '0.1.0', arrivedInThisBuild: true, lockfileChange: { previousBuildId: 'b1' } });
    reopened.db.close();
  });

  it('without a ledger lockfile events are a counted drop', () => {
    const c = new IngestCore({ learningBuilds: 5, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}));
    expect(c.apply(buildEvents('b1', [snapshot('b1', BEFORE)]), 1).drops.get('lockfile_not_kept')).toBe(1);
  });
});

describe('the shipped lists', () => {
  it('load, and judge a typosquat of a well-known crate', () => {
    expect(loadTyposquatJudge().judge('cargo', 'reqwests').map((s) => [s.kind, s.resembles])).toEqual([['edit_distance', 'reqwest']]);
  });
});

describe('scan completeness', () => {
  it('a snapshot from a scan that stopped at a bound says so, in its reference and after a reload', () => {
    const { store } = openStore();
    const ref = store.lockfiles.snapshot(context('b1'), { ...snapshot('b1', BEFORE), scanIncomplete: true }, 1);
    expect(ref).toMatchObject({ status: 'parsed', scanIncomplete: true });
    expect(store.lockfiles.refsOf('b1', 64)).toEqual([expect.objectContaining({ path: 'Cargo.lock', scanIncomplete: true })]);
    expect(store.lockfiles.snapshot(context('b2'), snapshot('b2', BEFORE, false), 2)).not.toHaveProperty('scanIncomplete');
  });
});

describe('per-build bounds', () => {
  it('a build rewriting its lockfile at every step is bounded in snapshots and content', () => {
    const { store } = openStore();
    let last: unknown;
    for (let i = 0; i < MAX_SNAPSHOTS_PER_BUILD + 3; i++) last = store.lockfiles.snapshot(context('b1'), snapshot('b1', `${BEFORE}\n# step ${i}\n`), i);
    expect(last).toBe('lockfiles_per_build');
    expect(store.db.prepare('SELECT count(*) FROM build_lockfiles WHERE build_id = ?').pluck().get('b1')).toBe(MAX_SNAPSHOTS_PER_BUILD);
    // Another build is not held back by it.
    expect(store.lockfiles.snapshot(context('b2'), snapshot('b2', AFTER), 1)).toMatchObject({ status: 'parsed' });
  });

  it('content past the per-build budget is not stored: the snapshot says over_budget', () => {
    const { store } = openStore();
    const big = `${BEFORE}\n#${'x'.repeat(MAX_CONTENT_PER_BUILD - BEFORE.length - 10)}\n`;
    store.lockfiles.snapshot(context('b1'), snapshot('b1', big), 1);
    expect(store.lockfiles.content(createHash('sha256').update(big).digest('hex'))).not.toBeNull();
    expect(store.lockfiles.snapshot(context('b1'), snapshot('b1', AFTER, true, 'app/Cargo.lock'), 2)).toMatchObject({ status: 'over_budget' });
    expect(store.lockfiles.content(createHash('sha256').update(AFTER).digest('hex'))).toBeNull();
  });

  it('the budget counts content stored, at its stored size: snapshots without content do not use it up', () => {
    const { store } = openStore();
    const l = store.lockfiles;
    l.snapshot(context('b0'), snapshot('b0', BEFORE), 0);
    // Each declares the whole budget: too large, over the agent's budget, never received.
    for (const omitted of ['too_large', 'over_budget'] as const) {
      const r = l.snapshot(context('b1'), { ...snapshot('b1', omitted, false, `${omitted}/Cargo.lock`), size: MAX_CONTENT_PER_BUILD, omitted }, 1);
      expect(r).toMatchObject({ status: omitted });
    }
    expect(l.snapshot(context('b1'), { ...snapshot('b1', 'never sent', false, 'gone/Cargo.lock'), size: MAX_CONTENT_PER_BUILD }, 2)).toMatchObject({ status: 'content_unknown' });
    // Content the collector holds, by hash, with a size it does not have: counted at its own.
    expect(l.snapshot(context('b1'), { ...snapshot('b1', BEFORE, false, 'known/Cargo.lock'), size: MAX_CONTENT_PER_BUILD }, 3)).toMatchObject({ status: 'parsed' });
    expect(l.snapshot(context('b1'), snapshot('b1', AFTER), 4)).toMatchObject({ status: 'parsed' });
    expect(l.content(sha(AFTER))).not.toBeNull();
  });
});
