// Renders detector evidence and action details (plain JSON) as nested key/value lists, as text only.
import type { ReactNode } from 'react';
import { TruncatedText } from './truncated-text';
import { showControls } from './visible-text';

const MAX_DEPTH = 6;
const MAX_ITEMS = 50;

export function KeyValueList({ value, compact }: { value: Record<string, unknown>; compact?: boolean }) {
  const entries = Object.entries(value);
  if (entries.length === 0) return <span className="muted">(none)</span>;
  return <dl className={compact ? 'kv kv-compact' : 'kv'}>{renderEntries(entries, 0)}</dl>;
}

function renderEntries(entries: [string, unknown][], depth: number): ReactNode {
  const shown = entries.slice(0, MAX_ITEMS);
  return (
    <>
      {shown.map(([k, v]) => (
        <div className="kv-row" key={k}>
          <dt>{showControls(k)}</dt>
          <dd><JsonValue value={v} depth={depth + 1} /></dd>
        </div>
      ))}
      {entries.length > MAX_ITEMS && <div className="muted">+{entries.length - MAX_ITEMS} more keys</div>}
    </>
  );
}

function JsonValue({ value, depth }: { value: unknown; depth: number }): ReactNode {
  if (value === null) return <span className="muted">null</span>;
  if (typeof value === 'string') return <TruncatedText text={value} className="mono" />;
  if (typeof value === 'number' || typeof value === 'boolean') return <span className="mono">{String(value)}</span>;
  if (depth > MAX_DEPTH) return <span className="muted">…</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">[]</span>;
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return (
        <span className="kv-array">
          {value.slice(0, MAX_ITEMS).map((v, i) => <span key={i} className="arg"><JsonValue value={v} depth={depth} /></span>)}
          {value.length > MAX_ITEMS && <span className="muted">+{value.length - MAX_ITEMS} more</span>}
        </span>
      );
    }
    return <dl className="kv kv-nested">{renderEntries(value.map((v, i) => [String(i), v]), depth)}</dl>;
  }
  if (typeof value === 'object') {
    return <dl className="kv kv-nested">{renderEntries(Object.entries(value as Record<string, unknown>), depth)}</dl>;
  }
  return <span className="muted">?</span>;
}
