// The JSON HTTP API and /metrics: the contract the console and operators use.
import http from 'node:http';
import type { Store, DnsNameDbRow, DestinationDbRow } from './store.js';
import type { ProcessTree } from '../core/process-tree.js';
import { usToIso } from './store-rows.js';
import type { Metrics } from './metrics.js';
import type { StreamHub } from './stream-hub.js';
import { HttpError, limit, text, time } from './http-query.js';
import type { Logger } from './collector.js';

export interface ProcessTreeNode {
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  cwd: string;
  startedAt: string;
  exitCode: number | null;
  buildScript: string | null;
  children: ProcessTreeNode[];
}

/** Nests a build's processes under their parents; processes whose parent is unknown are roots. */
export function toTree(tree: ProcessTree): ProcessTreeNode[] {
  const nodes = new Map<number, ProcessTreeNode>();
  for (const p of tree.all()) {
    nodes.set(p.pid, {
      pid: p.pid, ppid: p.ppid, exe: p.exe, argv: p.argv, cwd: p.cwd, startedAt: usToIso(p.startTimeUs),
      exitCode: p.exitCode, buildScript: p.buildScriptKind, children: [],
    });
  }
  const roots: ProcessTreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.pid === tree.rootPid ? undefined : nodes.get(n.ppid);
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

const TREE_BATCHES = 2000;

const dnsJson = (r: DnsNameDbRow) => ({
  qname: r.qname, qtype: r.qtype, domain: r.domain, partial: r.partial === 1, server: r.server, port: r.port, firstPid: r.first_pid,
  firstSeenAt: usToIso(r.first_us), lastSeenAt: usToIso(r.last_us), count: r.count, baselineKnown: r.baseline_known === 1,
});
const destinationJson = (r: DestinationDbRow) => ({
  address: r.address, port: r.port, protocol: r.protocol, family: r.family, external: r.external === 1, firstPid: r.first_pid,
  firstSeenAt: usToIso(r.first_us), lastSeenAt: usToIso(r.last_us), count: r.count,
});

export function createHttpApi(deps: { store: Store; metrics: Metrics; hub: StreamHub; log: Logger; startedAt: number }): http.Server {
  const { store, metrics, hub } = deps;
  const routes: { method: string; pattern: RegExp; handle: (m: RegExpMatchArray, q: URLSearchParams) => unknown }[] = [
    { method: 'GET', pattern: /^\/api\/health$/, handle: () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000) }) },
    {
      method: 'GET', pattern: /^\/api\/builds$/,
      handle: (_m, q) => ({ builds: store.listBuilds({ pipeline: text(q, 'pipeline'), limit: limit(q), beforeUs: time(q, 'before') }) }),
    },
    {
      method: 'GET', pattern: /^\/api\/builds\/([^/]+)$/,
      handle: (m) => {
        let id: string;
        try {
          id = decodeURIComponent(m[1]!);
        } catch {
          throw new HttpError(400, 'BAD_QUERY', 'build id is not valid percent-encoding');
        }
        const build = store.getBuild(id);
        if (!build) throw new HttpError(404, 'NOT_FOUND', 'no such build');
        return {
          // A request rebuilds at most TREE_BATCHES batches of the log on the event loop: the
          // host pseudo-build of --watch-host never ends and would otherwise stall ingest.
          build, processTree: toTree(store.processTreeOf(id, build.rootPid, TREE_BATCHES)),
          processTreeComplete: store.batchCountOf(id) <= TREE_BATCHES, dnsQueries: store.dnsNamesOf(id, 5000).map(dnsJson),
          connects: store.destinationsOf(id, 5000).map(destinationJson), alerts: store.listAlerts({ buildId: id, limit: 1000 }),
        };
      },
    },
    {
      method: 'GET', pattern: /^\/api\/alerts$/,
      handle: (_m, q) => ({
        alerts: store.listAlerts({
          pipeline: text(q, 'pipeline'), sinceUs: time(q, 'since'), beforeUs: time(q, 'before'), buildId: text(q, 'buildId'),
          runId: text(q, 'runId'), kind: text(q, 'kind'), limit: limit(q),
        }),
      }),
    },
  ];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: string, type: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    try {
      if (url.pathname === '/metrics' && req.method === 'GET') return send(200, metrics.render(), 'text/plain; version=0.0.4');
      if (url.pathname === '/' && req.method === 'GET') {
        return send(200, 'telltale collector\n\nThe console is not built yet. API: /api/health, /api/builds, /api/alerts, /metrics, WebSocket /api/stream\n', 'text/plain; charset=utf-8');
      }
      for (const r of routes) {
        const m = url.pathname.match(r.pattern);
        if (!m) continue;
        if (req.method !== r.method) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
        return send(200, JSON.stringify(r.handle(m, url.searchParams)), 'application/json');
      }
      throw new HttpError(404, 'NOT_FOUND', 'no such route');
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, JSON.stringify({ code: err.code, message: err.message }), 'application/json');
      deps.log.error('http handler failed', { path: url.pathname, error: String((err as Error).stack ?? err) });
      return send(500, JSON.stringify({ code: 'INTERNAL', message: 'internal error' }), 'application/json');
    }
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/stream') hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  return server;
}
