// The alert page's actions: Acknowledge, Resolve (with a reason), Mark false positive (reason, and optionally
// allow the domain for the pipeline), Reopen, Open incident (then go to it). Each calls the API; the page re-fetches after.
import { useState } from 'react';
import type { Alert } from '../api-types';
import { asFailure, postAction, type ApiFailure } from '../api';
import { canAct, useOperator } from '../operator';
import { oneLine } from '../visible-text';
import { navigate } from '../router';
import { encodeSegment, paths } from '../routes';
import { OpenIncidentForm } from './open-incident-form';
import { TokenHint } from './token-hint';

type Form = null | 'resolve' | 'false_positive' | 'incident';

export function AlertActions({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const op = useOperator();
  const allowed = canAct(op);
  const [form, setForm] = useState<Form>(null);
  const [reason, setReason] = useState('');
  const [allowDomain, setAllowDomain] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const base = `/api/alerts/${encodeSegment(alert.id)}`;
  const s = alert.status;

  const run = async (path: string, body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await postAction(path, body);
      setForm(null);
      setReason('');
      setAllowDomain(false);
      onDone();
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };
  const open = (f: Form) => {
    setError(null);
    setForm(form === f ? null : f);
  };

  const title = `${alert.kind}${alert.domain ? `: ${oneLine(alert.domain, 80)}` : alert.address ? `: ${oneLine(alert.address, 60)}` : ''} in ${oneLine(alert.pipeline, 80)}`;
  return (
    <div className="alert-actions">
      <div className="action-buttons">
        <button type="button" data-testid="action-acknowledge" disabled={!allowed || busy || s !== 'open'} onClick={() => void run(`${base}/acknowledge`, {})}>Acknowledge</button>
        <button type="button" data-testid="action-resolve" disabled={!allowed || busy || s === 'resolved' || s === 'false_positive'} onClick={() => open('resolve')} aria-pressed={form === 'resolve'}>Resolve…</button>
        <button type="button" data-testid="action-false-positive" disabled={!allowed || busy || s === 'false_positive' || s === 'resolved'} onClick={() => open('false_positive')} aria-pressed={form === 'false_positive'}>Mark false positive…</button>
        <button type="button" data-testid="action-reopen" disabled={!allowed || busy || s === 'open'} onClick={() => void run(`${base}/reopen`, {})}>Reopen</button>
        <button type="button" data-testid="action-open-incident" disabled={!allowed || busy || alert.incidentId !== null} onClick={() => open('incident')} aria-pressed={form === 'incident'}
          title={alert.incidentId ? 'This alert already belongs to an incident' : undefined}>Open incident…</button>
      </div>
      <TokenHint />
      {(form === 'resolve' || form === 'false_positive') && (
        <form className="action-form" onSubmit={(e) => {
          e.preventDefault();
          if (form === 'resolve') void run(`${base}/resolve`, { reason: reason.trim() });
          else void run(`${base}/false-positive`, { reason: reason.trim(), allowDomain: alert.domain !== null && allowDomain });
        }}>
          <label>
            {form === 'resolve' ? 'Why is it resolved? (required)' : 'Why is it a false positive? (required)'}
            <textarea data-testid="action-reason" value={reason} rows={3} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </label>
          {form === 'false_positive' && alert.domain !== null && (
            <label className="check">
              <input type="checkbox" data-testid="allow-domain" checked={allowDomain} onChange={(e) => setAllowDomain(e.target.checked)} />
              <span>allow <b className="mono">{oneLine(alert.domain, 120)}</b> for pipeline <b className="mono">{oneLine(alert.pipeline, 120)}</b> (the baseline learns it, and its builds stop raising <b className="mono">{oneLine(alert.kind, 40)}</b> alerts on it; other kinds still fire; reopening takes it back)</span>
            </label>
          )}
          <div className="form-buttons">
            <button type="submit" className="primary" data-testid="action-submit" disabled={busy || !reason.trim() || !allowed}>
              {busy ? 'Saving…' : form === 'resolve' ? 'Resolve' : 'Mark false positive'}
            </button>
            <button type="button" onClick={() => setForm(null)}>Cancel</button>
          </div>
        </form>
      )}
      {form === 'incident' && (
        <OpenIncidentForm alertIds={[alert.id]} defaultTitle={title.slice(0, 200)} onCancel={() => setForm(null)} onCreated={(incident) => navigate(paths.incident(incident.id))} />
      )}
      {error && <div className="error-inline" role="alert"><code>{error.code}</code> {error.message}</div>}
    </div>
  );
}
