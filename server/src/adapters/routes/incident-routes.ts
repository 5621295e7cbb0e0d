// Incidents: opened from alerts, with notes, a status, and one timeline of what happened.
import type { IncidentDetail, IncidentStatus } from '@telltale/proto';
import { HttpError, limit, text } from '../http-query.js';
import { bodyActor, bodyIdList, bodyText } from '../http-body.js';
import { incidentTimeline } from './incident-timeline.js';
import { oneOf, segment, type Route, type RouteDeps } from './route.js';

const STATUSES: readonly IncidentStatus[] = ['open', 'contained', 'closed'];

export function incidentRoutes(d: RouteDeps): Route[] {
  /** Tells every console the incident changed, and the alerts it just took in (not all of them: an incident may hold thousands). */
  const announce = (id: string, attached: readonly string[] = []) => {
    const incident = d.consoleStore.incident(id);
    if (incident) d.hub.broadcast({ type: 'incident_updated', incident });
    for (const alertId of attached) {
      const alert = d.consoleStore.alert(alertId);
      if (alert) d.hub.broadcast({ type: 'alert_updated', alert });
    }
    return incident;
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
        const alerts = d.consoleStore.incidentAlerts(id);
        const t = incidentTimeline(d.store, d.consoleStore, id, alerts, incident.buildIds);
        return { incident, alerts, timeline: t.entries, timelineComplete: t.complete && alerts.length === incident.alertCount, actions: d.consoleStore.incidentActions(id) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents$/, operator: true, action: 'incident_open', status: 201,
      handle: ({ body, nowUs }) => {
        const title = bodyText(body, 'title', { max: 200, required: true, singleLine: true })!;
        const alertIds = bodyIdList(body, 'alertIds');
        const incident = d.consoleStore.openIncident(title, alertIds, bodyActor(body), nowUs);
        return { incident: announce(incident.id, alertIds) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/incidents\/([^/]+)\/alerts$/, operator: true, action: 'incident_add_alerts',
      handle: ({ match, body, nowUs }) => {
        const alertIds = bodyIdList(body, 'alertIds');
        const incident = d.consoleStore.addAlerts(segment(match), alertIds, bodyActor(body), nowUs);
        return { incident: announce(incident.id, alertIds) };
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
