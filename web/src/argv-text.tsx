// An argv array shown as separate, truncated arguments: the first few, then "+N more" on demand.
import { useState } from 'react';
import { TruncatedText } from './truncated-text';

export function ArgvText({ argv, first = 8, maxArg = 120 }: { argv: string[]; first?: number; maxArg?: number }) {
  const [all, setAll] = useState(false);
  const shown = all ? argv : argv.slice(0, first);
  return (
    <span className="argv">
      {shown.map((arg, i) => (
        // Each argument in its own box: argument boundaries stay visible without quoting.
        <span key={i} className="arg"><TruncatedText text={arg} max={maxArg} /></span>
      ))}
      {argv.length === 0 && <span className="muted">(no argv)</span>}
      {!all && argv.length > first && (
        <button type="button" className="tt-toggle" onClick={() => setAll(true)}>+{argv.length - first} more</button>
      )}
    </span>
  );
}
