// Turns a time series into SVG path data for the sparkline (pure, so the geometry is tested).

export interface SeriesPoint { t: number; v: number }

const r = (n: number) => Math.round(n * 10) / 10;

/**
 * Line path for points over the time window [t0, t1], scaled so `max` touches the top.
 * A gap of more than `gapMs` between points starts a new segment instead of drawing across it.
 */
export function sparklinePath(points: SeriesPoint[], t0: number, t1: number, max: number, width: number, height: number, gapMs = 5000): string {
  if (points.length === 0 || t1 <= t0) return '';
  const top = max > 0 ? max : 1;
  let d = '';
  let prevT: number | null = null;
  for (const p of points) {
    if (p.t < t0 || p.t > t1) continue;
    const x = r(((p.t - t0) / (t1 - t0)) * width);
    const y = r(height - (Math.max(0, Math.min(p.v, top)) / top) * (height - 1) - 0.5);
    d += `${prevT === null || p.t - prevT > gapMs ? 'M' : 'L'}${x},${y}`;
    prevT = p.t;
  }
  return d;
}

/** A "nice" axis maximum at or above the data's maximum (1, 2, 5 × 10^n). */
export function niceMax(values: number[]): number {
  const m = values.reduce((a, b) => (b > a ? b : a), 0);
  if (m <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(m));
  for (const f of [1, 2, 5, 10]) if (f * mag >= m) return f * mag;
  return 10 * mag;
}
