// Relative time ("3 min ago") with the absolute ISO time on hover, and a ticking duration for running things.
import { useNow } from './use-now';
import { buildDurationMs, formatDuration, relativeTime } from './time-format';

export function TimeAgo({ iso }: { iso: string | null | undefined }) {
  const now = useNow();
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso} title={iso}>{relativeTime(iso, now)}</time>;
}

export function BuildDuration({ startedAt, endedAt }: { startedAt: string; endedAt: string | null }) {
  const now = useNow();
  return <span className={endedAt ? 'num' : 'num running-duration'}>{formatDuration(buildDurationMs(startedAt, endedAt, now))}</span>;
}
