// The pipeline page's head: the pipeline, how its baseline learns and where it stands (mode, version,
// learning progress, what it holds, what waits for approval), and the learning settings.
import type { PipelineSummary } from '../api-types';
import { Link } from '../link';
import { paths } from '../routes';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { LearningState } from './learning-state';
import { BaselineSettings } from './baseline-settings';

export function BaselineHeader({ summary: s, onChanged }: { summary: PipelineSummary; onChanged: () => void }) {
  const learning = s.mode === 'supervised'
    ? (s.version === 0 ? 'supervised: waiting for a first approval' : 'supervised: entries join on approval')
    : `learnt from ${s.learnedBuilds} of ${s.learningBuilds} builds`;
  return (
    <section className="detail-head" data-testid="pipeline-header">
      <div className="crumbs"><Link to={paths.pipelines()}>Pipelines</Link> / pipeline</div>
      <h1 className="mono">
        <TruncatedText text={s.pipeline} max={120} /> <LearningState summary={s} />
        <span className="pill" data-testid="baseline-mode-pill">{s.mode}</span>
        <span className="pill st-running" data-testid="baseline-version-pill">{s.version === 0 ? 'no version yet' : `version ${s.version}`}</span>
      </h1>
      <dl className="facts">
        <div><dt>builds</dt><dd className="num">{s.builds}</dd></div>
        <div><dt>last build</dt><dd><TimeAgo iso={s.lastBuildAt} /></dd></div>
        <div><dt>learning</dt><dd data-testid="learning-detail">{learning}</dd></div>
        <div><dt>baseline version</dt><dd className="num" data-testid="baseline-version-number">{s.version}</dd></div>
        <div><dt>names</dt><dd className="num">{s.names}</dd></div>
        <div><dt>domains</dt><dd className="num">{s.domains}</dd></div>
        <div><dt>destinations</dt><dd className="num">{s.destinations}</dd></div>
        <div><dt>tools</dt><dd className="num">{s.tools}</dd></div>
        <div><dt>pending approval</dt><dd className={s.pending ? 'num pending-count' : 'num'}>{s.pending}</dd></div>
        <div><dt>open alerts</dt><dd className={s.openAlerts ? 'num alert-count' : 'num'}>{s.openAlerts}</dd></div>
      </dl>
      <BaselineSettings summary={s} onChanged={onChanged} />
    </section>
  );
}
