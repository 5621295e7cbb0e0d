// Time to detect across the drills on the page, oldest to newest: dots within the bound, amber past it,
// a red cross for a leak that was never detected; the dashed line is each drill's bound.
import { showControls } from '../visible-text';
import type { DrillRecord } from '../api-types';
import { drillTrend } from '../drill-trend';
import { formatDuration } from '../time-format';

const W = 480;
const H = 84;

export function DrillTrendChart({ drills }: { drills: DrillRecord[] }) {
  const t = drillTrend(drills, W, H);
  const missed = t.marks.filter((m) => m.kind === 'missed').length;
  const late = t.marks.filter((m) => m.kind === 'late').length;
  const last = t.marks[t.marks.length - 1];
  return (
    <section className="chart-panel" data-testid="drill-trend" aria-label="Time to detect, oldest to newest drill">
      <figure className="spark drill-trend">
        <figcaption>
          <span className="spark-label">time to detect</span>
          <span className="spark-now num">{last ? (last.ttdMs === null ? 'missed' : formatDuration(last.ttdMs)) : '—'}</span>
          <span className="muted">latest · {t.marks.length} leak drill{t.marks.length === 1 ? '' : 's'}, oldest → newest</span>
        </figcaption>
        <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img"
          aria-label={`${t.marks.length} drills: ${missed} not detected, ${late} past the bound`}>
          <line x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} className="spark-axis" />
          <path d={t.bound} className="drill-bound" />
          <path d={t.line} className="spark-line drill-line" />
          {t.marks.map((m) => m.kind === 'missed' ? (
            <path key={m.id} d={`M${m.x - 4},${m.y - 4}L${m.x + 4},${m.y + 4}M${m.x - 4},${m.y + 4}L${m.x + 4},${m.y - 4}`} className="drill-missed">
              <title>{`${showControls(m.id)}: not detected (bound ${formatDuration(m.boundMs)})`}</title>
            </path>
          ) : (
            <circle key={m.id} cx={m.x} cy={m.y} r={3.5} className={m.kind === 'late' ? 'drill-late' : 'drill-ok'}>
              <title>{`${showControls(m.id)}: ${formatDuration(m.ttdMs)} (bound ${formatDuration(m.boundMs)})`}</title>
            </circle>
          ))}
        </svg>
        <div className="spark-scale muted">top {formatDuration(t.max)}</div>
      </figure>
      <div className="chart-meta">
        <div><span className="drill-key drill-ok-key">●</span> within the bound</div>
        <div><span className="drill-key drill-late-key">●</span> past the bound <span className="num">{late}</span></div>
        <div><span className="drill-key drill-missed-key">✕</span> not detected <span className="num">{missed}</span></div>
        <div className="muted"><span className="drill-key">╌</span> bound{last ? ` ≤ ${formatDuration(last.boundMs)}` : ''}{t.controls ? ` · ${t.controls} control build${t.controls === 1 ? '' : 's'} not plotted` : ''}</div>
      </div>
    </section>
  );
}
