// The live chart on the builds page: events and alerts per second over the last ~5 minutes, seeded from
// GET /api/stats and extended by `stats` messages.
import { useMemo, useState } from 'react';
import type { StatsHistory, StatsTick } from '../api-types';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { Sparkline } from '../sparkline';
import { isStatsTick } from '../stream-message';

const WINDOW_MS = 300_000;
const MIN_WINDOW_MS = 60_000;

function keepWindow(ticks: StatsTick[]): StatsTick[] {
  const last = ticks[ticks.length - 1];
  if (!last) return ticks;
  return ticks.filter((t) => t.atMs > last.atMs - WINDOW_MS).slice(-320);
}

export function EventsChart() {
  const seed = useApi<StatsHistory>('/api/stats');
  const [live, setLive] = useState<StatsTick[]>([]);
  useStream((m) => {
    if (m.type === 'stats') setLive((old) => keepWindow([...old.filter((t) => t.atMs < m.tick.atMs), m.tick]));
  });

  const ticks = useMemo(() => {
    const seeded = seed.state.status === 'ok' && Array.isArray(seed.state.data.ticks) ? seed.state.data.ticks.filter(isStatsTick) : [];
    const firstLive = live[0]?.atMs ?? Infinity;
    return keepWindow([...seeded.filter((t) => t.atMs < firstLive).sort((a, b) => a.atMs - b.atMs), ...live]);
  }, [seed.state, live]);

  const t1 = ticks[ticks.length - 1]?.atMs ?? Date.now();
  // The axis spans the history there is (a collector that just started has a minute, not
  // five), from one minute up to five, so a fresh chart is not a sliver at the right edge.
  const t0 = Math.max(t1 - WINDOW_MS, Math.min(ticks[0]?.atMs ?? t1, t1 - MIN_WINDOW_MS));
  const span = Math.round((t1 - t0) / 60_000);
  const last = ticks[ticks.length - 1];
  return (
    <section className="chart-panel" data-testid="events-chart" aria-label="Ingest rate, recent minutes">
      <Sparkline points={ticks.map((t) => ({ t: t.atMs, v: t.events }))} t0={t0} t1={t1} label="events" unit="/s" className="spark-events" />
      <Sparkline points={ticks.map((t) => ({ t: t.atMs, v: t.alerts }))} t0={t0} t1={t1} label="alerts" unit="/s" className="spark-alerts" />
      <div className="chart-meta">
        <div><span className="num">{last?.openBuilds ?? '—'}</span> running builds</div>
        <div className="muted">last {span <= 1 ? 'minute' : `${span} min`}</div>
        {seed.state.status === 'error' && <div className="muted" title={seed.state.error.message}>history unavailable</div>}
      </div>
    </section>
  );
}
