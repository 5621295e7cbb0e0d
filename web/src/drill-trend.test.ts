import { describe, it, expect } from 'vitest';
import type { DrillRecord } from './api-types';
import { drillTrend } from './drill-trend';

const drill = (over: Partial<DrillRecord> = {}, variant: Partial<DrillRecord['variant']> = {}): DrillRecord => ({
  id: 'd1', at: '2025-01-01T00:00:00.000Z',
  variant: { encoding: 'base32', chunk: 'labels:3', paceMs: 0, qtype: 'A', channel: 'build-script', control: false, ...variant },
  passed: true, detected: true, timeToDetectMs: 400, maxTtdMs: 5000, detectors: ['encoded_dns_label'], chainNamesCrate: true, guard: null,
  layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: true, exposed: true }, queries: 7, buildExitCode: 0,
  ...over,
});

describe('drillTrend', () => {
  it('runs oldest to newest, pins undetected drills to the top and breaks the line there', () => {
    const newestFirst = [
      drill({ id: 'c', timeToDetectMs: 1000 }),
      drill({ id: 'ctl' }, { control: true }),
      drill({ id: 'b', detected: false, timeToDetectMs: null }),
      drill({ id: 'a', timeToDetectMs: 6000 }),
    ];
    const t = drillTrend(newestFirst, 106, 50);
    expect(t.controls).toBe(1);
    expect(t.max).toBe(10_000);
    expect(t.marks.map((m) => [m.id, m.kind, m.x, m.y])).toEqual([['a', 'late', 6, 21.2], ['b', 'missed', 53, 6], ['c', 'in-bound', 100, 40.2]]);
    expect(t.line).toBe('M6,21.2M100,40.2');
    expect(t.bound).toBe('M0,25L29.5,25L29.5,25L76.5,25L76.5,25L106,25');
  });
  it('centres a single drill and draws nothing for none', () => {
    expect(drillTrend([drill()], 100, 40).marks[0]?.x).toBe(50);
    expect(drillTrend([], 100, 40)).toEqual({ marks: [], line: '', bound: '', max: 1, controls: 0 });
  });
});
