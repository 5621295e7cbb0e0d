// Incidents: opened from alerts, with notes, a status, and one timeline of what happened.
import type { IncidentDetail, IncidentStatus, TimelineEntry } from '@telltale/proto';
import { HttpError, limit, text } from '../http-query.js';
import { bodyActor, bodyIdList, bodyText } from '../http-body.js';
import { usToIso } from '../store-rows.js';
import { mergeTimeline } from '../../core/console/timeline.js';
import { oneOf, segment, type Route, type RouteDeps } from './route.js';
import { TREE_BATCHES } from './build-routes.js';

const STATUSES: readonly IncidentStatus[] = ['open', 'contained', 'closed'];
/** Bounds one incident page: builds taken into the timeline, and process events per build. */
const TIMELINE_BUILDS = 20;
const PROCESS_EVENTS_PER_BUILD = 5000;

export function incidentRoutes(d: RouteDeps): Route[] {
  const announce = (id: string) => {
    const incident = d.consoleStore.incident(id);
    if (incident) d.hub.broadcast({ type: 'incident_updated', incident });
    for (const alert of d.consoleStore.incidentAlerts(id)) d.hub.broadcast({ type: 'alert_updated', alert });
    return incident;
  };

  const timeline = (id: string): { entries: TimelineEntry[]; complete: boolean } => {
    const incident = d.consoleStore.incident(id)!;
    const entries: TimelineEntry[] = [];
    let complete = incident.buildIds.length <= TIMELINE_BUILDS;
    for (const buildId of incident.buildIds.slice(0, TIMELINE_BUILDS)) {
      let processEvents = 0;
      if (d.store.batchCountOf(buildId) > TREE_BATCHES) complete = false;
      for (const e of d.store.eventsOf(buildId, TREE_BATCHES)) {
        if (e.kind !== 'exec' && e.kind !== 'exit') continue;
        if (++processEvents > PROCESS_EVENTS_PER_BUILD) { complete = false; break; }
        if (e.kind === 'exec') {
          entries.push({ type: 'exec', atUs: e.timeUs, at: usToIso(e.timeUs), buildId, pid: e.pid, ppid: e.ppid, exe: e.exe, argv: e.argv, cwd: e.cwd });
        } else {
          entries.push({ type: 'exit', atUs: e.timeUs, at: usToIso(e.timeUs), buildId, pid: e.pid, exitCode: e.exitCode });
        }
      }
      for (const r of d.store.dnsNamesOf(buildId, 5000)) {
        entries.push({
          type: 'dns', atUs: r.first_us, at: usToIso(r.first_us), buildId, pid: r.first_pid, qname: r.qname, qtype: r.qtype, domain: r.domain,
          count: r.count, baselineKnown: r.baseline_known === 1,
        });
      }
      for (const r of d.store.destinationsOf(buildId, 5000)) {
        entries.push({
          type: 'connect', atUs: r.first_us, at: usToIso(r.first_us), buildId, pid: r.first_pid, address: r.address, port: r.port,
          protocol: r.protocol, external: r.external === 1, count: r.count,
        });
      }
    }
    for (const alert of d.consoleStore.incidentAlerts(id)) {
      entries.push({ type: 'alert', atUs: alert.createdAtUs, at: alert.createdAt, buildId: alert.buildId, alert });
    }
    for (const action of d.consoleStore.incidentActions(id)) entries.push({ type: 'action', atUs: action.atUs, at: action.at, action });
    return { entries: mergeTimeline(entries), complete };
  };

  return [
    {
      method: 'GET', pattern: /^\/api\/incidents$/,
      handle: ({ query }) => d.consoleStore.listIncidents({
        status: oneOf(text(query, 'status'), STATUSES, 'status'), cursor: text(query, 'cursor'), limit: limit(query),
      }),
    },
    {
      method: 'GET', pattern: /^\/api\/incidents\/([^/]+)$/,
      handle: ({ match }): IncidentDetail => {
        const id = segment(match);
        const incident = d.consoleStore.incident(id);
        if (!incident) throw new HttpError(404, 'NOT_FOUND', 'no such incident');
        const t = timeline(id);
        return { incident, alerts: d.consoleStore.incidentAlerts(id), timeline: t.entries, timelineComplete: t.complete, actions: d.consoleStore.incidentActions(id) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents$/, operator: true, action: 'incident_open', status: 201,
      handle: ({ body, nowUs }) => {
        const title = bodyText(body, 'title', { max: 200, required: true, singleLine: true })!;
        const incident = d.consoleStore.openIncident(title, bodyIdList(body, 'alertIds'), bodyActor(body), nowUs);
        return { incident: announce(incident.id) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents\/([^/]+)\/alerts$/, operator: true, action: 'incident_add_alerts',
      handle: ({ match, body, nowUs }) => {
        const incident = d.consoleStore.addAlerts(segment(match), bodyIdList(body, 'alertIds'), bodyActor(body), nowUs);
        return { incident: announce(incident.id) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents\/([^/]+)\/notes$/, operator: true, action: 'incident_note', status: 201,
      handle: ({ match, body, nowUs }) => {
        const id = segment(match);
        const action = d.consoleStore.addNote(id, bodyText(body, 'text', { max: 10_000, required: true })!, bodyActor(body), nowUs);
        announce(id);
        return { action };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents\/([^/]+)\/status$/, operator: true, action: 'incident_status',
      handle: ({ match, body, nowUs }) => {
        const status = oneOf(bodyText(body, 'status', { max: 20, required: true }), STATUSES, 'status')!;
        const incident = d.consoleStore.setIncidentStatus(segment(match), status, bodyActor(body), nowUs);
        return { incident: announce(incident.id) };
      },
    },
  ];
}
