import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '@telltale/proto';
import { mergeTimeline } from './timeline.js';

const at = (atUs: number) => ({ atUs, at: '', buildId: 'b' });

describe('mergeTimeline', () => {
  it('orders by time and, at the same instant, cause before effect', () => {
    const entries: TimelineEntry[] = [
      { type: 'exit', ...at(5), pid: 2, exitCode: 0 },
      { type: 'dns', ...at(5), pid: 2, qname: 'a.test', qtype: 'A', domain: 'a.test', count: 1, baselineKnown: false },
      { type: 'exec', ...at(5), pid: 2, ppid: 1, exe: '/bin/sh', argv: ['sh'], cwd: '/' },
      { type: 'exec', ...at(1), pid: 1, ppid: 0, exe: '/bin/sh', argv: ['sh'], cwd: '/' },
    ];
    expect(mergeTimeline(entries).map((e) => `${e.atUs}:${e.type}`)).toEqual(['1:exec', '5:exec', '5:dns', '5:exit']);
  });
});
