// The collector's side of the DNS guard: reports parsed like any body, verdicts kept, one
// alert per build, verdict and domain, placed in the build whose agent saw the query (of the
// guard's pipeline only), and moved there when the agent's events land after the report.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.js';
import { GuardVerdictSink, parseGuardReport, type GuardReport } from './guard-verdicts.js';
import type { StoredAlert } from './store-rows.js';

const T = 1_700_000_000_000_000;

describe('guard verdicts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.useRealTimers();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function open() {
    const d = mkdtempSync(join(tmpdir(), 'telltale-guard-sink-'));
    dirs.push(d);
    const store = new Store(join(d, 'db'));
    const published: { alert: StoredAlert; moved: boolean }[] = [];
    const counted: string[] = [];
    const sink = new GuardVerdictSink({
      db: store.db, chainOf: (_b, pid) => [{ pid, ppid: 1, exe: '/usr/bin/node', argv: ['node', 'ask.mjs'], cwd: '/', startTimeUs: 0 }],
      published: (alert, moved) => published.push({ alert, moved }), countAlert: (b) => counted.push(b),
    });
    const build = (id: string, pipeline: string) => store.db.prepare(`INSERT INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us)
      VALUES (?, ?, '7', 'j', 'r', 'c', 'h', 'local', 1, ?)`).run(id, pipeline, T);
    const saw = (buildId: string, qname: string, domain: string) => store.db.prepare(`INSERT INTO dns_names (build_id, qname, qtype, domain, partial, server, port, first_pid, first_us, last_us, count, baseline_known)
      VALUES (?, ?, 'A', ?, 0, '127.0.0.1', 53, 4242, ?, ?, 1, 0)`).run(buildId, qname, domain, T, T);
    const alerts = () => store.db.prepare('SELECT build_id, qname, severity, pid, evidence FROM alerts ORDER BY rowid').all() as
      { build_id: string; qname: string; severity: string; pid: number; evidence: string }[];
    return { store, sink, published, counted, build, saw, alerts };
  }

  const report = (verdicts: Partial<GuardReport['verdicts'][number]>[], pipeline = 'p'): GuardReport => ({
    guard: 'g1', pipeline,
    verdicts: verdicts.map((v) => ({ timeUs: T + 10, client: '127.0.0.1:5353', qname: 'x.exfil.test', qtype: 1, verdict: 'blocked_encoded', evidence: {}, ...v })),
  });

  it('refuses bodies off the shape, naming the field', () => {
    const ok = { guard: 'g1', pipeline: 'p', verdicts: [{ timeUs: 1, client: '127.0.0.1:1', qname: 'a.test', qtype: 1, verdict: 'forwarded_new', evidence: {} }] };
    expect(parseGuardReport(ok).verdicts).toHaveLength(1);
    for (const client of ['[::1]:53000', '[fe80::1%br-0a1b2c]:5353', '192.0.2.1']) {
      expect(parseGuardReport({ ...ok, verdicts: [{ ...ok.verdicts[0]!, client }] }).verdicts[0]!.client).toBe(client);
    }
    const bad = (patch: Record<string, unknown>, field: RegExp) =>
      expect(() => parseGuardReport({ ...ok, ...patch })).toThrow(expect.objectContaining({ status: 400, code: 'BAD_BODY', message: expect.stringMatching(field) }));
    bad({ guard: 'a b' }, /guard/);
    bad({ pipeline: 'p\nforged' }, /pipeline/);
    bad({ verdicts: Array(1001).fill(ok.verdicts[0]) }, /at most 1000/);
    const v = ok.verdicts[0]!;
    bad({ verdicts: [{ ...v, verdict: 'allowed' }] }, /verdicts\[0\]\.verdict/);
    bad({ verdicts: [{ ...v, client: 'host.test:53' }] }, /client/);
    bad({ verdicts: [{ ...v, client: '[::1%a b]:53' }] }, /client/);
    bad({ verdicts: [{ ...v, qname: 'a\u0000b' }] }, /qname/);
    bad({ verdicts: [{ ...v, qtype: 70000 }] }, /qtype/);
    bad({ verdicts: [{ ...v, timeUs: -1 }] }, /timeUs/);
    bad({ verdicts: [{ ...v, evidence: { big: 'x'.repeat(5000) } }] }, /evidence/);
    bad({ verdicts: [v, null] }, /verdicts\[1\]/);
  });

  it('keeps every verdict, raises one alert per verdict and domain, and only for refusals', () => {
    const { sink, alerts, store } = open();
    const r = sink.accept(report([
      { qname: 'aaaa.exfil.test' }, { qname: 'bbbb.exfil.test' }, { qname: 'new.other.test', verdict: 'blocked_new' },
      { qname: 'fwd.third.test', verdict: 'forwarded_new' },
    ]), T + 20);
    expect(r.accepted).toBe(4);
    expect(alerts().map((a) => [a.build_id, a.qname, a.severity])).toEqual([
      ['guard:g1:p', 'aaaa.exfil.test', 'high'], ['guard:g1:p', 'new.other.test', 'medium'],
    ]);
    expect(store.db.prepare('SELECT count(*) FROM guard_verdicts').pluck().get()).toBe(4);
    // The guard's record is ended at once: never reloaded as a running build.
    expect(store.db.prepare("SELECT ended_us IS NOT NULL AS ended, alerts FROM builds WHERE id = 'guard:g1:p'").get()).toEqual({ ended: 1, alerts: 2 });
  });

  it('places the alert in the build whose agent saw the query, of the guard\'s pipeline only', () => {
    const { sink, build, saw, alerts, counted } = open();
    build('other-build', 'other-pipeline');
    saw('other-build', 'aaaa.exfil.test', 'exfil.test');
    build('b1', 'p');
    saw('b1', 'aaaa.exfil.test', 'exfil.test');
    sink.accept(report([{ qname: 'aaaa.exfil.test' }]), T + 20);
    expect(alerts().map((a) => [a.build_id, a.pid])).toEqual([['b1', 4242]]);
    expect(counted).toEqual(['b1']);
  });

  it('moves an alert raised before the agent\'s events landed, and a later verdict finds it there', async () => {
    vi.useFakeTimers();
    const { sink, build, saw, alerts, published, store } = open();
    sink.accept(report([{ qname: 'aaaa.exfil.test' }]), T + 20);
    expect(alerts()[0]!.build_id).toBe('guard:g1:p');
    build('b1', 'p');
    saw('b1', 'aaaa.exfil.test', 'exfil.test');
    saw('b1', 'bbbb.exfil.test', 'exfil.test');
    await vi.advanceTimersByTimeAsync(300);
    expect(alerts().map((a) => [a.build_id, a.pid])).toEqual([['b1', 4242]]);
    expect(published.map((p) => [p.alert.buildId, p.moved])).toEqual([['guard:g1:p', false], ['b1', true]]);
    expect(published[1]!.alert.chain.at(-1)!.argv).toEqual(['node', 'ask.mjs']);
    // The same build, verdict and domain: the moved alert, not a second one.
    sink.accept(report([{ qname: 'bbbb.exfil.test' }]), T + 30);
    expect(alerts()).toHaveLength(1);
    expect(store.db.prepare("SELECT id, alerts FROM builds ORDER BY id").all()).toEqual([{ id: 'b1', alerts: 1 }, { id: 'guard:g1:p', alerts: 0 }]);
    sink.close();
  });
});
