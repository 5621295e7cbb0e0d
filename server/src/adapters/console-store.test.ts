// Paging and filtering over many rows: every row once, in order, with the filter's total.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.js';
import { ConsoleStore } from './console-store.js';

describe('ConsoleStore paging', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
  const open = () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-cs-'));
    dirs.push(d);
    const store = new Store(join(d, 'db'));
    return { store, cs: new ConsoleStore(store.db) };
  };

  it('pages alerts newest first through every row exactly once, filtered, with the total', () => {
    const { store, cs } = open();
    const insert = store.db.prepare(`INSERT INTO alerts (id, dedupe_key, build_id, pipeline, run_id, kind, severity, pid, chain, evidence, event_us, created_us, status)
      VALUES (?, ?, 'b', ?, '1', ?, ?, 1, '[]', '{}', ?, ?, ?)`);
    store.db.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        // Many alerts share a creation time: a batch raises several at once.
        insert.run(`a${i}`, `k${i}`, i % 2 ? 'p1' : 'p2', i % 3 ? 'first_seen_domain' : 'encoded_dns_label', i % 5 ? 'medium' : 'high', i, Math.floor(i / 10), i % 7 ? 'open' : 'resolved');
      }
    })();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = cs.listAlerts({ pipeline: 'p1', status: 'open', cursor, limit: 37 });
      expect(page.total).toBe([...Array(1000).keys()].filter((i) => i % 2 && i % 7).length);
      seen.push(...page.alerts.map((a) => a.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    const expected = [...Array(1000).keys()].filter((i) => i % 2 && i % 7).reverse().map((i) => `a${i}`);
    expect(seen).toEqual(expected);
    expect(() => cs.listAlerts({ cursor: '1; DROP TABLE alerts', limit: 10 })).toThrow(expect.objectContaining({ code: 'BAD_CURSOR' }));
    store.close();
  });

  it('pages builds by start time, ties broken by id, and filters by state', () => {
    const { store, cs } = open();
    const insert = store.db.prepare(`INSERT INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us, ended_us, exit_code)
      VALUES (?, 'p', '1', 'j', 'r', 'c', 'h', 'local', 1, ?, ?, ?)`);
    for (let i = 0; i < 120; i++) insert.run(`b${String(i).padStart(3, '0')}`, Math.floor(i / 4), i % 3 === 0 ? null : 100, i % 3 === 1 ? 0 : 1);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = cs.listBuilds({ cursor, limit: 25 });
      ids.push(...page.builds.map((b) => b.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(ids[0]).toBe('b119');
    expect(cs.listBuilds({ state: 'running', limit: 1000 }).builds.every((b) => b.state === 'running')).toBe(true);
    expect(cs.listBuilds({ state: 'running', limit: 1000 }).builds).toHaveLength(40);
    expect(cs.listBuilds({ state: 'succeeded', limit: 1000 }).builds).toHaveLength(40);
    expect(cs.listBuilds({ state: 'failed', limit: 1000 }).builds).toHaveLength(40);
    store.close();
  });

  it('pages past builds whose agent-chosen ids are long (the cursor does not carry the id)', () => {
    const { store, cs } = open();
    const insert = store.db.prepare(`INSERT INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us)
      VALUES (?, 'p', '1', 'j', 'r', 'c', 'h', 'local', 1, 5)`);
    for (let i = 0; i < 6; i++) insert.run(`${String(i)}:${'x'.repeat(4000)}`);
    const first = cs.listBuilds({ limit: 4 });
    expect(first.next!.length).toBeLessThan(40);
    expect(cs.listBuilds({ limit: 4, cursor: first.next! }).builds).toHaveLength(2);
    store.close();
  });

  it('records containment only when an incident is contained, and reopening restarts time to resolve', () => {
    const { store, cs } = open();
    store.db.prepare(`INSERT INTO alerts (id, dedupe_key, build_id, pipeline, run_id, kind, severity, pid, chain, evidence, event_us, created_us)
      VALUES ('a1', 'k1', 'b', 'p', '1', 'encoded_dns_label', 'high', 1, '[]', '{}', 1000, 3000)`).run();
    const inc = cs.openIncident('leak', ['a1'], 'alice', 10_000);
    expect(inc).toMatchObject({ alertCount: 1, timeToDetectMs: 2, buildIds: ['b'], pipelines: ['p'] });
    const closed = cs.setIncidentStatus(inc.id, 'closed', 'alice', 1_003_000);
    expect(closed).toMatchObject({ containedAt: null, timeToResolveMs: 1000 });
    const reopened = cs.setIncidentStatus(inc.id, 'open', 'alice', 2_000_000);
    expect(reopened).toMatchObject({ closedAt: null, timeToResolveMs: null });
    expect(cs.setIncidentStatus(inc.id, 'contained', 'bob', 2_500_000).containedAt).not.toBeNull();
    expect(cs.incidentActions(inc.id).map((a) => a.action)).toEqual(['incident_open', 'incident_status', 'incident_status', 'incident_status']);
    store.close();
  });
});
