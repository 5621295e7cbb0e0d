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
});
