// An argv array shown as separate, truncated arguments: the first few, then "+N more" on demand.
import { useState } from 'react';
import { TruncatedText } from './truncated-text';

export function ArgvText({ argv, first = 8, maxArg = 120, emptyText = '(no argv)' }: { argv: string[]; first?: number; maxArg?: number; emptyText?: string | null }) {
  const [all, setAll] = useState(false);
  const shown = all ? argv : argv.slice(0, first);
  if (argv.length === 0 && emptyText === null) return null;
  return (
    <span className="argv">
      {shown.map((arg, i) => (
        // Each argument in its own box: argument boundaries stay visible without quoting.
        <span key={i} className="arg"><TruncatedText text={arg} max={maxArg} /></span>
      ))}
      {argv.length === 0 && <span className="muted">{emptyText}</span>}
      {!all && argv.length > first && (
        <button type="button" className="tt-toggle" onClick={() => setAll(true)}>+{argv.length - first} more</button>
      )}
    </span>
  );
}
