// Versioned baselines end to end through the ingest core and the store: learning builds make
// versions, later builds are held against the baseline, supervised proposals wait for an
// operator, unused entries expire, and an approved tool quiets unexpected_tool.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeBatch, type TelltaleEvent } from '@telltale/proto';
import { Store } from './store.js';
import { BaselineStore } from './baseline-store.js';
import { migrations } from './schema.js';
import { IngestCore } from '../core/ingest-core.js';
import { compileDetectors } from '../core/detectors/index.js';
import { BuildScript } from '../core/test-events.js';

const DAY_US = 86_400_000_000;
const T0 = 1_700_000_000_000_000;

describe('versioned baselines', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  function open(learningBuilds = 2) {
    const d = mkdtempSync(join(tmpdir(), 'telltale-baseline-'));
    dirs.push(d);
    const store = new Store(join(d, 'db'));
    const core = new IngestCore({ learningBuilds, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}), { baselines: store.loadBaselines() });
    let seq = 0;
    const ingest = (events: TelltaleEvent[], nowUs = events.at(-1)!.timeUs) => {
      const r = core.apply(events, nowUs);
      const alerts = store.commitBatch('agent', ++seq, new Uint8Array(1), r, (id) => core.build(id), nowUs);
      return { alerts, r };
    };
    return { store, core, ingest, baselines: store.baselines };
  }

  /** A cargo build: resolves `names`, connects to `destinations`, and its build script runs `tools`. */
  function cargoBuild(id: string, pipeline: string, startUs: number, names: string[], destinations: [string, number][] = [], tools: string[] = []): TelltaleEvent[] {
    const b = new BuildScript(id, pipeline, 100, startUs);
    b.exec(101, 100, '/usr/bin/cargo', ['cargo', 'build']);
    b.exec(102, 101, '/src/target/debug/build/dep-1a2b3c/build-script-build', ['build-script-build']);
    tools.forEach((t, i) => b.exec(110 + i, 102, `/usr/bin/${t}`, [t, '--version']));
    for (const n of names) b.dns(101, n);
    // Each address was resolved first (a raw-IP connect would alert, and alerting addresses are never learnt).
    for (const [a, p] of destinations) b.dns(101, names[0]!, { response: true, answers: [{ name: names[0]!, address: a }] }).connect(101, a, p);
    return b.end().events;
  }

  it('learning builds make versions; a later build is held against the baseline; versions diff', () => {
    const { ingest, baselines } = open(2);
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test', 'static.crates.test'], [['192.0.2.10', 443]], ['cc']));
    ingest(cargoBuild('b2', 'p', T0 + 1000_000, ['index.crates.test', 'mirror.rust.test'], [['192.0.2.10', 443], ['192.0.2.11', 443]], ['cc']));
    const v = baselines.versions('p');
    expect(v.map((x) => [x.version, x.cause, x.builds])).toEqual([[1, 'learned', ['b1']], [2, 'learned', ['b2']]]);
    expect(v[0]!.added).toEqual([
      { kind: 'name', value: 'index.crates.test' }, { kind: 'name', value: 'static.crates.test' },
      { kind: 'domain', value: 'crates.test' },
      { kind: 'destination', value: 'tcp/192.0.2.10:443' },
      { kind: 'tool', value: 'cargo_build_script:cc' },
    ]);
    // The second build added only what the first had not.
    expect(v[1]!.added).toEqual([
      { kind: 'name', value: 'mirror.rust.test' }, { kind: 'domain', value: 'rust.test' }, { kind: 'destination', value: 'tcp/192.0.2.11:443' },
    ]);
    expect(baselines.diff('p', 2, 1)).toEqual({ added: [], removed: v[1]!.added });
    expect(baselines.diff('p', 0, 2).added).toHaveLength(8);
    expect(() => baselines.diff('p', 0, 3)).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));

    // Learning is over: a build with a new dependency that talks to a new name.
    const { alerts } = ingest(cargoBuild('b3', 'p', T0 + 2000_000, ['index.crates.test', 'telemetry.newdep.test'], [['192.0.2.10', 443], ['198.51.100.7', 8443]]));
    expect(alerts.map((a) => [a.kind, a.domain])).toContainEqual(['first_seen_domain', 'newdep.test']);
    expect(baselines.versions('p')).toHaveLength(2); // a build after learning teaches nothing
    const diff = baselines.buildDiff('b3');
    expect(diff.new).toEqual([
      { kind: 'name', value: 'telemetry.newdep.test', pending: false },
      { kind: 'domain', value: 'newdep.test', pending: false },
      { kind: 'destination', value: 'tcp/198.51.100.7:8443', pending: false },
    ]);
    expect(diff.used).toEqual({ name: 2, domain: 2, destination: 2, tool: 0 });

    const policy = baselines.policyBaseline('p', 2, T0);
    expect(policy.readiness).toBe('ready');
    expect(policy.names).toEqual(['index.crates.test', 'mirror.rust.test', 'static.crates.test']);
    expect(policy.destinations).toEqual([
      { protocol: 'tcp', address: '192.0.2.10', port: 443 }, { protocol: 'tcp', address: '192.0.2.11', port: 443 },
    ]);
  });

  it('a domain that carried exfiltration never enters the baseline, nor its names', () => {
    const { ingest, baselines } = open(2);
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test', 'mfrggzdfmztwq2lknnwg23tpobyxe43u.ovzhmy3pnfxgizlt.exfil.test']));
    const entries = baselines.entries('p').map((e) => e.value);
    expect(entries).toContain('index.crates.test');
    expect(entries.some((e) => e.includes('exfil.test'))).toBe(false);
    expect(baselines.versions('p')[0]!.added.some((e) => e.value.includes('exfil'))).toBe(false);
  });

  it('the baseline is still learning: policies say so', () => {
    const { ingest, baselines } = open(3);
    expect(baselines.policyBaseline('p', 3, T0).readiness).toBe('learning');
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test']));
    const b = baselines.policyBaseline('p', 3, T0);
    expect([b.readiness, b.learnedBuilds, b.learningBuilds]).toEqual(['learning', 1, 3]);
  });

  it('entries the pipeline\'s builds stopped using for the expiry leave in one version; used ones stay', () => {
    const { ingest, baselines, core } = open(1);
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test', 'old.gone.test'], [['192.0.2.10', 443]], ['cc']));
    // Twenty days on, a build uses only the index.
    ingest(cargoBuild('b2', 'p', T0 + 20 * DAY_US, ['index.crates.test']));
    // Measured against the pipeline's own builds: however late the sweep runs, nothing has idled 30 days yet.
    expect(baselines.expire(T0 + 400 * DAY_US, 30 * DAY_US)).toEqual([]);
    // A build on day 33: what only day 0 used has now gone unused for longer than 30 days.
    ingest(cargoBuild('b3', 'p', T0 + 33 * DAY_US, ['index.crates.test']));
    const expired = baselines.expire(T0 + 34 * DAY_US, 30 * DAY_US);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.removed).toEqual([
      { kind: 'name', value: 'old.gone.test' }, { kind: 'domain', value: 'gone.test' },
      { kind: 'destination', value: 'tcp/192.0.2.10:443' }, { kind: 'tool', value: 'cargo_build_script:cc' },
    ]);
    const last = baselines.versions('p').at(-1)!;
    expect([last.cause, last.actor, last.reason]).toEqual(['expired', 'telltale', 'unused by the builds of the last 30 days']);
    expect(baselines.entries('p').map((e) => e.value)).toEqual(['crates.test', 'index.crates.test']);
    expect(baselines.expire(T0 + 35 * DAY_US, 30 * DAY_US)).toEqual([]);
    // The core follows: the expired domain is new again.
    core.updateBaseline('p', BaselineStore.coreChange([], expired[0]!.removed, expired[0]!.version));
    const { alerts } = ingest(cargoBuild('b4', 'p', T0 + 36 * DAY_US, ['old.gone.test']));
    expect(alerts.map((a) => [a.kind, a.domain])).toContainEqual(['first_seen_domain', 'gone.test']);
  });

  it('two builds started together with one learning slot left: only the first teaches, and nothing stays outside a version', () => {
    const { ingest, baselines, store, core } = open(1);
    const a = cargoBuild('a', 'p', T0, ['index.crates.test']);
    const b = cargoBuild('b', 'p', T0 + 10, ['cdn.other.test']);
    // Both start before either ends.
    ingest([a[0]!, b[0]!]);
    ingest([...a.slice(1), ...b.slice(1)]);
    expect(store.db.prepare('SELECT id, teaches FROM builds ORDER BY id').all()).toEqual([{ id: 'a', teaches: 1 }, { id: 'b', teaches: 0 }]);
    expect(baselines.entries('p').filter((e) => e.version === null)).toEqual([]);
    expect(baselines.entries('p').map((e) => e.value)).toEqual(['crates.test', 'index.crates.test']);
    // b taught nothing: its domain is new to the baseline, and its diff says so.
    expect(baselines.buildDiff('b').new.map((e) => e.value)).toEqual(['cdn.other.test', 'other.test']);
    // A teaching build that never ends (evicted or silent) is sealed once the core lets go of it.
    const c = cargoBuild('c', 'q', T0, ['index.crates.test']);
    ingest(c.slice(0, -1));
    expect(baselines.entries('q').every((e) => e.version === null)).toBe(true);
    expect(baselines.sealOrphans((id) => core.build(id) !== undefined, T0)).toEqual([]);
    expect(baselines.sealOrphans(() => false, T0 + 1)).toEqual([1]);
    expect(baselines.versions('q')[0]).toMatchObject({ cause: 'learned', builds: ['c'], reason: 'learning build that never ended' });
  });

  it('late events after a learning build ended teach nothing', () => {
    const { ingest, baselines } = open(1);
    const events = cargoBuild('a', 'p', T0, ['index.crates.test']);
    ingest(events);
    const late = new BuildScript('a', 'p', 100, T0 + 5_000_000).dns(101, 'late.lingering.test').events.slice(2);
    ingest(late);
    expect(baselines.entries('p').map((e) => [e.value, e.version])).toEqual([['crates.test', 1], ['index.crates.test', 1]]);
  });

  it('a poisoned domain takes its exact names out with it, in one version', () => {
    const { ingest, baselines } = open(2);
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test', 'a.evil.test']));
    ingest(cargoBuild('b2', 'p', T0 + 1_000_000, ['mfrggzdfmztwq2lknnwg23tpobyxe43u.ovzhmy3pnfxgizlt.evil.test']));
    expect(baselines.entries('p').some((e) => e.value.endsWith('evil.test'))).toBe(false);
    expect(baselines.versions('p').find((v) => v.cause === 'poisoned')!.removed).toEqual([
      { kind: 'name', value: 'a.evil.test' }, { kind: 'domain', value: 'evil.test' },
    ]);
    expect(baselines.policyBaseline('p', 2, T0).names).toEqual(['index.crates.test']);
  });

  it('removing a domain removes its names and its allowance; policies then allow neither', () => {
    const { ingest, baselines, store } = open(1);
    ingest(cargoBuild('b1', 'p', T0, ['index.crates.test', 'www.newdep.test']));
    store.db.prepare(`INSERT INTO baseline_allowed (pipeline, domain, kind, allowed_us, actor, reason, alert_id, build_id, taught_baseline)
      VALUES ('p', 'newdep.test', 'first_seen_domain', 1, 'alice', 'ok', 'x', 'b1', 0)`).run();
    expect(baselines.policyBaseline('p', 1, T0).domains).toEqual(['newdep.test']);
    const r = baselines.remove('p', [{ kind: 'domain', value: 'newdep.test' }], 'bob', 'gone', T0)!;
    expect(r.removed).toEqual([{ kind: 'name', value: 'www.newdep.test' }, { kind: 'domain', value: 'newdep.test' }]);
    expect(r.allowancesDropped).toEqual([{ domain: 'newdep.test', kind: 'first_seen_domain' }]);
    const policy = baselines.policyBaseline('p', 1, T0);
    expect([policy.names, policy.domains]).toEqual([['index.crates.test'], []]);
    expect(baselines.remove('p', [{ kind: 'domain', value: 'newdep.test' }], 'bob', 'again', T0)).toBeNull();
  });

  it('an address a learning build\'s alert named is never learnt; nothing allowed is never ready', () => {
    const { ingest, baselines } = open(1);
    // A connect to an address no DNS answer gave: raw_ip_egress.
    ingest(cargoBuild('b1', 'p', T0, [], []).slice(0, -1).concat(new BuildScript('b1', 'p', 100, T0 + 100).connect(101, '203.0.113.66', 443).end().events.slice(2)));
    expect(baselines.entries('p').filter((e) => e.kind === 'destination')).toEqual([]);
    const b = baselines.policyBaseline('p', 1, T0);
    expect([b.readiness, b.names, b.destinations]).toEqual(['empty', [], []]);
  });

  it('supervised: builds propose, an operator approves, and the approval is a version with their name', () => {
    const { ingest, baselines, core } = open(2);
    baselines.setMode('p', 'supervised', null);
    core.updateBaseline('p', { mode: 'supervised' });
    const first = ingest(cargoBuild('b1', 'p', T0, ['index.crates.test']));
    expect(first.alerts.filter((a) => a.kind === 'first_seen_domain')).toEqual([]); // nothing approved yet: learning
    expect(baselines.versions('p')).toEqual([]);
    expect(baselines.entries('p').map((e) => [e.kind, e.value, e.state])).toEqual([
      ['domain', 'crates.test', 'pending'], ['name', 'index.crates.test', 'pending'],
    ]);
    expect(baselines.buildDiff('b1').new.every((e) => e.pending)).toBe(true);
    const made = baselines.approve('p', 'all_pending', 'alice', 'reviewed the lockfile', T0 + 5);
    expect(made.version).toBe(1);
    const v = baselines.versions('p')[0]!;
    expect([v.cause, v.actor, v.reason, v.builds]).toEqual(['approved', 'alice', 'reviewed the lockfile', ['b1']]);
    expect(() => baselines.approve('p', [{ kind: 'name', value: 'index.crates.test' }], 'alice', '', T0)).toThrow(expect.objectContaining({ code: 'NOTHING_TO_APPROVE' }));
    expect(() => baselines.approve('p', [{ kind: 'name', value: 'bad name;' }], 'alice', '', T0)).toThrow(expect.objectContaining({ code: 'BAD_ENTRY' }));
    core.updateBaseline('p', BaselineStore.coreChange(made.added, [], made.version));
    const second = ingest(cargoBuild('b2', 'p', T0 + 1_000_000, ['index.crates.test', 'cdn.other.test']));
    expect(second.alerts.map((a) => [a.kind, a.domain])).toEqual([['first_seen_domain', 'other.test']]);
    expect(baselines.entries('p').filter((e) => e.state === 'pending').map((e) => e.value)).toEqual(['other.test', 'cdn.other.test']);
    expect(baselines.reject('p', [{ kind: 'name', value: 'cdn.other.test' }])).toEqual([{ kind: 'name', value: 'cdn.other.test' }]);
    expect(baselines.entries('p').filter((e) => e.state === 'pending').map((e) => e.value)).toEqual(['other.test']);
  });

  it('a build reloaded after a collector restart still proposes the tools its scripts ran before it', () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-baseline-restart-'));
    dirs.push(d);
    const store = new Store(join(d, 'db'));
    store.baselines.setMode('p', 'supervised', null);
    const core = () => new IngestCore({ learningBuilds: 2, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}),
      { baselines: store.loadBaselines(), openBuilds: store.loadOpenBuilds(100) });
    const events = cargoBuild('b1', 'p', T0, [], [], ['cc']);
    let seq = 0;
    // The real batch bytes: the reloaded build's tree is rebuilt from them.
    const ingest = (c: IngestCore, ev: TelltaleEvent[]) => {
      const bytes = encodeBatch({ agentId: 'agent', sequence: ++seq, events: ev });
      return store.commitBatch('agent', seq, bytes, c.apply(ev, ev.at(-1)!.timeUs), (id) => c.build(id), ev.at(-1)!.timeUs);
    };
    ingest(core(), events.slice(0, -1));
    // The collector restarts: the build comes back from the store, its tree from its event log.
    ingest(core(), events.slice(-1));
    expect(store.baselines.entries('p').map((e) => [e.kind, e.value, e.state])).toEqual([['tool', 'cargo_build_script:cc', 'pending']]);
    store.close();
  });

  it('a network tool an operator approved for a kind of build script no longer alerts; inline code still does', () => {
    const { ingest, baselines, core } = open(5);
    const run = (id: string, t: number, argv: string[]) => {
      const b = new BuildScript(id, 'p', 100, t);
      b.exec(101, 100, '/usr/bin/cargo', ['cargo', 'build']);
      b.exec(102, 101, '/src/target/debug/build/dep-1a2b3c/build-script-build', ['build-script-build']);
      b.exec(103, 102, `/usr/bin/${argv[0]}`, argv);
      return ingest(b.end().events).alerts.filter((a) => a.kind === 'unexpected_tool');
    };
    expect(run('b1', T0, ['curl', '-sO', 'https://example.test/x'])).toHaveLength(1);
    // Alerting tools are never learnt, not even by a learning build...
    expect(baselines.entries('p').some((e) => e.kind === 'tool' && e.value.endsWith(':curl'))).toBe(false);
    // ...nor when the same process's finding was already raised (the alert is deduplicated, the judgement stands).
    const again = new BuildScript('b0', 'p', 100, T0 + 500_000);
    again.exec(101, 100, '/usr/bin/cargo', ['cargo', 'build']).exec(102, 101, '/src/target/debug/build/dep-1a2b3c/build-script-build', ['build-script-build'])
      .exec(110, 102, '/usr/bin/wget', ['wget', 'https://example.test/x']).exec(110, 102, '/usr/bin/curl', ['curl', 'https://example.test/x'])
      .exec(111, 102, '/usr/bin/cc', ['cc', '-c', 'x.c']);
    ingest(again.end().events);
    expect(baselines.entries('p').filter((e) => e.kind === 'tool').map((e) => e.value)).toEqual(['cargo_build_script:cc']);
    const made = baselines.approve('p', [{ kind: 'tool', value: 'cargo_build_script:curl' }], 'bob', 'fetches its test vectors', T0);
    core.updateBaseline('p', BaselineStore.coreChange(made.added, [], made.version));
    expect(run('b2', T0 + 1_000_000, ['curl', '-sO', 'https://example.test/x'])).toHaveLength(0);
    expect(run('b3', T0 + 2_000_000, ['python3', '-c', 'import socket; socket.create_connection(("a.test", 1))'])).toHaveLength(1);
  });

  it('a baseline from before versions becomes version 1, used at its newest build', () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-baseline-mig-'));
    dirs.push(d);
    const path = join(d, 'db');
    const db = new Database(path);
    for (let i = 0; i < 3; i++) db.exec(migrations[i]!);
    db.pragma('user_version = 3');
    db.prepare(`INSERT INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us) VALUES ('b9', 'p', '1', 'j', 'r', 'c', 'h', 'local', 1, ?)`).run(T0 + 50);
    db.prepare("INSERT INTO baseline_domains VALUES ('p', 'crates.test', ?, 'b1')").run(T0);
    // What b1 resolved and connected to: its names under the learnt domain and its destinations fill version 1.
    const name = db.prepare(`INSERT INTO dns_names (build_id, qname, qtype, domain, partial, server, port, first_pid, first_us, last_us, count, baseline_known)
      VALUES ('b1', ?, 'A', ?, 0, '127.0.0.53', 53, 1, ?, ?, 1, 0)`);
    name.run('index.crates.test', 'crates.test', T0, T0);
    name.run('x.poisoned.test', 'poisoned.test', T0, T0);
    db.prepare(`INSERT INTO destinations (build_id, address, port, protocol, family, external, first_pid, first_us, last_us, count)
      VALUES ('b1', '192.0.2.10', 443, 'tcp', 'inet', 1, 1, ?, ?, 1)`).run(T0, T0);
    db.prepare("INSERT INTO baseline_tools VALUES ('p', 'cc', ?, 'b1')").run(T0);
    db.prepare("INSERT INTO baselines VALUES ('p', 3)").run();
    db.close();
    const store = new Store(path);
    expect(store.baselines.entries('p').map((e) => [e.kind, e.value, e.version, e.lastUsedUs])).toEqual([
      ['destination', 'tcp/192.0.2.10:443', 1, T0 + 50], ['domain', 'crates.test', 1, T0 + 50], ['name', 'index.crates.test', 1, T0 + 50],
    ]);
    expect(store.baselines.versions('p').map((v) => [v.version, v.cause, v.added])).toEqual([[1, 'migrated', [
      { kind: 'name', value: 'index.crates.test' }, { kind: 'domain', value: 'crates.test' }, { kind: 'destination', value: 'tcp/192.0.2.10:443' },
    ]]]);
    expect(store.baselines.policyBaseline('p', 3, T0).readiness).toBe('ready');
    expect(store.baselines.settings('p')).toEqual({ mode: 'auto', learningBuilds: null, learnedBuilds: 3, version: 1 });
    expect(store.loadBaselines()[0]!.domains).toEqual(new Set(['crates.test']));
    store.close();
  });
});
