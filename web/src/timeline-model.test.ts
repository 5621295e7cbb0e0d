import { describe, it, expect } from 'vitest';
import type { TimelineEntry } from './api-types';
import { placeTimeline, countByType, TIMELINE_TYPES } from './timeline-model';

const e = (type: 'exit' | 'dns', atUs: number): TimelineEntry => type === 'exit'
  ? { type, atUs, at: '', buildId: 'b', pid: 1, exitCode: 0 }
  : { type, atUs, at: '', buildId: 'b', pid: 1, qname: 'q', qtype: 'A', domain: null, count: 1, baselineKnown: false };

describe('placeTimeline', () => {
  it('sorts oldest first and offsets from the first entry, even when it is filtered out', () => {
    const placed = placeTimeline([e('dns', 3_000), e('exit', 1_000), e('dns', 2_500)], new Set(['dns']));
    expect(placed.map((p) => p.offsetUs)).toEqual([1_500, 2_000]);
  });
  it('keeps every type when all are shown', () => {
    expect(placeTimeline([e('dns', 1), e('exit', 1)], new Set(TIMELINE_TYPES)).map((p) => p.entry.type)).toEqual(['dns', 'exit']);
  });
});

describe('countByType', () => {
  it('counts entries per type', () => {
    expect(countByType([e('dns', 1), e('dns', 2), e('exit', 3)])).toMatchObject({ dns: 2, exit: 1, exec: 0 });
  });
});
