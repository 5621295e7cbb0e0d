// Geometry of the drills' time-to-detect trend (pure, so it is tested): one mark per leaking drill,
// oldest to newest, the detection bound as a step line, undetected drills pinned to the top.
import type { DrillRecord } from './api-types';
import { niceMax } from './sparkline-path';

export interface TrendMark { id: string; x: number; y: number; kind: 'in-bound' | 'late' | 'missed'; ttdMs: number | null; boundMs: number }
export interface Trend { marks: TrendMark[]; line: string; bound: string; max: number; controls: number }

const r = (n: number) => Math.round(n * 10) / 10;

/** `newestFirst` as the list shows it; control drills leak nothing, so they have no time to detect and are only counted. */
export function drillTrend(newestFirst: DrillRecord[], width: number, height: number, pad = 6): Trend {
  const leaks = newestFirst.filter((d) => !d.variant.control).reverse();
  const controls = newestFirst.length - leaks.length;
  const max = niceMax(leaks.flatMap((d) => (d.timeToDetectMs === null ? [d.maxTtdMs] : [d.timeToDetectMs, d.maxTtdMs])));
  const xAt = (i: number) => r(leaks.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (leaks.length - 1));
  const yAt = (v: number) => r(height - pad - (Math.max(0, Math.min(v, max)) / max) * (height - 2 * pad));
  const marks = leaks.map((d, i): TrendMark => {
    const ttd = d.detected ? d.timeToDetectMs : null;
    const kind = ttd === null ? 'missed' : ttd <= d.maxTtdMs ? 'in-bound' : 'late';
    return { id: d.id, x: xAt(i), y: ttd === null ? pad : yAt(ttd), kind, ttdMs: ttd, boundMs: d.maxTtdMs };
  });
  // The line joins detected drills; an undetected one breaks it rather than pulling it to the top.
  let line = '';
  let joined = false;
  for (const m of marks) {
    if (m.kind === 'missed') joined = false;
    else {
      line += `${joined ? 'L' : 'M'}${m.x},${m.y}`;
      joined = true;
    }
  }
  // The bound per drill, held half-way to each neighbour so a changed bound shows as a step.
  let bound = '';
  marks.forEach((m, i) => {
    const y = yAt(m.boundMs);
    const prev = marks[i - 1];
    const next = marks[i + 1];
    const left = prev ? r((prev.x + m.x) / 2) : 0;
    const right = next ? r((m.x + next.x) / 2) : width;
    bound += `${i === 0 ? 'M' : 'L'}${left},${y}L${right},${y}`;
  });
  return { marks, line, bound, max, controls };
}
