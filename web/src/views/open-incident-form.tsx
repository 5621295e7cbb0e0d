// Opens an incident from one or more alerts: a prefilled title, then POST /api/incidents.
import { useState } from 'react';
import type { IncidentSummary } from '../api-types';
import { asFailure, postAction, type ApiFailure } from '../api';
import { canAct, useOperator } from '../operator';

export function OpenIncidentForm({ alertIds, defaultTitle, onCreated, onCancel }: {
  alertIds: string[]; defaultTitle: string; onCreated: (incident: IncidentSummary) => void; onCancel: () => void;
}) {
  const op = useOperator();
  const [title, setTitle] = useState(defaultTitle);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await postAction<{ incident: IncidentSummary }>('/api/incidents', { title: title.trim(), alertIds });
      onCreated(res.incident);
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="action-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <label>
        Incident title ({alertIds.length} alert{alertIds.length === 1 ? '' : 's'})
        <input type="text" data-testid="incident-title-input" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <div className="form-buttons">
        <button type="submit" className="primary" data-testid="action-submit" disabled={busy || !title.trim() || !canAct(op) || alertIds.length === 0}>
          {busy ? 'Opening…' : 'Open incident'}
        </button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
      {error && <div className="error-inline" role="alert"><code>{error.code}</code> {error.message}</div>}
    </form>
  );
}
