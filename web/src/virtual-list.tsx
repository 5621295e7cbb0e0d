// A fixed-row-height virtual list: only the rows on screen (plus overscan) exist in the DOM, so tens of
// thousands of rows scroll smoothly. Asks for more when the user nears the end.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { visibleRange } from './visible-range';

export function VirtualList({ count, rowHeight, renderRow, itemKey, onNearEnd, nearEnd = 40, className, header, footer, testId }: {
  count: number;
  /** Identifies rows so that rows arriving above the viewport (live prepends) do not move what the user reads. */
  itemKey?: (index: number) => string;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Called when the last rendered row is within `nearEnd` rows of the end. */
  onNearEnd?: () => void;
  nearEnd?: number;
  className?: string;
  header?: ReactNode;
  footer?: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Scroll anchoring: when rows were inserted before the previous first row while the user is
  // scrolled down, shift by as many rows so the rows on screen stay put.
  const firstKey = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const prev = firstKey.current;
    firstKey.current = itemKey && count > 0 ? itemKey(0) : null;
    if (!el || !itemKey || prev === null || el.scrollTop === 0 || firstKey.current === prev) return;
    for (let i = 1; i < Math.min(count, 500); i++) {
      if (itemKey(i) === prev) {
        el.scrollTop += i * rowHeight;
        setScrollTop(el.scrollTop);
        return;
      }
    }
  }, [count, itemKey, rowHeight]);

  const { start, end } = visibleRange(scrollTop, height, rowHeight, count);

  useEffect(() => {
    if (onNearEnd && count > 0 && end >= count - nearEnd) onNearEnd();
  }, [end, count, nearEnd, onNearEnd]);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <div key={i} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>{renderRow(i)}</div>,
    );
  }
  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} data-testid={testId} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      {header}
      <div className="vlist-body" style={{ height: count * rowHeight }}>{rows}</div>
      {footer}
    </div>
  );
}
