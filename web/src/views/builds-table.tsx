// The builds table shared by the live builds page and a pipeline's recent builds.
import type { BuildSummary } from '../api-types';
import { Link } from '../link';
import { navigate } from '../router';
import { paths } from '../routes';
import { BuildStatePill } from '../pills';
import { BuildDuration, TimeAgo } from '../time-ago';
import { oneLine, showControls } from '../visible-text';

export function BuildsTable({ builds, showPipeline = true }: { builds: BuildSummary[]; showPipeline?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="grid builds-table">
        <thead>
          <tr>
            <th>started</th>
            {showPipeline && <th>pipeline</th>}
            <th>run</th><th>job</th><th>repo</th><th>commit</th><th>host</th><th>state</th>
            <th className="r">duration</th><th className="r" title="processes">procs</th><th className="r">connects</th>
            <th className="r" title="DNS queries">DNS</th><th className="r">alerts</th><th title="coverage">cov.</th>
          </tr>
        </thead>
        <tbody>
          {builds.map((b) => (
            <tr
              key={b.id}
              data-testid="build-row"
              data-build-id={b.id}
              className={b.counts.alerts > 0 ? 'row-link has-alerts' : 'row-link'}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest('a, button')) return;
                navigate(paths.build(b.id));
              }}
            >
              <td className="nowrap"><Link to={paths.build(b.id)}><TimeAgo iso={b.startedAt} /></Link></td>
              {showPipeline && <td className="mono cell-clip" title={showControls(b.pipeline)}><Link to={paths.pipeline(b.pipeline)}>{oneLine(b.pipeline, 40)}</Link></td>}
              <td className="mono cell-clip" title={showControls(b.runId)}>{oneLine(b.runId, 24)}</td>
              <td className="mono cell-clip" title={showControls(b.job)}>{oneLine(b.job, 32)}</td>
              <td className="mono cell-clip" title={showControls(b.repo)}>{oneLine(b.repo, 40)}</td>
              <td className="mono" title={showControls(b.commit)}>{oneLine(b.commit, 8).replace(/…$/, '')}</td>
              <td className="mono cell-clip" title={showControls(b.agentHost)}>{oneLine(b.agentHost, 24)}</td>
              <td><BuildStatePill state={b.state} />{b.exitCode !== null && b.exitCode !== 0 && <span className="muted"> ({b.exitCode})</span>}</td>
              <td className="r"><BuildDuration startedAt={b.startedAt} endedAt={b.endedAt} /></td>
              <td className="r num">{b.counts.processes}</td>
              <td className="r num">{b.counts.connects}</td>
              <td className="r num">{b.counts.dnsQueries}</td>
              <td className={b.counts.alerts > 0 ? 'r num alert-count' : 'r num muted'}>{b.counts.alerts}</td>
              <td>
                {b.coverageIncomplete && (
                  <span className="cov-mark" title={`Events were lost on the way (${b.counts.lostEvents ?? 0} lost): no alert does not mean a clean build.`}>⚠ incomplete</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
