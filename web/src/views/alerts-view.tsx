// All alerts, newest first, in a virtual list paged 200 at a time as the user scrolls; filters in the query
// string; new alerts prepend live and status changes update rows; select several to open an incident.
import { useCallback, useMemo, useState } from 'react';
import type { Alert, AlertPage, PipelineList } from '../api-types';
import { usePagedList } from '../use-paged-list';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { navigate, setQueryParams, useQueryParams } from '../router';
import { paths } from '../routes';
import { alertMatches, type AlertFilter } from '../filters';
import { canAct, useOperator } from '../operator';
import { VirtualList } from '../virtual-list';
import { AlertStatusPill, SeverityPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { Link } from '../link';
import { alertPackage, alertTarget } from '../alert-target';
import { ALERT_KINDS, alertKindLabel } from '../alert-kinds';
import { oneLine, showControls } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';
import { OpenIncidentForm } from './open-incident-form';
import { TokenHint } from './token-hint';

const KEYS = { id: (a: Alert) => a.id, order: (a: Alert) => a.createdAtUs };
const pickAlerts = (body: unknown) => {
  const p = body as Partial<AlertPage>;
  return {
    rows: Array.isArray(p.alerts) ? p.alerts : [],
    next: typeof p.next === 'string' ? p.next : null,
    total: typeof p.total === 'number' ? p.total : null,
  };
};
const ROW_HEIGHT = 30;

export function AlertsView() {
  const q = useQueryParams();
  const filter: AlertFilter = { status: q.get('status') ?? '', severity: q.get('severity') ?? '', kind: q.get('kind') ?? '', pipeline: q.get('pipeline') ?? '' };
  const list = usePagedList<Alert>('/api/alerts', { ...filter }, pickAlerts, KEYS, 200);
  const pipelines = useApi<PipelineList>('/api/pipelines');
  const op = useOperator();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [opening, setOpening] = useState(false);

  useStream((m) => {
    if (m.type !== 'alert' && m.type !== 'alert_updated') return;
    const matches = alertMatches(m.alert, filter);
    const wasIn = list.rows.some((a) => a.id === m.alert.id);
    // New alerts count when they match; an update changes membership only through the status filter.
    const delta = m.type === 'alert' ? (matches && !wasIn ? 1 : 0) : filter.status ? Number(matches) - Number(wasIn) : 0;
    list.upsert(m.alert, matches, delta);
    // An alert not loaded here changed status: whether it left or entered the filter is the server's to say.
    if (m.type === 'alert_updated' && filter.status && !wasIn) list.recount();
  });

  const pipelineNames = useMemo(() => {
    const names = new Set<string>();
    if (pipelines.state.status === 'ok' && Array.isArray(pipelines.state.data.pipelines)) for (const p of pipelines.state.data.pipelines) names.add(p.pipeline);
    if (filter.pipeline) names.add(filter.pipeline);
    return [...names].sort();
  }, [pipelines.state, filter.pipeline]);
  const kinds = useMemo(() => [...new Set([...ALERT_KINDS, ...list.rows.map((a) => a.kind), ...(filter.kind ? [filter.kind] : [])])].sort(), [list.rows, filter.kind]);

  const toggle = useCallback((id: string) => setSelected((old) => {
    const next = new Set(old);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }), []);

  const rows = list.rows;
  const { loadMore } = list;
  const onNearEnd = useCallback(() => {
    if (list.next && !list.loadingMore && !list.moreError) loadMore();
  }, [list.next, list.loadingMore, list.moreError, loadMore]);

  const itemKey = useCallback((i: number) => rows[i]?.id ?? '', [rows]);
  const selectedAlerts = rows.filter((a) => selected.has(a.id));
  const defaultTitle = selectedAlerts.length
    ? `${[...new Set(selectedAlerts.map((a) => a.kind))].join(', ')} in ${[...new Set(selectedAlerts.map((a) => a.pipeline))].join(', ')}`.slice(0, 200)
    : '';
  const filtered = Object.values(filter).some((v) => v !== '');
  const clear = () => setQueryParams({ status: '', severity: '', kind: '', pipeline: '' });

  return (
    <div className="view view-fill">
      <div className="view-head">
        <h1>Alerts</h1>
        <span className="total" data-testid="alerts-total">{(list.total ?? (list.status === 'ok' ? rows.length : null))?.toLocaleString('en-US') ?? '…'} {filtered ? 'matching' : 'alerts'}</span>
        <div className="filters">
          <FilterSelect label="status" value={filter.status} options={['open', 'acknowledged', 'resolved', 'false_positive']} onChange={(v) => setQueryParams({ status: v })} />
          <FilterSelect label="severity" value={filter.severity} options={['critical', 'high', 'medium', 'low']} onChange={(v) => setQueryParams({ severity: v })} />
          <FilterSelect label="kind" value={filter.kind} options={kinds} optionText={kindOption} onChange={(v) => setQueryParams({ kind: v })} />
          <FilterSelect label="pipeline" value={filter.pipeline} options={pipelineNames} onChange={(v) => setQueryParams({ pipeline: v })} />
          {filtered && <button type="button" className="link-button" onClick={clear}>clear filters</button>}
        </div>
      </div>
      <div className="selection-bar">
        <span className="muted">{selected.size} selected</span>
        <button type="button" data-testid="open-incident-selected" disabled={selected.size === 0 || !canAct(op)} onClick={() => setOpening(true)}>
          Open incident from selected
        </button>
        {selected.size > 0 && <button type="button" className="link-button" onClick={() => setSelected(new Set())}>clear selection</button>}
        <TokenHint />
      </div>
      {opening && selected.size > 0 && (
        <OpenIncidentForm
          alertIds={[...selected]}
          defaultTitle={defaultTitle || `${selected.size} alerts`}
          onCancel={() => setOpening(false)}
          onCreated={(inc) => navigate(paths.incident(inc.id))}
        />
      )}
      {list.status === 'loading' && <Loading what="Loading alerts" />}
      {list.status === 'error' && list.error && <ErrorState error={list.error} onRetry={list.reload} what="alerts" />}
      {list.status === 'ok' && rows.length === 0 && (
        filtered
          ? <Empty>No alerts match this filter. <button type="button" className="link-button" onClick={clear}>Clear the filter</button> to see all alerts.</Empty>
          : <Empty>No alerts. Alerts appear here live when a build does something suspicious; run builds under <code>telltale run -- &lt;command&gt;</code>.</Empty>
      )}
      {list.status === 'ok' && rows.length > 0 && (
        <VirtualList
          className="alerts-list"
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          onNearEnd={onNearEnd}
          itemKey={itemKey}
          header={
            <div className="alert-grid vhead" role="row">
              <span /><span>severity</span><span>kind</span><span>status</span><span>pipeline</span><span>package</span><span>domain / qname / address</span><span>age</span>
            </div>
          }
          footer={
            <div className="list-foot">
              {list.loadingMore && <span className="muted">Loading more…</span>}
              {list.moreError && <><span className="error-inline">{list.moreError.code}: {list.moreError.message}</span><button type="button" onClick={list.loadMore}>Retry</button></>}
              {!list.next && <span className="muted">End of list: {rows.length} alerts.</span>}
            </div>
          }
          renderRow={(i) => {
            const a = rows[i]!;
            return <AlertRow alert={a} selected={selected.has(a.id)} onToggle={toggle} />;
          }}
        />
      )}
    </div>
  );
}

function AlertRow({ alert: a, selected, onToggle }: { alert: Alert; selected: boolean; onToggle: (id: string) => void }) {
  const target = alertTarget(a);
  const pkg = alertPackage(a);
  return (
    <div
      className={`alert-grid arow${selected ? ' selected' : ''} status-${a.status === 'open' ? 'open' : 'other'}`}
      data-testid="alert-row"
      data-alert-id={a.id}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a, button, input, label')) return;
        navigate(paths.alert(a.id));
      }}
    >
      <label className="cb" title="select">
        <input type="checkbox" data-testid="alert-select" checked={selected} onChange={() => onToggle(a.id)} aria-label="select alert" />
      </label>
      <span><SeverityPill severity={a.severity} /></span>
      <span className="mono clip" title={alertKindLabel(a.kind)}><Link to={paths.alert(a.id)}>{oneLine(a.kind, 40)}</Link></span>
      <span><AlertStatusPill status={a.status} /></span>
      <span className="mono clip" title={showControls(a.pipeline)}>{oneLine(a.pipeline, 60)}</span>
      <span className="mono clip" title={showControls(pkg)} data-testid="alert-package">{pkg ? oneLine(pkg, 80) : <span className="muted">—</span>}</span>
      <span className="mono clip" title={showControls(target)}>{oneLine(target, 160)}</span>
      <span className="clip"><TimeAgo iso={a.createdAt} /></span>
    </div>
  );
}

/** `look-alike package (typosquat_package)`: what a person reads first, the kind the API filters by after. */
const kindOption = (kind: string) => (alertKindLabel(kind) === kind ? kind : `${alertKindLabel(kind)} (${kind})`);

function FilterSelect({ label, value, options, optionText, onChange }: {
  label: string; value: string; options: string[]; optionText?: (v: string) => string; onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`alerts-filter-${label}`}>
        <option value="">any</option>
        {options.map((o) => <option key={o} value={o}>{oneLine(optionText ? optionText(o) : o, 60)}</option>)}
      </select>
    </label>
  );
}
