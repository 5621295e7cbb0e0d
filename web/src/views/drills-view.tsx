// Drills, newest first: each `telltale drill` run with its variant, verdict, time to detect against its bound,
// which layers acted and whether the alert named the crate; new runs arrive on the live stream.
import { LoadOlder } from '../load-older';
import type { DrillPage, DrillRecord } from '../api-types';
import { usePagedList } from '../use-paged-list';
import { useStream } from '../live-stream';
import { isDrillRecord } from '../stream-message';
import { drillLayers, drillNamesCrate, drillVariantText } from '../drill-format';
import { TimeAgo } from '../time-ago';
import { formatDuration } from '../time-format';
import { oneLine, showControls } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';
import { DrillTrendChart } from './drill-trend-chart';

const KEYS = { id: (d: DrillRecord) => d.id, order: (d: DrillRecord) => Date.parse(d.at) || 0 };
const pickDrills = (body: unknown) => {
  const p = body as Partial<DrillPage>;
  return { rows: Array.isArray(p.drills) ? p.drills.filter(isDrillRecord) : [], next: typeof p.next === 'string' ? p.next : null, total: null };
};
const LAYER_MARK = { yes: '✓', no: '✗', off: '–' } as const;

export function DrillsView() {
  const list = usePagedList<DrillRecord>('/api/drills', {}, pickDrills, KEYS, 50);
  useStream((m) => {
    if (m.type === 'drill') list.upsert(m.drill, true);
  });

  return (
    <div className="view">
      <div className="view-head">
        <h1>Drills</h1>
        <p className="hint drill-intro">
          <code>telltale drill</code> plays the textbook build-time DNS leak harmlessly (a typosquatted crate's build script sends
          a fake secret to the drill's own DNS server); each run lands here, with how fast telltale caught it and which layers acted.
        </p>
      </div>
      {list.status === 'loading' && <Loading what="Loading drills" />}
      {list.status === 'error' && list.error && <ErrorState error={list.error} onRetry={list.reload} what="drills" />}
      {list.status === 'ok' && list.rows.length === 0 && (
        <Empty>No drills yet. Run <code>telltale drill</code> to play the leak against this collector and see whether it is caught in time.</Empty>
      )}
      {list.status === 'ok' && list.rows.length > 0 && (
        <>
          <DrillTrendChart drills={list.rows} />
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr><th>when</th><th>variant</th><th>verdict</th><th className="r">time to detect</th><th>layers</th><th title="the alert's process chain named the typosquatted crate's build script">alert named crate</th><th className="r">queries</th></tr>
              </thead>
              <tbody>
                {list.rows.map((d) => <DrillRow key={d.id} d={d} />)}
              </tbody>
            </table>
          </div>
          <LoadOlder list={list} />
        </>
      )}
    </div>
  );
}

function DrillRow({ d }: { d: DrillRecord }) {
  const variant = drillVariantText(d.variant);
  const names = drillNamesCrate(d);
  const late = d.timeToDetectMs !== null && d.timeToDetectMs > d.maxTtdMs;
  return (
    <tr data-testid="drill-row" data-drill-id={d.id}>
      <td className="nowrap"><TimeAgo iso={d.at} /></td>
      <td className={d.variant.control ? 'mono nowrap muted' : 'mono nowrap'} title={showControls(`${d.id}: ${variant}`)}>{oneLine(variant, 80)}</td>
      <td><span className={`pill ${d.passed ? 'st-ok' : 'st-failed'}`} data-testid="drill-verdict">{d.passed ? 'passed' : 'failed'}</span></td>
      <td className="r num nowrap">
        {d.variant.control ? <span className="muted" title="a control build leaks nothing">n/a</span> : (
          <>
            {d.timeToDetectMs === null ? <span className="exit-bad">not detected</span>
              : <span className={late ? 'exit-bad' : undefined} title={`${d.timeToDetectMs} ms`}>{formatDuration(d.timeToDetectMs)}</span>}
            <span className="muted"> / ≤ {formatDuration(d.maxTtdMs)}</span>
          </>
        )}
      </td>
      <td className="drill-layers-cell">
        <ul className="drill-layers">
          {drillLayers(d).map((l) => (
            <li key={l.label} className={`layer-${l.state}`}><span className="layer-mark">{LAYER_MARK[l.state]}</span><span>{oneLine(l.label, 120)}</span></li>
          ))}
        </ul>
      </td>
      <td>{names === null ? <span className="muted">—</span> : names ? <span className="known-yes">yes</span> : <span className="known-no">no</span>}</td>
      <td className="r num">{d.queries}</td>
    </tr>
  );
}
