// Builds: the live list (paged, filtered by pipeline and state) and one build with its
// process tree (build scripts naming their packages), DNS names, connections and lockfiles.
import type { BuildDetail, BuildStatus, ConnectRow, DnsQueryRow } from '@telltale/proto';
import type { DnsNameDbRow, DestinationDbRow } from '../store.js';
import { usToIso } from '../store-rows.js';
import { HttpError, limit, text } from '../http-query.js';
import { toTree } from '../process-tree-json.js';
import { MAX_BUILD_LOCKFILES } from '../../core/ingest-core.js';
import { oneOf, segment, type Route, type RouteDeps } from './route.js';

/** A request rebuilds at most this many batches of a build's log on the event loop: the host
 * pseudo-build of --watch-host never ends and would otherwise stall ingest. */
export const TREE_BATCHES = 2000;
/** DNS names and destinations listed per build (the first ones, in time order). */
const TRAFFIC_ROWS = 5000;

export const dnsJson = (r: DnsNameDbRow): DnsQueryRow => ({
  qname: r.qname, qtype: r.qtype, domain: r.domain, partial: r.partial === 1, server: r.server, port: r.port, firstPid: r.first_pid,
  firstSeenAt: usToIso(r.first_us), lastSeenAt: usToIso(r.last_us), count: r.count, baselineKnown: r.baseline_known === 1,
});

export const destinationJson = (r: DestinationDbRow): ConnectRow => ({
  address: r.address, port: r.port, protocol: r.protocol, family: r.family, external: r.external === 1, firstPid: r.first_pid,
  firstSeenAt: usToIso(r.first_us), lastSeenAt: usToIso(r.last_us), count: r.count,
});

const STATES: readonly BuildStatus[] = ['running', 'succeeded', 'failed'];

export function buildRoutes(d: RouteDeps): Route[] {
  return [
    {
      method: 'GET', pattern: /^\/api\/builds$/,
      handle: ({ query }) => d.consoleStore.listBuilds({
        pipeline: text(query, 'pipeline'), state: oneOf(text(query, 'state'), STATES, 'state'), cursor: text(query, 'cursor'), limit: limit(query),
      }),
    },
    {
      method: 'GET', pattern: /^\/api\/builds\/([^/]+)$/,
      handle: ({ match }): BuildDetail => {
        const id = segment(match);
        const build = d.store.getBuild(id);
        if (!build) throw new HttpError(404, 'NOT_FOUND', 'no such build');
        const dns = d.store.dnsNamesOf(id, TRAFFIC_ROWS);
        const connects = d.store.destinationsOf(id, TRAFFIC_ROWS);
        return {
          build, processTree: toTree(d.store.processTreeOf(id, build.rootPid, TREE_BATCHES), () => d.store.lockfiles.refsOf(id, MAX_BUILD_LOCKFILES), d.store.lockfiles),
          processTreeComplete: d.store.batchCountOf(id) <= TREE_BATCHES, dnsQueries: dns.map(dnsJson),
          connects: connects.map(destinationJson), trafficComplete: dns.length < TRAFFIC_ROWS && connects.length < TRAFFIC_ROWS,
          alerts: d.consoleStore.alertsOfBuild(id), lockfiles: d.store.lockfiles.rowsOf(id),
        };
      },
    },
  ];
}
