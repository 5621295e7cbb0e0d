// "learning 2/3" while a pipeline's baseline still learns (first_seen_domain is quiet), "learnt" after.
import type { PipelineSummary } from '../api-types';

export function LearningState({ summary: p }: { summary: PipelineSummary }) {
  return p.learning
    ? <span className="pill st-ack" title="first_seen_domain stays quiet until the baseline has learnt">learning {p.learnedBuilds}/{p.learningBuilds}</span>
    : <span className="pill st-ok" title={`learnt from ${p.learnedBuilds} builds`}>learnt</span>;
}
