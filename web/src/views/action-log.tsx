// Who did what and when, as the collector recorded it.
import type { Action } from '../api-types';
import { actionLabel } from '../action-labels';
import { KeyValueList } from '../key-value-list';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';

export function ActionLog({ actions }: { actions: Action[] }) {
  if (actions.length === 0) return <div className="muted pad" data-testid="action-log">Nobody has acted on this yet.</div>;
  return (
    <ol className="action-log" data-testid="action-log">
      {actions.map((a) => (
        <li key={a.id} data-testid="action-entry" data-action={a.action}>
          <span className="when"><TimeAgo iso={a.at} /></span>
          <span className="who mono"><TruncatedText text={a.actor} max={64} /></span>
          <span className="what">{actionLabel(a.action)}</span>
          <span className="target muted">{a.targetType} {oneLine(a.targetId, 24)}</span>
          {Object.keys(a.detail ?? {}).length > 0 && <div className="detail"><KeyValueList value={a.detail} compact /></div>}
        </li>
      ))}
    </ol>
  );
}
