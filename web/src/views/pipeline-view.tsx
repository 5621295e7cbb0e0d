// One pipeline: its baseline (how it learns, its entries, versions and their diffs), the policies it
// exports to, the DNS guard's verdicts, poisoned domains and recent builds. It fetches itself again after
// an operator's action and whenever one of its builds ends (a build may teach or propose entries).
import { useCallback, useState } from 'react';
import type { PipelineDetail } from '../api-types';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { Link } from '../link';
import { encodeSegment, paths } from '../routes';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { Empty, ErrorState, Loading } from '../states';
import { BuildsTable } from './builds-table';
import { BaselineHeader } from './baseline-header';
import { BaselineEntries } from './baseline-entries';
import { BaselineVersions } from './baseline-versions';
import { PolicyExport } from './policy-export';
import { GuardVerdicts } from './guard-verdicts';

export function PipelineView({ name }: { name: string }) {
  const { state, reload } = useApi<PipelineDetail>(`/api/pipelines/${encodeSegment(name)}`);
  // Bumped on every refetch so the panels that fetch on their own (diff, guard verdicts) follow.
  const [refresh, setRefresh] = useState(0);
  const refetch = useCallback(() => {
    reload();
    setRefresh((n) => n + 1);
  }, [reload]);

  useStream((m) => {
    if (m.type === 'build' && m.build.pipeline === name && m.build.state !== 'running') refetch();
    if (m.type === 'alert' && m.alert.pipeline === name && m.alert.kind === 'dns_guard_block') setRefresh((n) => n + 1);
  });

  if (state.status === 'loading') return <Loading what="Loading pipeline" />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} what="pipeline" />;
  const { summary: s, domains, poisoned, recentBuilds } = state.data;
  // A collector from before versioned baselines sends neither.
  const entries = Array.isArray(state.data.entries) ? state.data.entries : [];
  const versions = Array.isArray(state.data.versions) ? state.data.versions : [];

  return (
    <div className="view">
      <BaselineHeader summary={s} onChanged={refetch} />
      <BaselineEntries pipeline={s.pipeline} entries={entries} domains={domains} onChanged={refetch} />
      <BaselineVersions pipeline={s.pipeline} versions={versions} refresh={refresh} />
      <PolicyExport summary={s} />
      <GuardVerdicts pipeline={s.pipeline} refresh={refresh} />

      <section className="panel">
        <h2>Poisoned domains <span className="count">{poisoned.length}</span></h2>
        <p className="hint">Domains that carried exfiltration in one of this pipeline's builds: never learnt, however often they appear.</p>
        {poisoned.length > 0 && (
          <div className="table-wrap">
            <table className="grid">
              <thead><tr><th>domain</th><th>first seen</th><th>build</th></tr></thead>
              <tbody>
                {poisoned.map((d) => (
                  <tr key={d.domain} data-testid="poisoned-domain" data-name={d.domain} className="row-unknown">
                    <td className="mono wrap"><TruncatedText text={d.domain} max={80} /></td>
                    <td className="nowrap"><TimeAgo iso={d.firstSeenAt} /></td>
                    <td><Link to={paths.build(d.buildId)}>build</Link></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
