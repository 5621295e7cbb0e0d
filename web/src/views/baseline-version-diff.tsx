// What changed between two versions of a baseline, as the collector computes it: entries added (green)
// and removed (red), an entry added and removed in between being in neither.
import { useEffect } from 'react';
import type { BaselineEntryRef, BaselineVersionDiff } from '../api-types';
import { diffRange } from '../baseline-model';
import { withQuery } from '../query-string';
import { encodeSegment } from '../routes';
import { useApi } from '../use-api';
import { ErrorState, Loading } from '../states';
import { TruncatedText } from '../truncated-text';

export function VersionDiff({ pipeline, selection, refresh }: { pipeline: string; selection: number[]; refresh: number }) {
  const range = diffRange(selection);
  const path = range ? withQuery(`/api/pipelines/${encodeSegment(pipeline)}/baseline/diff`, { from: range.from, to: range.to }) : null;
  const { state, reload } = useApi<BaselineVersionDiff>(path);
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);

  if (!range) return <div className="hint">Pick one or two versions to see a diff.</div>;
  return (
    <div className="version-diff" data-testid="version-diff" data-from={range.from} data-to={range.to}>
      <h3>{range.from === 0 ? 'empty baseline' : `v${range.from}`} → v{range.to}</h3>
      {state.status === 'loading' && <Loading what="Loading diff" />}
      {state.status === 'error' && <ErrorState error={state.error} onRetry={reload} what="diff" />}
      {state.status === 'ok' && (
        state.data.added.length === 0 && state.data.removed.length === 0
          ? <div className="muted pad" data-testid="diff-none">No difference in what the baseline allows.</div>
          : (
            <div className="diff-columns">
              <DiffList testId="diff-added" cls="diff-added" sign="+" title="added" entries={state.data.added} />
              <DiffList testId="diff-removed" cls="diff-removed" sign="−" title="removed" entries={state.data.removed} />
            </div>
          )
      )}
    </div>
  );
}

function DiffList({ testId, cls, sign, title, entries }: { testId: string; cls: string; sign: string; title: string; entries: BaselineEntryRef[] }) {
  return (
    <div className={`diff-list ${entries.length === 0 ? 'diff-empty' : cls}`} data-testid={testId}>
      <div className="diff-title">{title} <span className="count">{entries.length}</span></div>
      {entries.length === 0 ? <div className="muted">none</div> : (
        <ul>
          {entries.map((e) => (
            <li key={`${e.kind}\0${e.value}`} data-testid="diff-entry" data-kind={e.kind} data-value={e.value}>
              <span className="diff-sign" aria-hidden="true">{sign}</span>
              <span className="diff-kind">{e.kind}</span>
              <TruncatedText text={e.value} max={100} className="mono" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
