// A pipeline's baseline entries by kind (names, domains, destinations, tools), each with its state, the
// version that made it active, the build that first used it and when one last did; operators approve or
// reject what builds proposed and remove what should no longer be allowed.
import { useEffect, useMemo, useState } from 'react';
import type { BaselineDomain, BaselineEntry, BaselineEntryKind, BaselineVersionInfo } from '../api-types';
import { ENTRY_KINDS, KIND_TITLES, describeCounts, entryKey, groupEntries, pruneSelection, selectedRefs, toggled } from '../baseline-model';
import { canAct, useOperator } from '../operator';
import { encodeSegment } from '../routes';
import { useAction } from '../use-action';
import { ActionError } from '../action-error';
import { oneLine } from '../visible-text';
import { TokenHint } from './token-hint';
import { EntryGroup } from './baseline-entry-group';

export function BaselineEntries({ pipeline, entries, domains, onChanged }: {
  pipeline: string; entries: BaselineEntry[]; domains: BaselineDomain[]; onChanged: () => void;
}) {
  const op = useOperator();
  const allowed = canAct(op);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [result, setResult] = useState('');
  const action = useAction();
  const groups = useMemo(() => groupEntries(entries), [entries]);
  const domainInfo = useMemo(() => new Map(domains.map((d) => [d.domain, d])), [domains]);

  // Entries fetched again after an action or a build: what is gone leaves the selection.
  useEffect(() => setSelected((s) => pruneSelection(s, entries)), [entries]);

  const pending = selectedRefs(entries, selected, 'pending');
  const active = selectedRefs(entries, selected, 'active');
  const pendingTotal = entries.filter((e) => e.state === 'pending').length;
  const base = `/api/pipelines/${encodeSegment(pipeline)}/baseline`;
  const why = reason.trim();

  const act = async (what: 'approve' | 'approve_all' | 'reject' | 'remove') => {
    setResult('');
    const body: Record<string, unknown> =
      what === 'approve_all' ? { all: true } : { entries: what === 'remove' ? active : pending };
    if (why) body.reason = why;
    const path = `${base}/${what === 'approve_all' ? 'approve' : what}`;
    const r = await action.run<{ version?: BaselineVersionInfo; rejected?: unknown[] }>(path, body);
    if (!r) return;
    if (r.version) {
      const v = r.version;
      const changed = [...v.added, ...v.removed];
      const counts: Partial<Record<BaselineEntryKind, number>> = {};
      for (const e of changed) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
      setResult(`Version ${v.version} by ${oneLine(v.actor, 64)}: ${v.added.length ? 'added' : 'removed'} ${describeCounts(counts)}.`);
    } else {
      setResult(`Rejected ${Array.isArray(r.rejected) ? r.rejected.length : 0} proposed entries.`);
    }
    setSelected(new Set());
    setReason('');
    onChanged();
  };

  const toggle = (key: string) => setSelected((s) => toggled(s, key));
  const setMany = (keys: string[], on: boolean) => setSelected((s) => {
    const next = new Set(s);
    for (const k of keys) if (on) next.add(k); else next.delete(k);
    return next;
  });

  return (
    <section className="panel" data-testid="baseline-entries">
      <h2>Baseline entries <span className="count">{entries.length}</span>
        {pendingTotal > 0 && <span className="pill st-ack head-pill" data-testid="pending-count">{pendingTotal} pending</span>}</h2>
      <p className="hint">
        Exact DNS names, registrable domains, destinations and build-script tools this pipeline's builds may use. Pending entries were
        proposed by a build of a supervised baseline and count only once approved.
      </p>
      {entries.length > 0 && (
        <div className="selection-bar baseline-actions" data-testid="baseline-actions">
          <span className="muted">{pending.length} pending, {active.length} active selected</span>
          <input type="text" className="reason-input" data-testid="baseline-reason" value={reason} maxLength={2000}
            placeholder="reason (kept with the version; required to remove)" onChange={(e) => setReason(e.target.value)} />
          <button type="button" className="primary" data-testid="approve-selected" disabled={!allowed || action.busy || pending.length === 0}
            onClick={() => void act('approve')}>Approve selected</button>
          <button type="button" data-testid="approve-all" disabled={!allowed || action.busy || pendingTotal === 0}
            onClick={() => void act('approve_all')}>Approve all pending ({pendingTotal})</button>
          <button type="button" data-testid="reject-selected" disabled={!allowed || action.busy || pending.length === 0}
            title="Forget the selected proposals (a later build may propose them again)" onClick={() => void act('reject')}>Reject selected</button>
          <button type="button" data-testid="remove-selected" disabled={!allowed || action.busy || active.length === 0 || !why}
            title={why ? 'Take the selected active entries out of the baseline: a new version' : 'Removing needs a reason'}
            onClick={() => void act('remove')}>Remove selected</button>
          <TokenHint />
        </div>
      )}
      {result && <div className="ok-inline" data-testid="baseline-result">{result}</div>}
      <ActionError error={action.error} testId="baseline-action-error" />
      {entries.length === 0 ? <div className="muted pad">Nothing learnt or proposed yet: the baseline fills from this pipeline's builds.</div> : (
        ENTRY_KINDS.map((kind) => (
          <EntryGroup key={kind} kind={kind} title={KIND_TITLES[kind]} entries={groups[kind]} selected={selected} domainInfo={domainInfo}
            onToggle={toggle} onSetMany={(keys, on) => setMany(keys, on)} keyOf={entryKey} />
        ))
      )}
    </section>
  );
}
