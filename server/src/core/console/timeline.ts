// An incident's timeline: a build's process events, DNS names, connections, alerts and the
// team's actions merged onto one time axis, oldest first.
import type { TimelineEntry } from '@telltale/proto';

const order: Record<TimelineEntry['type'], number> = { exec: 0, dns: 1, connect: 2, exit: 3, alert: 4, action: 5 };

/** Sorts by time; at the same microsecond, cause before effect (exec, traffic, exit, alert, action). */
export function mergeTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  return entries.sort((a, b) => a.atUs - b.atUs || order[a.type] - order[b.type]);
}
