// Checks WebSocket frames before the app sees them: anything malformed or unknown is dropped, never thrown.
import type { StreamMessage, BuildSummary, Alert, IncidentSummary, StatsTick, DrillRecord } from './api-types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every named field has the given typeof ('null' allows null besides the type before it). */
function has(o: Obj, spec: Record<string, string>): boolean {
  for (const [key, want] of Object.entries(spec)) {
    const v = o[key];
    const [type, nullable] = want.split('|');
    if (nullable === 'null' && v === null) continue;
    if (type === 'array' ? !Array.isArray(v) : type === 'object' ? !isObj(v) : typeof v !== type) return false;
  }
  return true;
}

export function isBuildSummary(v: unknown): v is BuildSummary {
  return isObj(v) && has(v, {
    id: 'string', pipeline: 'string', runId: 'string', job: 'string', repo: 'string', commit: 'string', agentHost: 'string',
    state: 'string', startedAt: 'string', startedAtUs: 'number', endedAt: 'string|null', counts: 'object', coverageIncomplete: 'boolean',
  }) && has(v.counts as Obj, { processes: 'number', dnsQueries: 'number', connects: 'number', alerts: 'number' });
}

export function isAlert(v: unknown): v is Alert {
  return isObj(v) && has(v, {
    id: 'string', kind: 'string', severity: 'string', status: 'string', pipeline: 'string', buildId: 'string',
    qname: 'string|null', domain: 'string|null', address: 'string|null', pid: 'number', chain: 'array', evidence: 'object',
    eventAt: 'string', createdAt: 'string', createdAtUs: 'number', incidentId: 'string|null',
  });
}

export function isIncidentSummary(v: unknown): v is IncidentSummary {
  return isObj(v) && has(v, {
    id: 'string', title: 'string', status: 'string', createdAt: 'string', alertCount: 'number', pipelines: 'array',
    timeToDetectMs: 'number|null', timeToResolveMs: 'number|null',
  });
}

export function isStatsTick(v: unknown): v is StatsTick {
  return isObj(v) && has(v, { at: 'string', atMs: 'number', events: 'number', alerts: 'number' });
}

export function isDrillRecord(v: unknown): v is DrillRecord {
  return isObj(v) && has(v, {
    id: 'string', at: 'string', variant: 'object', passed: 'boolean', detected: 'boolean', timeToDetectMs: 'number|null',
    maxTtdMs: 'number', detectors: 'array', chainNamesCrate: 'boolean', layers: 'object', queries: 'number', buildExitCode: 'number',
  }) && has(v.variant as Obj, { encoding: 'string', chunk: 'string', paceMs: 'number', qtype: 'string', channel: 'string', control: 'boolean' })
    && has(v.layers as Obj, { limit: 'string', canaryReachedServer: 'boolean', canaryReconstructed: 'boolean', exposed: 'boolean' })
    && (v.detectors as unknown[]).every((d) => typeof d === 'string');
}

export function parseStreamMessage(data: unknown): StreamMessage | null {
  if (typeof data !== 'string') return null;
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObj(m)) return null;
  switch (m.type) {
    case 'hello': return { type: 'hello', version: 1 };
    case 'build': return isBuildSummary(m.build) ? { type: 'build', build: m.build } : null;
    case 'alert': return isAlert(m.alert) ? { type: 'alert', alert: m.alert } : null;
    case 'alert_updated': return isAlert(m.alert) ? { type: 'alert_updated', alert: m.alert } : null;
    case 'incident_updated': return isIncidentSummary(m.incident) ? { type: 'incident_updated', incident: m.incident } : null;
    case 'stats': return isStatsTick(m.tick) ? { type: 'stats', tick: m.tick } : null;
    case 'drill': return isDrillRecord(m.drill) ? { type: 'drill', drill: m.drill } : null;
    default: return null;
  }
}

/** Reconnect delay after `attempt` consecutive failures: 0.5 s doubling, at most 10 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
}
