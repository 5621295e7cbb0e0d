// One alert: what fired and why (decoded query, the package behind it, evidence), which processes did it,
// its build and incident, the actions taken, and the buttons to act.
import { oneLine } from '../visible-text';
import type { AlertDetail } from '../api-types';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { Link } from '../link';
import { encodeSegment, paths } from '../routes';
import { AlertStatusPill, BuildStatePill, IncidentStatusPill, SeverityPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { KeyValueList } from '../key-value-list';
import { ErrorState, Loading } from '../states';
import { DecodedLabels } from './decoded-labels';
import { ProcessChain } from './process-chain';
import { ActionLog } from './action-log';
import { AlertActions } from './alert-actions';
import { AlertsTable } from './alerts-table';
import { PackageBlock } from './package-block';
import { packageFacts, shownByPackageBlock } from '../package-evidence';
import { alertKindLabel } from '../alert-kinds';

export function AlertView({ id }: { id: string }) {
  const { state, reload } = useApi<AlertDetail>(`/api/alerts/${encodeSegment(id)}`);
  useStream((m) => {
    // Someone else acted on it: show the new status and log entry.
    if (m.type === 'alert_updated' && m.alert.id === id) reload();
  });

  if (state.status === 'loading') return <Loading what="Loading alert" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="alert" />;
  const { alert: a, build, buildAlerts, decoded, actions, incident, domainAllowed } = state.data;
  const pkg = packageFacts(a);
  const evidence = pkg ? withoutKeys(a.evidence ?? {}, shownByPackageBlock(a.kind)) : a.evidence ?? {};

  return (
    <div className="view">
      <section className="detail-head">
        <div className="crumbs"><Link to={paths.alerts()}>Alerts</Link> / alert</div>
        <h1 data-testid="alert-title">
          <SeverityPill severity={a.severity} /> <span className="mono">{a.kind}</span>
          {alertKindLabel(a.kind) !== a.kind && <span className="kind-label">{alertKindLabel(a.kind)}</span>}
          <span className="muted"> in </span>
          <Link to={paths.pipeline(a.pipeline)} className="mono"><TruncatedText text={a.pipeline} max={80} /></Link>
        </h1>
        <div className="head-line">
          <span>status <AlertStatusPill status={a.status} testId="alert-status" /></span>
          {a.statusChangedAt && <span className="muted">changed <TimeAgo iso={a.statusChangedAt} /></span>}
          <span className="muted">event <TimeAgo iso={a.eventAt} /></span>
          <span className="muted">raised <TimeAgo iso={a.createdAt} /></span>
          {domainAllowed && <span className="pill st-resolved">{oneLine(a.kind, 40)} allowed on this domain for this pipeline</span>}
        </div>
        <dl className="facts">
          {a.qname !== null && <div className="wide"><dt>qname</dt><dd className="mono qname" data-testid="alert-qname"><TruncatedText text={a.qname} /></dd></div>}
          {a.domain !== null && <div><dt>domain</dt><dd className="mono"><TruncatedText text={a.domain} max={80} /></dd></div>}
          {a.address !== null && <div><dt>address</dt><dd className="mono"><TruncatedText text={a.address} max={80} /></dd></div>}
          <div><dt>pid</dt><dd className="num">{a.pid}</dd></div>
          <div><dt>run</dt><dd className="mono"><TruncatedText text={a.runId} max={60} /></dd></div>
          <div>
            <dt>build</dt>
            <dd>
              <Link to={paths.build(a.buildId)} testId="alert-build-link">open build</Link>
              {build && <> <BuildStatePill state={build.state} /> <span className="muted">started <TimeAgo iso={build.startedAt} /></span></>}
            </dd>
          </div>
          <div>
            <dt>incident</dt>
            <dd>
              {incident
                ? <><Link to={paths.incident(incident.id)} testId="alert-incident-link"><TruncatedText text={incident.title} max={80} /></Link> <IncidentStatusPill status={incident.status} /></>
                : a.incidentId
                  ? <Link to={paths.incident(a.incidentId)} testId="alert-incident-link">open incident</Link>
                  : <span className="muted">none</span>}
            </dd>
          </div>
        </dl>
      </section>

      <section className="panel">
        <h2>Actions</h2>
        <AlertActions alert={a} onDone={reload} />
      </section>

      {pkg && (
        <section className="panel">
          <h2>{pkg.lookAlike ? 'Look-alike package' : 'Package'}</h2>
          <PackageBlock pkg={pkg} />
        </section>
      )}

      {decoded && decoded.labels.length > 0 && (
        <section className="panel">
          <h2>Decoded query</h2>
          <DecodedLabels decoded={decoded} />
        </section>
      )}

      <section className="panel">
        <h2>Evidence</h2>
        {pkg && Object.keys(evidence).length === 0 ? <span className="muted">All of it is shown above.</span> : <KeyValueList value={evidence} />}
      </section>

      <section className="panel">
        <h2>Process chain</h2>
        <ProcessChain chain={a.chain} alertPid={a.pid} />
      </section>

      <section className="panel">
        <h2>Action log <span className="count">{actions.length}</span></h2>
        <ActionLog actions={actions} />
      </section>

      <section className="panel">
        <h2>Other alerts in this build <span className="count">{buildAlerts.length}</span></h2>
        {buildAlerts.length === 0 ? <div className="muted pad">None.</div> : <AlertsTable alerts={buildAlerts} />}
      </section>
    </div>
  );
}

function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
