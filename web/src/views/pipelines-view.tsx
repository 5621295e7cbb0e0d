// Pipelines: how many builds, whether the baseline is still learning, its version, what it knows and what
// waits for approval, and open alerts.
import type { PipelineList } from '../api-types';
import { useApi } from '../use-api';
import { navigate } from '../router';
import { paths } from '../routes';
import { Link } from '../link';
import { TimeAgo } from '../time-ago';
import { oneLine, showControls } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';
import { LearningState } from './learning-state';

export function PipelinesView() {
  const { state, reload } = useApi<PipelineList>('/api/pipelines');
  if (state.status === 'loading') return <Loading what="Loading pipelines" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="pipelines" />;
  const pipelines = state.data.pipelines;
  return (
    <div className="view">
      <div className="view-head"><h1>Pipelines</h1></div>
      {pipelines.length === 0 ? (
        <Empty>No pipelines yet. A pipeline appears with its first build: <code>telltale run --pipeline my/app -- &lt;command&gt;</code>.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr><th>pipeline</th><th className="r">builds</th><th>last build</th><th>baseline</th><th className="r">version</th><th className="r">names</th><th className="r">domains</th><th className="r">tools</th><th className="r">pending</th><th className="r">open alerts</th></tr>
            </thead>
            <tbody>
              {pipelines.map((p) => (
                <tr key={p.pipeline} className="row-link" data-testid="pipeline-row" data-pipeline={p.pipeline}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('a, button')) return;
                    navigate(paths.pipeline(p.pipeline));
                  }}>
                  <td className="mono cell-clip-wide" title={showControls(p.pipeline)}><Link to={paths.pipeline(p.pipeline)}>{oneLine(p.pipeline, 80)}</Link></td>
                  <td className="r num">{p.builds}</td>
                  <td className="nowrap"><TimeAgo iso={p.lastBuildAt} /></td>
                  <td><LearningState summary={p} />{p.mode === 'supervised' && <span className="pill head-pill">supervised</span>}</td>
                  <td className="r num">{p.version ?? 0}</td>
                  <td className="r num">{p.names ?? 0}</td>
                  <td className="r num">{p.domains}</td>
                  <td className="r num">{p.tools}</td>
                  <td className={p.pending ? 'r num pending-count' : 'r num muted'}>{p.pending ?? 0}</td>
                  <td className={p.openAlerts ? 'r num alert-count' : 'r num muted'}>{p.openAlerts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
