// Incidents, newest first: status, size, pipelines, and how fast they were detected and resolved.
import { LoadOlder } from '../load-older';
import type { IncidentPage, IncidentSummary } from '../api-types';
import { usePagedList } from '../use-paged-list';
import { useStream } from '../live-stream';
import { navigate, setQueryParams, useQueryParams } from '../router';
import { paths } from '../routes';
import { Link } from '../link';
import { IncidentStatusPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { formatDuration } from '../time-format';
import { oneLine, showControls } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';

const KEYS = { id: (i: IncidentSummary) => i.id, order: (i: IncidentSummary) => Date.parse(i.createdAt) || 0 };
const pickIncidents = (body: unknown) => {
  const p = body as Partial<IncidentPage>;
  return { rows: Array.isArray(p.incidents) ? p.incidents : [], next: typeof p.next === 'string' ? p.next : null, total: null };
};

export function IncidentsView() {
  const q = useQueryParams();
  const status = q.get('status') ?? '';
  const list = usePagedList<IncidentSummary>('/api/incidents', { status }, pickIncidents, KEYS, 100);
  useStream((m) => {
    if (m.type === 'incident_updated') list.upsert(m.incident, !status || m.incident.status === status);
  });

  return (
    <div className="view">
      <div className="view-head">
        <h1>Incidents</h1>
        <div className="filters">
          <label>
            status
            <select value={status} onChange={(e) => setQueryParams({ status: e.target.value })} data-testid="incidents-filter-status">
              <option value="">any</option>
              <option value="open">open</option>
              <option value="contained">contained</option>
              <option value="closed">closed</option>
            </select>
          </label>
        </div>
      </div>
      {list.status === 'loading' && <Loading what="Loading incidents" />}
      {list.status === 'error' && list.error && <ErrorState error={list.error} onRetry={list.reload} what="incidents" />}
      {list.status === 'ok' && list.rows.length === 0 && (
        <Empty>
          {status ? `No ${status} incidents.` : 'No incidents yet.'} Open one from an alert's page, or select alerts on the{' '}
          <Link to={paths.alerts()}>Alerts</Link> page and choose "Open incident from selected".
        </Empty>
      )}
      {list.status === 'ok' && list.rows.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr><th>title</th><th>status</th><th className="r">alerts</th><th>pipelines</th><th className="r">time to detect</th><th className="r">time to resolve</th><th>created</th><th>by</th></tr>
              </thead>
              <tbody>
                {list.rows.map((i) => (
                  <tr key={i.id} className="row-link" data-testid="incident-row" data-incident-id={i.id}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest('a, button')) return;
                      navigate(paths.incident(i.id));
                    }}>
                    <td className="cell-clip-wide" title={showControls(i.title)}><Link to={paths.incident(i.id)}>{oneLine(i.title, 100)}</Link></td>
                    <td><IncidentStatusPill status={i.status} /></td>
                    <td className="r num">{i.alertCount}</td>
                    <td className="mono cell-clip" title={showControls(i.pipelines.join(', '))}>{oneLine(i.pipelines.join(', '), 60)}</td>
                    <td className="r num">{formatDuration(i.timeToDetectMs)}</td>
                    <td className="r num">{i.timeToResolveMs === null ? <span className="muted">open</span> : formatDuration(i.timeToResolveMs)}</td>
                    <td className="nowrap"><TimeAgo iso={i.createdAt} /></td>
                    <td className="mono cell-clip">{oneLine(i.createdBy, 32)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadOlder list={list} />
        </>
      )}
    </div>
  );
}
