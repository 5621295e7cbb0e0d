// One incident: status (open → contained → closed), time to detect and to resolve, notes, its alerts, the
// timeline of everything that happened, and the action log.
import { useState } from 'react';
import type { IncidentDetail, IncidentStatus } from '../api-types';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { asFailure, postAction, type ApiFailure } from '../api';
import { canAct, useOperator } from '../operator';
import { Link } from '../link';
import { encodeSegment, paths } from '../routes';
import { IncidentStatusPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { formatDuration } from '../time-format';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { ErrorState, Loading } from '../states';
import { AlertsTable } from './alerts-table';
import { IncidentTimeline } from './incident-timeline';
import { ActionLog } from './action-log';
import { TokenHint } from './token-hint';

const STATUSES: IncidentStatus[] = ['open', 'contained', 'closed'];

export function IncidentView({ id }: { id: string }) {
  const { state, reload } = useApi<IncidentDetail>(`/api/incidents/${encodeSegment(id)}`);
  const op = useOperator();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const base = `/api/incidents/${encodeSegment(id)}`;

  useStream((m) => {
    if (m.type === 'incident_updated' && m.incident.id === id) reload();
  });

  const act = async (path: string, body: Record<string, unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await postAction(path, body);
      after?.();
      reload();
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  if (state.status === 'loading') return <Loading what="Loading incident" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="incident" />;
  const { incident: inc, alerts, timeline, timelineComplete, actions } = state.data;
  const notes = actions.filter((a) => a.action === 'incident_note');
  const allowed = canAct(op);

  return (
    <div className="view">
      <section className="detail-head">
        <div className="crumbs"><Link to={paths.incidents()}>Incidents</Link> / incident</div>
        <h1 data-testid="incident-title"><TruncatedText text={inc.title} max={160} /></h1>
        <div className="head-line">
          <span>status <IncidentStatusPill status={inc.status} testId="incident-status" /></span>
          <label className="inline-control">
            set status
            <select data-testid="incident-status-select" value={inc.status} disabled={!allowed || busy}
              onChange={(e) => void act(`${base}/status`, { status: e.target.value })}>
              {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <span className="muted">opened <TimeAgo iso={inc.createdAt} /> by <span className="mono">{oneLine(inc.createdBy, 64)}</span></span>
          {inc.containedAt && <span className="muted">contained <TimeAgo iso={inc.containedAt} /></span>}
          {inc.closedAt && <span className="muted">closed <TimeAgo iso={inc.closedAt} /></span>}
        </div>
        <div className="metrics">
          <div className="metric">
            <div className="metric-label">time to detect</div>
            <div className="metric-value" data-testid="incident-ttd">{formatDuration(inc.timeToDetectMs)}</div>
            <div className="metric-sub muted">first suspicious event <TimeAgo iso={inc.firstActivityAt} /> → first alert <TimeAgo iso={inc.detectedAt} /></div>
          </div>
          <div className="metric">
            <div className="metric-label">time to resolve</div>
            <div className="metric-value" data-testid="incident-ttr">{inc.timeToResolveMs === null ? 'not closed yet' : formatDuration(inc.timeToResolveMs)}</div>
            <div className="metric-sub muted">first alert → closed</div>
          </div>
          <div className="metric">
            <div className="metric-label">alerts</div>
            <div className="metric-value">{inc.alertCount}</div>
            <div className="metric-sub muted mono">{oneLine(inc.pipelines.join(', '), 80)}</div>
          </div>
        </div>
        {error && <div className="error-inline" role="alert"><code>{error.code}</code> {error.message}</div>}
        <TokenHint />
      </section>

      <section className="panel">
        <h2>Notes <span className="count">{notes.length}</span></h2>
        {notes.length > 0 && (
          <ul className="notes">
            {notes.map((n) => (
              <li key={n.id}>
                <div className="note-meta"><span className="mono">{oneLine(n.actor, 64)}</span> · <TimeAgo iso={n.at} /></div>
                <div className="note-text"><TruncatedText text={typeof n.detail.text === 'string' ? n.detail.text : ''} max={2000} /></div>
              </li>
            ))}
          </ul>
        )}
        <form className="note-form" onSubmit={(e) => {
          e.preventDefault();
          if (note.trim()) void act(`${base}/notes`, { text: note.trim() }, () => setNote(''));
        }}>
          <textarea data-testid="incident-note-input" rows={2} value={note} maxLength={4000} placeholder="Add a note: what you found, what you did" onChange={(e) => setNote(e.target.value)} />
          <button type="submit" data-testid="incident-note-submit" className="primary" disabled={!allowed || busy || !note.trim()}>Add note</button>
        </form>
      </section>

      <section className="panel">
        <h2>Alerts <span className="count">{alerts.length}</span></h2>
        {alerts.length === 0 ? <div className="muted pad">No alerts.</div> : <AlertsTable alerts={alerts} showPipeline />}
        {inc.buildIds.length > 0 && (
          <div className="builds-links">
            builds: {inc.buildIds.slice(0, 20).map((b) => <Link key={b} to={paths.build(b)} className="mono chip">{oneLine(b, 16)}</Link>)}
            {inc.buildIds.length > 20 && <span className="muted"> +{inc.buildIds.length - 20} more</span>}
          </div>
        )}
      </section>

      <section className="panel">
        <h2>Timeline <span className="count">{timeline.length}</span></h2>
        <IncidentTimeline entries={timeline} complete={timelineComplete} incidentId={inc.id} />
      </section>

      <section className="panel">
        <h2>Action log <span className="count">{actions.length}</span></h2>
        <ActionLog actions={actions} />
      </section>
    </div>
  );
}
