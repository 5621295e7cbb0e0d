import { describe, expect, it } from 'vitest';
import { BuildRegistry } from './build-registry.js';
import { ProcessTree } from './process-tree.js';
import { AnswerCache } from './answer-cache.js';
import type { BuildState } from './ingest-types.js';

const build = (id: string, lastEventUs = 0): BuildState => ({
  context: { buildId: id, pipeline: 'p', runId: '', job: '', repo: '', commit: '', agentHost: '', ciProvider: '' },
  rootPid: 1, startedUs: 0, endedUs: null, exitCode: null, lastEventUs, tree: new ProcessTree(1),
  counts: { processes: 0, dns: 0, connects: 0, alerts: 0, lost: 0 }, answersSeen: false, answers: new AnswerCache(4),
  alertKeys: new Set(), domains: new Set(), seenQueries: new Map(), scriptTools: new Set(), teaches: false,
});
const minute = 60_000_000;

describe('BuildRegistry', () => {
  it('counts open builds through adds, ends, evictions and expiries', () => {
    const r = new BuildRegistry(2, [build('a')]);
    r.add(build('b'));
    expect(r.openCount).toBe(2);
    r.add(build('c'));
    expect(r.has('a')).toBe(false);
    expect(r.openCount).toBe(2);
    const b = r.get('b')!;
    b.endedUs = 5;
    r.markEnded(b, 0);
    expect(r.openCount).toBe(1);
    r.forget(14 * minute);
    expect(r.has('b')).toBe(true);
    r.forget(16 * minute);
    expect(r.has('b')).toBe(false);
    expect(r.has('c')).toBe(true);
    r.forget(25 * 60 * minute);
    expect(r.has('c')).toBe(false);
    expect(r.openCount).toBe(0);
  });

  it('lets an ended build go before an open one, and hands back an open build it had to evict', () => {
    const r = new BuildRegistry(2);
    r.add(build('open'));
    const e = build('ended');
    r.add(e);
    e.endedUs = 1;
    r.markEnded(e, 0);
    expect(r.add(build('next'))).toBeNull();
    expect([r.has('open'), r.has('ended'), r.has('next')]).toEqual([true, false, true]);
    expect(r.add(build('third'))?.context.buildId).toBe('open');
    expect(r.openCount).toBe(2);
  });

  it('takes back recently ended builds at start, with a fresh grace', () => {
    const ended = build('ended');
    ended.endedUs = 5;
    const r = new BuildRegistry(10, [build('open'), ended], 100 * minute);
    expect(r.openCount).toBe(1);
    r.forget(110 * minute);
    expect(r.has('ended')).toBe(true);
    r.forget(116 * minute);
    expect(r.has('ended')).toBe(false);
  });
});
