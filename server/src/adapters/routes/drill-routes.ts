// Fire drills: `telltale drill` posts each outcome; the console lists them (time to detect,
// which layers caught the leak, the trend).
import type { DrillRecord } from '@telltale/proto';
import { HttpError, limit, text } from '../http-query.js';
import type { Route, RouteDeps } from './route.js';

const bad = (what: string) => new HttpError(400, 'BAD_BODY', `drill ${what}`);
const str = (v: unknown, what: string, max = 64): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) throw bad(`${what} must be a short printable string`);
  return v;
};
const bool = (v: unknown, what: string): boolean => {
  if (typeof v !== 'boolean') throw bad(`${what} must be true or false`);
  return v;
};
const num = (v: unknown, what: string, opts: { nullable?: boolean; integer?: boolean; min?: number } = {}): number => {
  if (opts.nullable && v === null) return null as unknown as number;
  const min = opts.min ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > 1e12 || (opts.integer && !Number.isInteger(v))) {
    throw bad(`${what} must be a ${opts.integer ? 'whole ' : ''}number from ${min}`);
  }
  return v;
};
const obj = (v: unknown, what: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Record<string, unknown>;
};

/** The drill report a client posts, parsed into exactly the record we keep. */
export function parseDrill(body: Record<string, unknown>): DrillRecord {
  const v = obj(body['variant'], 'variant');
  const l = obj(body['layers'], 'layers');
  const detectors = body['detectors'];
  if (!Array.isArray(detectors) || detectors.length > 16) throw bad('detectors must be a list');
  const at = str(body['startedAt'] ?? body['at'], 'startedAt', 40);
  if (Number.isNaN(Date.parse(at))) throw bad('startedAt must be an ISO 8601 time');
  const queries = body['queryNames'];
  return {
    id: str(body['drillId'] ?? body['id'], 'drillId', 32),
    at: new Date(Date.parse(at)).toISOString(),
    variant: {
      encoding: str(v['encoding'], 'variant.encoding'), chunk: str(v['chunk'], 'variant.chunk'), paceMs: num(v['paceMs'], 'variant.paceMs', { integer: true }),
      qtype: str(v['qtype'], 'variant.qtype'), channel: str(v['channel'], 'variant.channel'), control: bool(v['control'], 'variant.control'),
    },
    passed: bool(body['passed'], 'passed'),
    detected: bool(body['detected'], 'detected'),
    timeToDetectMs: num(body['timeToDetectMs'], 'timeToDetectMs', { nullable: true }),
    maxTtdMs: num(body['maxTtdMs'], 'maxTtdMs', { integer: true }),
    detectors: detectors.map((d, i) => str(d, `detectors[${i}]`)),
    chainNamesCrate: bool(body['chainNamesCrate'], 'chainNamesCrate'),
    layers: {
      limit: str(l['limit'], 'layers.limit'), canaryReachedServer: bool(l['canaryReachedServer'], 'layers.canaryReachedServer'),
      canaryReconstructed: bool(l['canaryReconstructed'], 'layers.canaryReconstructed'), exposed: bool(l['exposed'], 'layers.exposed'),
    },
    queries: Array.isArray(queries) ? queries.length : num(body['queries'], 'queries', { integer: true }),
    buildExitCode: num(body['buildExitCode'], 'buildExitCode', { integer: true, min: -1 }),
    guard: parseDrillGuard(body['guard']),
  };
}

const GUARD_MODES = ['audit', 'enforce'] as const;

/** The guard's part in a drill (--guard), or null when the drill ran without one. */
function parseDrillGuard(v: unknown): DrillRecord['guard'] {
  if (v === undefined || v === null) return null;
  const g = obj(v, 'guard');
  const mode = str(g['mode'], 'guard.mode');
  const asked = str(g['asked'], 'guard.asked');
  if (!GUARD_MODES.includes(mode as never) || !GUARD_MODES.includes(asked as never)) throw bad('guard.mode and guard.asked must be audit or enforce');
  return { mode: mode as 'audit' | 'enforce', asked: asked as 'audit' | 'enforce', refused: num(g['refused'], 'guard.refused', { integer: true }) };
}

/** A report that calls itself passed must say why: detected within its bound (or a clean control). */
function consistent(d: DrillRecord): boolean {
  if (!d.passed) return true;
  if (d.variant.control) return !d.detected;
  // A guarded drill passes only when the guard blocked the leak.
  if (d.guard !== null && d.layers.limit !== 'blocked') return false;
  return d.detected && d.timeToDetectMs !== null && d.timeToDetectMs <= d.maxTtdMs;
}

export function drillRoutes(d: RouteDeps): Route[] {
  return [
    {
      method: 'GET', pattern: /^\/api\/drills$/,
      handle: ({ query }) => d.consoleStore.listDrills({ cursor: text(query, 'cursor'), limit: limit(query) }),
    },
    {
      method: 'POST', pattern: /^\/api\/drills$/, operator: true, action: 'drill_report', status: 201,
      handle: ({ body }) => {
        const drill = parseDrill(body);
        if (!consistent(drill)) throw bad('passed contradicts detected, timeToDetectMs and maxTtdMs');
        if (!d.consoleStore.addDrill(drill)) throw new HttpError(409, 'DRILL_EXISTS', 'a drill with this id is already kept');
        d.hub.broadcast({ type: 'drill', drill });
        return { drill };
      },
    },
  ];
}
