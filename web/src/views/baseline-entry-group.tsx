// One kind of baseline entry as a table: select, value, state, version, first seen (and by which build),
// last used; domains also say whether an operator allowed them and for which alert kinds.
import { useState } from 'react';
import type { BaselineDomain, BaselineEntry, BaselineEntryKind, BaselineEntryRef } from '../api-types';
import { entryStatus } from '../baseline-model';
import { EntryStatusPill } from '../pills';
import { Link } from '../link';
import { paths } from '../routes';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';

const CAP = 200;

export function EntryGroup({ kind, title, entries, selected, domainInfo, onToggle, onSetMany, keyOf }: {
  kind: BaselineEntryKind; title: string; entries: BaselineEntry[]; selected: ReadonlySet<string>;
  domainInfo: ReadonlyMap<string, BaselineDomain>; onToggle: (key: string) => void; onSetMany: (keys: string[], on: boolean) => void;
  keyOf: (e: BaselineEntryRef) => string;
}) {
  const [cap, setCap] = useState(CAP);
  const pending = entries.filter((e) => e.state === 'pending').length;
  const shown = entries.slice(0, cap);
  const keys = shown.map(keyOf);
  const all = keys.length > 0 && keys.every((k) => selected.has(k));
  return (
    <div className="entry-group" data-testid={`entry-group-${kind}`}>
      <h3>{title} <span className="count">{entries.length}</span>{pending > 0 && <span className="muted"> · {pending} pending</span>}</h3>
      {entries.length === 0 ? <div className="muted pad">None.</div> : (
        <div className="table-wrap">
          <table className="grid entries-table">
            <thead>
              <tr>
                <th className="cb-cell"><input type="checkbox" aria-label={`select all ${title.toLowerCase()}`} checked={all} onChange={() => onSetMany(keys, !all)} /></th>
                <th>{kind}</th><th>state</th><th className="r">version</th>
                {kind === 'domain' && <th title="An operator allowed alerts of these kinds on the domain (an alert marked false positive)">allowed from an alert</th>}
                <th>first seen</th><th>last used</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => {
                const key = keyOf(e);
                const status = entryStatus(e);
                const d = kind === 'domain' ? domainInfo.get(e.value) : undefined;
                return (
                  <tr key={key} data-testid={`baseline-${kind}`} data-kind={kind} data-value={e.value} data-domain={kind === 'domain' ? e.value : undefined}
                    data-status={status} className={status === 'pending' ? 'row-unknown' : undefined}>
                    <td className="cb-cell"><input type="checkbox" data-testid="entry-select" aria-label={`select ${oneLine(e.value, 80)}`} checked={selected.has(key)} onChange={() => onToggle(key)} /></td>
                    <td className="mono wrap"><TruncatedText text={e.value} max={100} /></td>
                    <td><EntryStatusPill status={status} /></td>
                    <td className="r num">{e.version === null ? <span className="muted">—</span> : `v${e.version}`}</td>
                    {kind === 'domain' && <td><DomainAllowance domain={status === 'pending' ? undefined : d} /></td>}
                    <td className="nowrap"><TimeAgo iso={e.firstSeenAt} /> <FirstBuild buildId={e.buildId} /></td>
                    <td className="nowrap"><TimeAgo iso={e.lastUsedAt} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {entries.length > cap && (
        <div className="list-foot"><span className="muted">{entries.length - cap} more</span><button type="button" onClick={() => setCap(entries.length)}>Show all</button></div>
      )}
    </div>
  );
}

function FirstBuild({ buildId }: { buildId: string }) {
  if (buildId === 'operator') return <span className="muted">by an operator</span>;
  if (!buildId) return null;
  return <Link to={paths.build(buildId)} testId="entry-build" title={oneLine(buildId, 200)}>build</Link>;
}

function DomainAllowance({ domain: d }: { domain: BaselineDomain | undefined }) {
  // Learnt or approved domains need no word here: only an operator's allowance from an alert does.
  if (!d || d.source !== 'allowed') return <span className="muted">—</span>;
  return (
    <span className="allowance">
      <span className="pill st-ack">allowed</span>
      {d.allowedKinds.length > 0 && <span className="mono"> {oneLine(d.allowedKinds.join(', '), 120)}</span>}
      {d.allowedBy !== null && <span className="muted"> by {oneLine(d.allowedBy, 64)}</span>}
      {d.reason !== null && <span className="muted"> · <TruncatedText text={d.reason} max={80} /></span>}
    </span>
  );
}
