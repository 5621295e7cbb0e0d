// One build: its context, its alerts, its dependencies (lockfiles and what changed), what it used beyond its
// pipeline's baseline, its process tree (alert paths open, build scripts naming their package), DNS names and connections.
import type { BuildDetail } from '../api-types';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { Link } from '../link';
import { encodeSegment, paths } from '../routes';
import { BuildStatePill } from '../pills';
import { BuildDuration, TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { Empty, ErrorState, Loading } from '../states';
import { ProcessTree } from './process-tree';
import { ConnectsTable, DnsTable } from './traffic-tables';
import { AlertsTable } from './alerts-table';
import { BuildBaselineDiffPanel } from './build-baseline-diff';
import { BuildDependencies } from './build-dependencies';

export function BuildView({ id }: { id: string }) {
  const { state, reload, setData } = useApi<BuildDetail>(`/api/builds/${encodeSegment(id)}`);

  useStream((m) => {
    if (m.type === 'build' && m.build.id === id) {
      const ended = state.status === 'ok' && state.data.build.state === 'running' && m.build.state !== 'running';
      setData((d) => ({ ...d, build: m.build }));
      // The tree and tables are not streamed: fetch them again once the build has finished.
      if (ended) reload();
    }
    if ((m.type === 'alert' || m.type === 'alert_updated') && m.alert.buildId === id) {
      setData((d) => (d.alerts.some((a) => a.id === m.alert.id)
        ? { ...d, alerts: d.alerts.map((a) => (a.id === m.alert.id ? m.alert : a)) }
        : { ...d, alerts: [m.alert, ...d.alerts] }));
    }
  });

  if (state.status === 'loading') return <Loading what="Loading build" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="build" />;
  const { build: b, processTree, processTreeComplete, trafficComplete, dnsQueries, connects, alerts, lockfiles } = state.data;

  return (
    <div className="view">
      <section className="detail-head" data-testid="build-header">
        <div className="crumbs"><Link to={paths.builds()}>Builds</Link> / build</div>
        <h1 className="mono">
          <Link to={paths.pipeline(b.pipeline)}><TruncatedText text={b.pipeline} max={80} /></Link>
          <span className="muted"> · run </span><TruncatedText text={b.runId} max={60} />
          {' '}<BuildStatePill state={b.state} />
          {b.state === 'running' && <button type="button" className="head-button" onClick={reload} title="The tree and tables are fetched again when the build ends">Refresh tree</button>}
        </h1>
        <dl className="facts">
          <div><dt>job</dt><dd className="mono"><TruncatedText text={b.job} max={80} /></dd></div>
          <div><dt>repo</dt><dd className="mono"><TruncatedText text={b.repo} max={80} /></dd></div>
          <div><dt>commit</dt><dd className="mono"><TruncatedText text={b.commit} max={40} /></dd></div>
          <div><dt>host</dt><dd className="mono"><TruncatedText text={b.agentHost} max={60} /></dd></div>
          {b.k8s && (
            <div data-testid="build-pod"><dt>pod</dt><dd className="mono"><TruncatedText text={`${b.k8s.namespace}/${b.k8s.pod}${b.k8s.container ? ` (${b.k8s.container})` : ''}`} max={80} /></dd></div>
          )}
          <div><dt>CI</dt><dd className="mono"><TruncatedText text={b.ciProvider} max={40} /></dd></div>
          <div><dt>started</dt><dd><TimeAgo iso={b.startedAt} /></dd></div>
          <div><dt>duration</dt><dd><BuildDuration startedAt={b.startedAt} endedAt={b.endedAt} /></dd></div>
          <div><dt>exit code</dt><dd className="num">{b.exitCode ?? '—'}</dd></div>
          <div><dt>root pid</dt><dd className="num">{b.rootPid}</dd></div>
          <div><dt>processes</dt><dd className="num">{b.counts.processes}</dd></div>
          <div><dt>DNS queries</dt><dd className="num">{b.counts.dnsQueries}</dd></div>
          <div><dt>connects</dt><dd className="num">{b.counts.connects}</dd></div>
          <div><dt>alerts</dt><dd className={b.counts.alerts ? 'num alert-count' : 'num'}>{b.counts.alerts}</dd></div>
          <div><dt>build id</dt><dd className="mono"><TruncatedText text={b.id} max={40} /></dd></div>
        </dl>
        {b.coverageIncomplete && (
          <div className="banner banner-warn inline">
            Coverage incomplete: {b.counts.lostEvents} events were lost on the way. No alert does not mean a clean build.
          </div>
        )}
        {!processTreeComplete && (
          <div className="banner banner-info inline">This is a very long build: the process tree was rebuilt from only part of its event log.</div>
        )}
        {!trafficComplete && (
          <div className="banner banner-info inline">Only this build's first 5,000 DNS names and destinations are listed.</div>
        )}
      </section>

      <section className="panel">
        <h2>Alerts <span className="count">{alerts.length}</span></h2>
        {alerts.length === 0 ? <Empty>No alerts for this build{b.coverageIncomplete ? ' (but coverage is incomplete)' : ''}.</Empty> : <AlertsTable alerts={alerts} />}
      </section>

      <BuildDependencies lockfiles={lockfiles} />

      <BuildBaselineDiffPanel buildId={b.id} buildState={b.state} />

      <section className="panel">
        <h2>Process tree</h2>
        <ProcessTree roots={processTree} alerts={alerts} dns={dnsQueries} connects={connects} />
      </section>

      <section className="panel">
        <h2>DNS queries <span className="count">{dnsQueries.length}</span></h2>
        <DnsTable rows={dnsQueries} />
      </section>

      <section className="panel">
        <h2>Connections <span className="count">{connects.length}</span></h2>
        <ConnectsTable rows={connects} />
      </section>
    </div>
  );
}
