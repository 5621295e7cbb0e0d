// Pure helpers for an incident timeline: entry types, offsets from the first entry, and type filtering.
import type { TimelineEntry } from './api-types';

export type TimelineType = TimelineEntry['type'];
export const TIMELINE_TYPES: readonly TimelineType[] = ['exec', 'exit', 'dns', 'connect', 'alert', 'action'];

export interface PlacedEntry { entry: TimelineEntry; offsetUs: number; index: number }

/** Entries sorted oldest first (stable), each with its offset from the first entry, then filtered by type. */
export function placeTimeline(entries: TimelineEntry[], shown: ReadonlySet<TimelineType>): PlacedEntry[] {
  const sorted = entries.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.atUs - b.entry.atUs || a.index - b.index);
  const first = sorted[0]?.entry.atUs ?? 0;
  return sorted.filter(({ entry }) => shown.has(entry.type)).map(({ entry, index }) => ({ entry, index, offsetUs: entry.atUs - first }));
}

export function countByType(entries: TimelineEntry[]): Record<TimelineType, number> {
  const out: Record<TimelineType, number> = { exec: 0, exit: 0, dns: 0, connect: 0, alert: 0, action: 0 };
  for (const e of entries) if (Object.hasOwn(out, e.type)) out[e.type]++;
  return out;
}
