import { describe, expect, it } from 'vitest';
import { BuildRegistry } from './build-registry.js';
import { ProcessTree } from './process-tree.js';
import { AnswerCache } from './answer-cache.js';
import type { BuildState } from './ingest-types.js';

const build = (id: string, lastEventUs = 0): BuildState => ({
  context: { buildId: id, pipeline: 'p', runId: '', job: '', repo: '', commit: '', agentHost: '', ciProvider: '' },
  rootPid: 1, startedUs: 0, endedUs: null, exitCode: null, lastEventUs, tree: new ProcessTree(1),
  counts: { processes: 0, dns: 0, connects: 0, alerts: 0, lost: 0 }, answersSeen: false, answers: new AnswerCache(4),
  alertKeys: new Set(), domains: new Set(), seenQueries: new Map(),
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
});
