// A small SVG sparkline of one series over a time window, with its current and peak value.
import { niceMax, sparklinePath, type SeriesPoint } from './sparkline-path';

export function Sparkline({ points, t0, t1, label, unit, className, width = 300, height = 36 }: {
  points: SeriesPoint[]; t0: number; t1: number; label: string; unit: string; className: string; width?: number; height?: number;
}) {
  const values = points.map((p) => p.v);
  const max = niceMax(values);
  const d = sparklinePath(points, t0, t1, max, width, height);
  const last = values[values.length - 1] ?? 0;
  const peak = values.reduce((a, b) => Math.max(a, b), 0);
  return (
    <figure className={`spark ${className}`}>
      <figcaption>
        <span className="spark-label">{label}</span>
        <span className="spark-now num">{fmt(last)}</span>
        <span className="muted">{unit} · peak {fmt(peak)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${label}: now ${fmt(last)}, peak ${fmt(peak)}`} preserveAspectRatio="none">
        <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="spark-axis" />
        <line x1={0} x2={width} y1={0.5} y2={0.5} className="spark-grid" />
        <path d={d} className="spark-line" />
      </svg>
      <div className="spark-scale muted">max {fmt(max)}</div>
    </figure>
  );
}

function fmt(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 100 ? n.toFixed(0) : String(Math.round(n * 10) / 10);
}
