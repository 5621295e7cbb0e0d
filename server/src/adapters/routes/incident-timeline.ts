// Gathers an incident's timeline from the store within a fixed budget: a request replays at
// most TIMELINE_BATCHES raw batches in all (on the event loop, so ingest waits meanwhile).
// Alerts carry their evidence, so each names the package whose build script raised it.
import type { Alert, TimelineEntry } from '@telltale/proto';
import type { Store } from '../store.js';
import type { ConsoleStore } from '../console-store.js';
import { usToIso } from '../store-rows.js';
import { mergeTimeline } from '../../core/console/timeline.js';

export const TIMELINE_BATCHES = 2000;
const TIMELINE_BUILDS = 20;
const ROWS_PER_BUILD = 5000;
/** A build too long to replay whole is shown from this long before its first alert's detection. */
const WINDOW_BEFORE_ALERT_US = 10 * 60_000_000;

export function incidentTimeline(store: Store, consoleStore: ConsoleStore, incidentId: string, alerts: Alert[], buildIds: string[]) {
  const entries: TimelineEntry[] = [];
  let complete = buildIds.length <= TIMELINE_BUILDS;
  const builds = buildIds.slice(0, TIMELINE_BUILDS);
  const share = Math.max(1, Math.floor(TIMELINE_BATCHES / Math.max(1, builds.length)));
  for (const buildId of builds) {
    const batches = store.batchCountOf(buildId);
    let from = 0;
    if (batches > share) {
      complete = false;
      const detected = alerts.filter((a) => a.buildId === buildId).reduce((m, a) => Math.min(m, a.createdAtUs), Infinity);
      if (detected !== Infinity) from = detected - WINDOW_BEFORE_ALERT_US;
    }
    let processEvents = 0;
    for (const e of store.eventsOf(buildId, share, from)) {
      if (e.kind !== 'exec' && e.kind !== 'exit') continue;
      if (++processEvents > ROWS_PER_BUILD) { complete = false; break; }
      if (e.kind === 'exec') {
        entries.push({ type: 'exec', atUs: e.timeUs, at: usToIso(e.timeUs), buildId, pid: e.pid, ppid: e.ppid, exe: e.exe, argv: e.argv, cwd: e.cwd });
      } else {
        entries.push({ type: 'exit', atUs: e.timeUs, at: usToIso(e.timeUs), buildId, pid: e.pid, exitCode: e.exitCode });
      }
    }
    const dns = store.dnsNamesOf(buildId, ROWS_PER_BUILD);
    const connects = store.destinationsOf(buildId, ROWS_PER_BUILD);
    if (dns.length === ROWS_PER_BUILD || connects.length === ROWS_PER_BUILD) complete = false;
    for (const r of dns) {
      entries.push({
        type: 'dns', atUs: r.first_us, at: usToIso(r.first_us), buildId, pid: r.first_pid, qname: r.qname, qtype: r.qtype, domain: r.domain,
        count: r.count, baselineKnown: r.baseline_known === 1,
      });
    }
    for (const r of connects) {
      entries.push({
        type: 'connect', atUs: r.first_us, at: usToIso(r.first_us), buildId, pid: r.first_pid, address: r.address, port: r.port,
        protocol: r.protocol, external: r.external === 1, count: r.count,
      });
    }
  }
  // Alerts sit at the event that raised them (the agent's clock, like every entry above);
  // when they were raised (the collector's clock) travels in the alert itself.
  for (const alert of alerts) entries.push({ type: 'alert', atUs: alert.eventAtUs, at: alert.eventAt, buildId: alert.buildId, alert });
  // A look-alike package that arrived in one of these builds is the story's first line, whether
  // or not someone added its low-severity finding to the incident (its incidentId tells which).
  const included = new Set(alerts.map((a) => a.id));
  for (const buildId of builds) {
    for (const alert of consoleStore.alertsOfBuild(buildId)) {
      if (alert.kind !== 'typosquat_package' || included.has(alert.id)) continue;
      entries.push({ type: 'alert', atUs: alert.eventAtUs, at: alert.eventAt, buildId, alert });
    }
  }
  // Actions are the collector's clock: they come after everything they act on.
  for (const action of consoleStore.incidentActions(incidentId)) entries.push({ type: 'action', atUs: action.atUs, at: action.at, action });
  return { entries: mergeTimeline(entries), complete };
}
