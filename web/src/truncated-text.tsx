// Shows attacker-chosen text safely: control characters made visible, the first ~120 characters, and the rest on demand.
import { useMemo, useState } from 'react';
import { clipHead, showControls } from './visible-text';

export function TruncatedText({ text, max = 120, className }: { text: string; max?: number; className?: string }) {
  const [open, setOpen] = useState(false);
  const visible = useMemo(() => showControls(text), [text]);
  const cls = `tt${className ? ` ${className}` : ''}`;
  if (visible.length <= max) return <span className={cls}>{visible}</span>;
  if (open) {
    return (
      <span className={cls}>
        {visible}
        <button type="button" className="tt-toggle" onClick={() => setOpen(false)}>show less</button>
      </span>
    );
  }
  const head = clipHead(visible, max);
  return (
    <span className={cls}>
      {head}
      <button type="button" className="tt-toggle" data-testid="truncated-toggle" onClick={() => setOpen(true)}>
        … (+{visible.length - head.length} chars) show all
      </button>
    </span>
  );
}
