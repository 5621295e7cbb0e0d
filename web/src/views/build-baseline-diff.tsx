// A build held against its pipeline's baseline: the names, domains and destinations it used that the
// baseline does not hold (proposals waiting for approval say so). Operators add picked ones to the
// baseline (one approved version); the list is read again afterwards and when the build ends.
import { useEffect, useRef, useState } from 'react';
import type { BaselineVersionInfo, BuildBaselineDiff, BuildStatus } from '../api-types';
import { describeCounts, entryKey, toggled } from '../baseline-model';
import { canAct, useOperator } from '../operator';
import { encodeSegment, paths } from '../routes';
import { useApi } from '../use-api';
import { useAction } from '../use-action';
import { ActionError } from '../action-error';
import { Link } from '../link';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { ErrorState, Loading } from '../states';
import { TokenHint } from './token-hint';

export function BuildBaselineDiffPanel({ buildId, buildState }: { buildId: string; buildState: BuildStatus }) {
  const { state, reload } = useApi<BuildBaselineDiff>(`/api/builds/${encodeSegment(buildId)}/baseline-diff`);
  const op = useOperator();
  const allowed = canAct(op);
  const action = useAction();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [result, setResult] = useState('');

  // What the build used is complete once it ended: read it again then.
  const wasRunning = useRef(buildState === 'running');
  useEffect(() => {
    if (wasRunning.current && buildState !== 'running') reload();
    wasRunning.current = buildState === 'running';
  }, [buildState, reload]);

  const rows = state.status === 'ok' && Array.isArray(state.data.new) ? state.data.new : [];
  useEffect(() => {
    const present = new Set(rows.map(entryKey));
    setSelected((s) => new Set([...s].filter((k) => present.has(k))));
  }, [state]); // `rows` is derived from `state`, a new array each render

  if (state.status === 'loading') return <section className="panel"><h2>Baseline diff</h2><Loading what="Loading baseline diff" /></section>;
  if (state.status === 'error') return <section className="panel"><h2>Baseline diff</h2><ErrorState error={state.error} onRetry={reload} what="baseline diff" /></section>;
  const d = state.data;
  const picked = rows.filter((e) => selected.has(entryKey(e))).map(({ kind, value }) => ({ kind, value }));
  const all = rows.length > 0 && rows.every((e) => selected.has(entryKey(e)));

  const add = async () => {
    setResult('');
    const body: Record<string, unknown> = { entries: picked, buildId };
    if (reason.trim()) body.reason = reason.trim();
    const r = await action.run<{ version: BaselineVersionInfo }>(`/api/pipelines/${encodeSegment(d.pipeline)}/baseline/approve`, body);
    if (!r) return;
    setResult(`Added to the baseline as version ${r.version.version} by ${oneLine(r.version.actor, 64)}.`);
    setSelected(new Set());
    setReason('');
    reload();
  };

  return (
    <section className="panel" data-testid="build-baseline-diff">
      <h2>Baseline diff <span className="count">{rows.length}</span></h2>
      <p className="hint">
        What this build used that the baseline of <Link to={paths.pipeline(d.pipeline)} className="mono">{oneLine(d.pipeline, 80)}</Link> (version {d.version}) does
        not hold. It used {describeCounts(d.used)} in all{buildState === 'running' ? '; it is still running, so the list is read again when it ends' : ''}.
      </p>
      {result && <div className="ok-inline" data-testid="baseline-diff-result">{result}</div>}
      {rows.length === 0 ? (
        <div className="matches" data-testid="baseline-diff-empty">Matches the baseline (version {d.version}).</div>
      ) : (
        <>
          <div className="selection-bar">
            <span className="muted">{picked.length} selected</span>
            <input type="text" className="reason-input" data-testid="baseline-diff-reason" value={reason} maxLength={2000} placeholder="reason (optional)"
              onChange={(e) => setReason(e.target.value)} />
            <button type="button" className="primary" data-testid="add-to-baseline" disabled={!allowed || action.busy || picked.length === 0} onClick={() => void add()}>
              {action.busy ? 'Adding…' : 'Add to baseline'}
            </button>
            <TokenHint />
          </div>
          <ActionError error={action.error} testId="baseline-diff-error" />
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th className="cb-cell"><input type="checkbox" aria-label="select all" checked={all}
                    onChange={() => setSelected(all ? new Set() : new Set(rows.map(entryKey)))} /></th>
                  <th className="kind-cell">kind</th><th>value</th><th>state</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => {
                  const key = entryKey(e);
                  return (
                    <tr key={key} data-testid="baseline-diff-row" data-kind={e.kind} data-value={e.value} className="row-unknown">
                      <td className="cb-cell"><input type="checkbox" data-testid="baseline-diff-select" aria-label={`select ${oneLine(e.value, 80)}`}
                        checked={selected.has(key)} onChange={() => setSelected((s) => toggled(s, key))} /></td>
                      <td className="mono kind-cell">{oneLine(e.kind, 20)}</td>
                      <td className="mono wrap"><TruncatedText text={e.value} max={100} /></td>
                      <td>{e.pending
                        ? <span className="pill st-ack" data-testid="pending-badge" title="Proposed for the supervised baseline; waits for an operator">pending</span>
                        : <span className="known-no">new</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
