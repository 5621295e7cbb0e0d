// The collector's HTTP face: the JSON API the console and operators use, /metrics, the
// WebSocket stream and the console's files. Actions need the operator token; reads need it
// too unless the API listens on loopback only.
import http from 'node:http';
import type { Metrics } from './metrics.js';
import type { StreamHub } from './stream-hub.js';
import { HttpError } from './http-query.js';
import { readJsonBody } from './http-body.js';
import { ConsoleError } from './console-store.js';
import { tokenMatches } from './operator-token.js';
import type { ConsoleFiles } from './static-files.js';
import type { Logger } from './collector.js';
import { RawAnswer, type Route, type RouteDeps } from './routes/route.js';
import { baselineRoutes } from './routes/baseline-routes.js';
import { guardRoutes } from './routes/guard-routes.js';
import type { GuardVerdictSink } from './guard-verdicts.js';
import { buildRoutes } from './routes/build-routes.js';
import { alertRoutes } from './routes/alert-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { pipelineRoutes } from './routes/pipeline-routes.js';
import { drillRoutes } from './routes/drill-routes.js';

export { toTree } from './process-tree-json.js';

export interface HttpApiDeps extends RouteDeps {
  metrics: Metrics;
  hub: StreamHub;
  log: Logger;
  startedAt: number;
  operatorToken: string;
  /** The API listens on loopback only: reads are open, but only to loopback host names. */
  loopbackOnly: boolean;
  consoleFiles: ConsoleFiles;
  /** Where `telltale guard` reports land (absent in tests that do not need it). */
  guardSink?: GuardVerdictSink;
}

const CONSOLE_ERROR_STATUS: Record<ConsoleError['code'], number> = {
  NOT_FOUND: 404, INVALID_TRANSITION: 409, ALERT_IN_INCIDENT: 409, NO_DOMAIN: 409, BAD_CURSOR: 400,
};

/** Host names a loopback-only API answers to; anything else is a DNS-rebinding attempt. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/i;

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** The token a browser WebSocket offers as a subprotocol (it cannot set headers). */
function protocolToken(req: http.IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith('telltale-token.'))?.slice('telltale-token.'.length);
}

/** A browser's Origin must name the host it talks to: other sites' pages cannot read the stream or act. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function createHttpApi(deps: HttpApiDeps): http.Server {
  const { metrics, hub } = deps;
  const readsNeedToken = !deps.loopbackOnly;
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api\/health$/, handle: () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000) }) },
    ...buildRoutes(deps), ...alertRoutes(deps), ...incidentRoutes(deps), ...pipelineRoutes(deps, readsNeedToken), ...drillRoutes(deps), ...baselineRoutes(deps),
    ...(deps.guardSink ? guardRoutes(deps.guardSink) : []),
  ];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const send = (status: number, body: string, type: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    try {
      if (deps.loopbackOnly && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
        throw new HttpError(421, 'MISDIRECTED', 'this collector answers to loopback host names only');
      }
      const operator = tokenMatches(deps.operatorToken, bearer(req));
      const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
      if (isApi && readsNeedToken && !operator && url.pathname !== '/api/health') {
        throw new HttpError(401, 'UNAUTHORIZED', 'this collector listens beyond loopback: send the operator token as a Bearer token');
      }
      if (url.pathname === '/metrics' && req.method === 'GET') return send(200, metrics.render(), 'text/plain; version=0.0.4');
      if (!isApi) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
        if (deps.consoleFiles.serve(url.pathname, res)) return;
        return send(200, 'telltale collector\n\nThe console is not built: run `npm run build`. API: /api/health, /api/builds, /api/alerts, /api/incidents, /api/pipelines, /metrics, WebSocket /api/stream\n', 'text/plain; charset=utf-8');
      }
      for (const r of routes) {
        const match = url.pathname.match(r.pattern);
        if (!match) continue;
        if (req.method !== r.method) {
          if (routes.some((o) => o.method === req.method && o.pattern.test(url.pathname))) continue;
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
        }
        if (r.operator) {
          if (!sameOrigin(req)) throw new HttpError(403, 'FORBIDDEN', 'cross-origin actions are refused');
          if (!operator) throw new HttpError(401, 'UNAUTHORIZED', 'actions need the operator token (Authorization: Bearer <token>)');
        }
        const body = r.method === 'POST' ? await readJsonBody(req, r.maxBodyBytes) : {};
        const answer = r.handle({ match, query: url.searchParams, body, operator, nowUs: Date.now() * 1000 });
        if (r.action) {
          metrics.inc('telltale_console_actions_total', { action: r.action });
          deps.log.info('console action', { action: r.action, path: url.pathname, actor: body['actor'] ?? 'operator' });
        }
        if (answer instanceof RawAnswer) {
          if (answer.filename) res.setHeader('content-disposition', `attachment; filename="${answer.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
          return send(r.status ?? 200, answer.body, answer.contentType);
        }
        return send(r.status ?? 200, JSON.stringify(answer), 'application/json');
      }
      throw new HttpError(404, 'NOT_FOUND', 'no such route');
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, JSON.stringify({ code: err.code, message: err.message }), 'application/json');
      if (err instanceof ConsoleError) return send(CONSOLE_ERROR_STATUS[err.code], JSON.stringify({ code: err.code, message: err.message }), 'application/json');
      deps.log.error('http handler failed', { path: url.pathname, error: String((err as Error).stack ?? err) });
      return send(500, JSON.stringify({ code: 'INTERNAL', message: 'internal error' }), 'application/json');
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void handle(req, res, url);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const allowed = url.pathname === '/api/stream' && sameOrigin(req) &&
      (!deps.loopbackOnly || LOOPBACK_HOST.test(req.headers.host ?? '')) &&
      (!readsNeedToken || tokenMatches(deps.operatorToken, protocolToken(req)) || tokenMatches(deps.operatorToken, bearer(req)));
    if (allowed) hub.handleUpgrade(req, socket, head);
    else {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    }
  });
  return server;
}
