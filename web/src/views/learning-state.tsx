// "learning 2/3" while an auto baseline still learns (first_seen_domain is quiet), "awaiting approval" while a
// supervised one has no approved version yet, "learnt" after.
import type { PipelineSummary } from '../api-types';

export function LearningState({ summary: p }: { summary: PipelineSummary }) {
  if (p.learning && p.mode === 'supervised') {
    return <span className="pill st-ack" data-testid="learning-state" title="Supervised: builds only propose entries; the baseline counts as learning until an operator approves a first version">awaiting approval</span>;
  }
  return p.learning
    ? <span className="pill st-ack" data-testid="learning-state" title="first_seen_domain stays quiet until the baseline has learnt">learning {p.learnedBuilds}/{p.learningBuilds}</span>
    : <span className="pill st-ok" data-testid="learning-state" title={`learnt from ${p.learnedBuilds} builds`}>learnt</span>;
}
