// Alerts: the paged list, one alert with its evidence, and the triage actions on it.
import type { AlertDetail, AlertStatus, Severity } from '@telltale/proto';
import { HttpError, limit, text, time } from '../http-query.js';
import { bodyActor, bodyBoolean, bodyText } from '../http-body.js';
import { decodeQuery } from '../../core/console/decoded-query.js';
import type { TriageAction } from '../../core/console/alert-triage.js';
import { oneOf, segment, type Route, type RouteDeps } from './route.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved', 'false_positive'];
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const REASON = { max: 2000, required: true } as const;

export function alertRoutes(d: RouteDeps): Route[] {
  const broadcastAlert = (id: string) => {
    const alert = d.consoleStore.alert(id);
    if (alert) d.hub.broadcast({ type: 'alert_updated', alert });
    if (alert?.incidentId) {
      const incident = d.consoleStore.incident(alert.incidentId);
      if (incident) d.hub.broadcast({ type: 'incident_updated', incident });
    }
    return alert;
  };
  const triage = (action: TriageAction, withReason: boolean): Route => ({
    method: 'POST', pattern: new RegExp(`^/api/alerts/([^/]+)/${action.replace('_', '-')}$`), operator: true, action: `alert_${action}`,
    handle: ({ match, body, nowUs }) => {
      const id = segment(match);
      const detail = withReason ? { reason: bodyText(body, 'reason', REASON) } : {};
      const { revoked } = d.consoleStore.triage(id, action, bodyActor(body), detail, nowUs);
      if (revoked) d.revokeAllowance(revoked.pipeline, revoked.domain, revoked.kind, revoked.unlearn);
      return { alert: broadcastAlert(id) };
    },
  });
  return [
    {
      method: 'GET', pattern: /^\/api\/alerts$/,
      handle: ({ query }) => d.consoleStore.listAlerts({
        pipeline: text(query, 'pipeline'), kind: text(query, 'kind'), severity: oneOf(text(query, 'severity'), SEVERITIES, 'severity'),
        status: oneOf(text(query, 'status'), STATUSES, 'status'), buildId: text(query, 'buildId'), runId: text(query, 'runId'),
        sinceUs: time(query, 'since'), cursor: text(query, 'cursor'), limit: limit(query),
      }),
    },
    {
      method: 'GET', pattern: /^\/api\/alerts\/([^/]+)$/,
      handle: ({ match }): AlertDetail => {
        const alert = d.consoleStore.alert(segment(match));
        if (!alert) throw new HttpError(404, 'NOT_FOUND', 'no such alert');
        const sent = alert.evidence['labels'];
        const sentLabels = Array.isArray(sent) && sent.every((l) => typeof l === 'string') ? sent as string[] : undefined;
        return {
          alert,
          build: d.store.getBuild(alert.buildId),
          buildAlerts: d.consoleStore.alertsOfBuild(alert.buildId).filter((a) => a.id !== alert.id),
          decoded: alert.qname ? decodeQuery(alert.qname, alert.domain, sentLabels) : null,
          actions: d.consoleStore.actionsOf('alert', alert.id),
          incident: alert.incidentId ? d.consoleStore.incident(alert.incidentId) : null,
          domainAllowed: d.consoleStore.allowanceOf(alert),
        };
      },
    },
    triage('acknowledge', false),
    triage('resolve', true),
    triage('reopen', false),
    {
      method: 'POST', pattern: /^\/api\/alerts\/([^/]+)\/false-positive$/, operator: true, action: 'alert_false_positive',
      handle: ({ match, body, nowUs }) => {
        const id = segment(match);
        const reason = bodyText(body, 'reason', REASON)!;
        const actor = bodyActor(body);
        if (bodyBoolean(body, 'allowDomain')) {
          const allowed = d.consoleStore.falsePositiveAndAllow(id, actor, reason, nowUs);
          d.allowDomain(allowed.pipeline, allowed.domain, allowed.kind);
        } else {
          d.consoleStore.triage(id, 'false_positive', actor, { reason }, nowUs);
        }
        return { alert: broadcastAlert(id) };
      },
    },
  ];
}
