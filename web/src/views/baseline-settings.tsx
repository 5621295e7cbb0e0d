// How a pipeline's baseline learns: auto (its first N builds teach it) or supervised (builds propose,
// an operator approves). Operators change it here; everyone else sees it read-only.
import { useState } from 'react';
import type { PipelineSummary } from '../api-types';
import { canAct, useOperator } from '../operator';
import { encodeSegment } from '../routes';
import { useAction } from '../use-action';
import { ActionError } from '../action-error';

export function BaselineSettings({ summary: s, onChanged }: { summary: PipelineSummary; onChanged: () => void }) {
  const op = useOperator();
  const allowed = canAct(op);
  const [mode, setMode] = useState<'auto' | 'supervised'>(s.mode);
  // The summary gives the count in force, not whether it is the pipeline's own: saving keeps it as the pipeline's.
  const [builds, setBuilds] = useState(s.mode === 'auto' && s.learningBuildsSetting !== null ? String(s.learningBuildsSetting) : '');
  const [saved, setSaved] = useState('');
  const action = useAction();
  const count = builds.trim();
  const countOk = count === '' || (/^\d{1,4}$/.test(count) && Number(count) <= 1000);
  const changed = mode !== s.mode || (mode === 'auto' && count !== (s.learningBuildsSetting === null ? '' : String(s.learningBuildsSetting)));

  const save = async () => {
    setSaved('');
    const learningBuilds = mode === 'auto' && count !== '' ? Number(count) : null;
    const r = await action.run<{ settings: { mode: string } }>(`/api/pipelines/${encodeSegment(s.pipeline)}/baseline/settings`, { mode, learningBuilds });
    if (r) {
      setSaved(`Saved: ${mode}${mode === 'auto' ? `, ${learningBuilds === null ? 'the collector\'s default number of' : learningBuilds} learning builds` : ''}.`);
      onChanged();
    }
  };

  return (
    <form className="settings-form" data-testid="baseline-settings" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label>
        learning
        <select value={mode} data-testid="baseline-mode" disabled={!allowed} onChange={(e) => setMode(e.target.value === 'supervised' ? 'supervised' : 'auto')}>
          <option value="auto">auto: the first builds teach it</option>
          <option value="supervised">supervised: an operator approves each entry</option>
        </select>
      </label>
      <label title="How many builds teach an auto baseline; empty: the collector's --learning-builds">
        learning builds
        <input type="text" inputMode="numeric" className="narrow" data-testid="baseline-learning-builds" value={mode === 'auto' ? builds : ''}
          placeholder={mode === 'auto' ? 'default' : 'n/a'} disabled={!allowed || mode !== 'auto'} onChange={(e) => setBuilds(e.target.value)} />
      </label>
      <button type="submit" data-testid="baseline-settings-save" disabled={!allowed || action.busy || !countOk || !changed}>
        {action.busy ? 'Saving…' : 'Save'}
      </button>
      {!countOk && <span className="error-inline">a whole number from 0 to 1000, or empty for the default</span>}
      {saved && <span className="ok-inline" data-testid="baseline-settings-saved">{saved}</span>}
      <ActionError error={action.error} />
    </form>
  );
}
