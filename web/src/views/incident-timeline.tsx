// An incident's timeline on one vertical time axis, oldest first: exec, exit, dns, connect, alert and action
// entries with distinct marks, ms offsets from the first entry (absolute time on hover), filterable by type.
// Alerts name the package behind them and, when it arrived in the build, how.
import { useMemo, useState } from 'react';
import type { TimelineEntry } from '../api-types';
import { countByType, placeTimeline, TIMELINE_TYPES, type TimelineType } from '../timeline-model';
import { formatOffset } from '../time-format';
import { Link } from '../link';
import { paths } from '../routes';
import { SeverityPill } from '../pills';
import { ArgvText } from '../argv-text';
import { TruncatedText } from '../truncated-text';
import { KeyValueList } from '../key-value-list';
import { actionLabel } from '../action-labels';
import { oneLine } from '../visible-text';
import { alertTarget } from '../alert-target';
import { alertKindLabel } from '../alert-kinds';
import { packageFacts, signalText } from '../package-evidence';
import { PackageTag } from './package-block';

const MARK: Record<TimelineType, string> = { exec: '▶', exit: '■', dns: '◆', connect: '●', alert: '⚑', action: '✎' };
const CAP = 1000;

/** `incidentId`: alerts of the incident's builds that are not in it (a look-alike's arrival) are marked so. */
export function IncidentTimeline({ entries, complete, incidentId }: { entries: TimelineEntry[]; complete: boolean; incidentId?: string }) {
  const [shown, setShown] = useState<Set<TimelineType>>(() => new Set(TIMELINE_TYPES));
  const [cap, setCap] = useState(CAP);
  const placed = useMemo(() => placeTimeline(entries, shown), [entries, shown]);
  const counts = useMemo(() => countByType(entries), [entries]);
  const toggle = (t: TimelineType) => setShown((old) => {
    const next = new Set(old);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    return next;
  });

  return (
    <div className="timeline-wrap">
      {!complete && (
        <div className="banner banner-warn inline">
          timelineComplete: false — this timeline is incomplete. A build's event log was cut to keep the page bounded, so entries
          after the cut are missing (each build shows only its first events).
        </div>
      )}
      <div className="timeline-filters" role="group" aria-label="Show entry types">
        {TIMELINE_TYPES.map((t) => (
          <label key={t} className={`tl-filter tl-${t}`}>
            <input type="checkbox" checked={shown.has(t)} onChange={() => toggle(t)} data-testid={`timeline-filter-${t}`} />
            <span className="tl-mark" aria-hidden="true">{MARK[t]}</span> {t} <span className="muted">({counts[t]})</span>
          </label>
        ))}
      </div>
      {placed.length === 0 && <div className="muted pad" data-testid="incident-timeline">No entries{entries.length ? ' of the selected types' : ''}.</div>}
      {placed.length > 0 && (
        <ol className="timeline" data-testid="incident-timeline">
          {placed.slice(0, cap).map(({ entry, offsetUs, index }) => (
            <li key={index} className={`tl-entry tl-${entry.type}`} data-testid="timeline-entry" data-type={entry.type}>
              <time className="tl-time num" dateTime={entry.at} title={entry.at}>{formatOffset(offsetUs)}</time>
              <span className="tl-mark" aria-hidden="true">{Object.hasOwn(MARK, entry.type) ? MARK[entry.type] : '?'}</span>
              <span className="tl-type">{entry.type}</span>
              <div className="tl-body"><EntryBody entry={entry} incidentId={incidentId} /></div>
            </li>
          ))}
        </ol>
      )}
      {placed.length > cap && (
        <div className="list-foot">
          <span className="muted">{placed.length - cap} more entries</span>
          <button type="button" onClick={() => setCap((c) => c + 5000)}>Show more</button>
        </div>
      )}
    </div>
  );
}

function EntryBody({ entry: e, incidentId }: { entry: TimelineEntry; incidentId: string | undefined }) {
  switch (e.type) {
    case 'exec':
      return (
        <>
          <span className="muted">pid {e.pid} ← {e.ppid}</span> <span className="mono"><TruncatedText text={e.exe} max={80} /></span>{' '}
          <ArgvText argv={e.argv.slice(1)} first={4} maxArg={60} emptyText={null} />
          {e.cwd !== '' && <> <span className="muted">in</span> <span className="mono"><TruncatedText text={e.cwd} max={60} /></span></>}
        </>
      );
    case 'exit':
      return <><span className="muted">pid {e.pid}</span> exited <span className={e.exitCode === 0 ? 'num' : 'num exit-bad'}>{e.exitCode}</span></>;
    case 'dns':
      return (
        <>
          <span className="muted">pid {e.pid}</span> <span className="mono">{oneLine(e.qtype, 10)}</span> <span className="mono qname"><TruncatedText text={e.qname} /></span>
          {e.count > 1 && <span className="muted"> ×{e.count}</span>}{' '}
          {e.baselineKnown ? <span className="known-yes">known</span> : <span className="known-no">new</span>}
        </>
      );
    case 'connect':
      return (
        <>
          <span className="muted">pid {e.pid}</span> <span className="mono">{oneLine(e.address, 60)}:{e.port}/{oneLine(e.protocol, 8)}</span>
          {e.count > 1 && <span className="muted"> ×{e.count}</span>} {e.external ? <span className="known-no">external</span> : <span className="muted">internal</span>}
        </>
      );
    case 'alert':
      return <AlertEntry alert={e.alert} outside={incidentId !== undefined && e.alert.incidentId !== incidentId} />;
    case 'action':
      return (
        <>
          <span className="mono">{oneLine(e.action.actor, 64)}</span> {actionLabel(e.action.action)}
          {Object.keys(e.action.detail ?? {}).length > 0 && <KeyValueList value={e.action.detail} compact />}
        </>
      );
    default:
      return null;
  }
}

function AlertEntry({ alert: a, outside }: { alert: Extract<TimelineEntry, { type: 'alert' }>['alert']; outside: boolean }) {
  const pkg = packageFacts(a);
  // A look-alike's target is its signal, shown below with the package.
  const target = pkg?.lookAlike ? '' : alertTarget(a);
  return (
    <>
      <SeverityPill severity={a.severity} /> <Link to={paths.alert(a.id)} className="mono" title={alertKindLabel(a.kind)}>{oneLine(a.kind, 40)}</Link>{' '}
      {pkg && <PackageTag pkg={pkg} testId="timeline-package" />}{' '}
      {target && <span className="mono">{oneLine(target, 120)}</span>}
      <span className="muted"> · raised <span title={a.createdAt}>{detectedAfter(a)}</span></span>
      {outside && <span className="pill st-fp tl-outside" title="Raised in one of this incident's builds; not added to the incident">not in this incident</span>}
      {pkg?.arrival && <div className={pkg.arrivedInThisBuild ? 'tl-arrival pkg-arrival-new' : 'tl-arrival'} data-testid="timeline-arrival">{oneLine(pkg.arrival, 400)}</div>}
      {pkg?.lookAlike && pkg.typosquat.length > 0 && <div className="tl-signal">{oneLine(pkg.typosquat.map(signalText).join('; '), 300)}</div>}
    </>
  );
}

/** How long after its event the collector raised the alert (its time to detect). */
function detectedAfter(a: { eventAtUs: number; createdAtUs: number }): string {
  const ms = Math.max(0, (a.createdAtUs - a.eventAtUs) / 1000);
  return ms < 1000 ? `${ms.toFixed(1)} ms later` : `${(ms / 1000).toFixed(2)} s later`;
}
