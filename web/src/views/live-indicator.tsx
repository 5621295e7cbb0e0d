// The header's live/reconnecting indicator and the banner shown while live updates are lost.
import { useLiveStatus } from '../live-stream';
import { useNow } from '../use-now';

export function LiveIndicator() {
  const s = useLiveStatus();
  const text = s.state === 'live' ? 'live' : s.state === 'connecting' ? 'connecting' : `reconnecting (${s.attempt})`;
  return (
    <span className={`live-status live-${s.state}`} data-testid="live-status" title="Live updates over WebSocket /api/stream">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function LiveBanner() {
  const s = useLiveStatus();
  const now = useNow();
  if (s.state === 'reconnecting') {
    return (
      <div className="banner banner-warn" data-testid="live-banner" role="status">
        Live updates lost — reconnecting… (attempt {s.attempt}). What you see may be out of date; it refreshes when the stream is back.
      </div>
    );
  }
  if (s.state === 'live' && s.liveAgainUntil > now) {
    return <div className="banner banner-ok" data-testid="live-banner" role="status">Live again — refreshed this view.</div>;
  }
  return null;
}
