// Human time: relative ages ("3 min ago"), durations, and ms-precision offsets for timelines.

export function relativeTime(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const s = Math.round((nowMs - t) / 1000);
  // Small clock skew between collector and browser would otherwise say "in 2 s".
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  const a = Math.abs(ms);
  let out: string;
  if (a < 1000) out = `${Math.round(a)} ms`;
  else if (a < 60_000) out = `${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  else if (a < 3_600_000) out = `${Math.floor(a / 60_000)}m ${pad(Math.floor(a / 1000) % 60)}s`;
  else if (a < 86_400_000) out = `${Math.floor(a / 3_600_000)}h ${pad(Math.floor(a / 60_000) % 60)}m`;
  else out = `${Math.floor(a / 86_400_000)}d ${pad(Math.floor(a / 3_600_000) % 24)}h`;
  return neg ? `-${out}` : out;
}

/** Offset from a timeline's first entry, in microseconds → "+1:02.345" (ms precision; hours when needed). */
export function formatOffset(us: number): string {
  const totalMs = Math.max(0, Math.floor(us / 1000));
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  const tail = `${pad(s)}.${pad(ms, 3)}`;
  return h > 0 ? `+${h}:${pad(m)}:${tail}` : `+${m}:${tail}`;
}

/** Duration of a build: end − start, or now − start while it runs. */
export function buildDurationMs(startedAt: string, endedAt: string | null, nowMs: number): number | null {
  const start = Date.parse(startedAt);
  if (!Number.isFinite(start)) return null;
  const end = endedAt ? Date.parse(endedAt) : nowMs;
  return Number.isFinite(end) ? Math.max(0, end - start) : null;
}
