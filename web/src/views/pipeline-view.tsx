// One pipeline: its baseline (domains learnt or allowed, poisoned domains, tools) and its recent builds.
import type { PipelineDetail } from '../api-types';
import { useApi } from '../use-api';
import { Link } from '../link';
import { encodeSegment, paths } from '../routes';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';
import { BuildsTable } from './builds-table';
import { LearningState } from './learning-state';

export function PipelineView({ name }: { name: string }) {
  const { state, reload } = useApi<PipelineDetail>(`/api/pipelines/${encodeSegment(name)}`);
  if (state.status === 'loading') return <Loading what="Loading pipeline" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="pipeline" />;
  const { summary: s, domains, poisoned, tools, recentBuilds } = state.data;

  return (
    <div className="view">
      <section className="detail-head">
        <div className="crumbs"><Link to={paths.pipelines()}>Pipelines</Link> / pipeline</div>
        <h1 className="mono"><TruncatedText text={s.pipeline} max={120} /> <LearningState summary={s} /></h1>
        <dl className="facts">
          <div><dt>builds</dt><dd className="num">{s.builds}</dd></div>
          <div><dt>last build</dt><dd><TimeAgo iso={s.lastBuildAt} /></dd></div>
          <div><dt>learnt from</dt><dd className="num">{s.learnedBuilds} of {s.learningBuilds} builds</dd></div>
          <div><dt>domains</dt><dd className="num">{s.domains}</dd></div>
          <div><dt>tools</dt><dd className="num">{s.tools}</dd></div>
          <div><dt>open alerts</dt><dd className={s.openAlerts ? 'num alert-count' : 'num'}>{s.openAlerts}</dd></div>
        </dl>
      </section>

      <section className="panel">
        <h2>Baseline domains <span className="count">{domains.length}</span></h2>
        {domains.length === 0 ? <div className="muted pad">No domains learnt yet.</div> : (
          <div className="table-wrap">
            <table className="grid">
              <thead><tr><th>domain</th><th>first seen</th><th>source</th><th>alerts allowed</th><th>by</th><th>reason</th><th>taught by</th></tr></thead>
              <tbody>
                {domains.map((d) => (
                  <tr key={d.domain} data-testid="baseline-domain" data-domain={d.domain}>
                    <td className="mono wrap"><TruncatedText text={d.domain} max={80} /></td>
                    <td className="nowrap"><TimeAgo iso={d.firstSeenAt} /></td>
                    <td><span className={d.source === 'allowed' ? 'pill st-ack' : 'pill st-ok'}>{d.source}</span></td>
                    <td className="mono">{d.allowedKinds.length === 0 ? <span className="muted">—</span> : oneLine(d.allowedKinds.join(', '), 120)}</td>
                    <td className="mono">{d.allowedBy === null ? <span className="muted">—</span> : oneLine(d.allowedBy, 64)}</td>
                    <td className="wrap">{d.reason === null ? <span className="muted">—</span> : <TruncatedText text={d.reason} max={80} />}</td>
                    <td>{d.buildId ? <Link to={paths.build(d.buildId)}>build</Link> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel">
        <h2>Poisoned domains <span className="count">{poisoned.length}</span></h2>
        <p className="hint">Domains that carried exfiltration in one of this pipeline's builds: never learnt, however often they appear.</p>
        {poisoned.length > 0 && (
          <SeenTable column="domain" testId="poisoned-domain" rowClass="row-unknown" rows={poisoned.map((d) => ({ name: d.domain, firstSeenAt: d.firstSeenAt, buildId: d.buildId }))} />
        )}
      </section>

      <section className="panel">
        <h2>Tools learnt <span className="count">{tools.length}</span></h2>
        {tools.length === 0 ? <div className="muted pad">No tools learnt yet.</div> : (
          <SeenTable column="tool" testId="baseline-tool" rows={tools.map((t) => ({ name: t.tool, firstSeenAt: t.firstSeenAt, buildId: t.buildId }))} />
        )}
      </section>

      <section className="panel">
        <h2>Recent builds <span className="count">{recentBuilds.length}</span></h2>
        {recentBuilds.length === 0 ? <Empty>No builds for this pipeline.</Empty> : <BuildsTable builds={recentBuilds} showPipeline={false} />}
        <div className="list-foot"><Link to={paths.buildsOfPipeline(s.pipeline)}>All builds of {oneLine(s.pipeline, 60)} →</Link></div>
      </section>
    </div>
  );
}

/** A name, when the pipeline first saw it, and the build it came from (poisoned domains, tools). */
function SeenTable({ column, testId, rowClass, rows }: {
  column: string; testId: string; rowClass?: string; rows: { name: string; firstSeenAt: string; buildId: string }[];
}) {
  return (
    <div className="table-wrap">
      <table className="grid">
        <thead><tr><th>{column}</th><th>first seen</th><th>build</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-testid={testId} data-name={r.name} className={rowClass}>
              <td className="mono wrap"><TruncatedText text={r.name} max={80} /></td>
              <td className="nowrap"><TimeAgo iso={r.firstSeenAt} /></td>
              <td><Link to={paths.build(r.buildId)}>build</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
