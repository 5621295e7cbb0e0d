// The guard's counters: every verdict, every drop by reason, every upstream timeout and
// every report delivered or lost. One plain object the caller prints or exposes as
// Prometheus text (`guardMetricsText`).

import { GUARD_VERDICTS, type GuardVerdict } from '../../core/guard/guard-decision.js';
import type { QueryFailure } from '../../core/guard/dns-wire.js';

export type GuardDropReason =
  | QueryFailure
  /** maxInFlight queries already waiting for the upstream: answered SERVFAIL. */
  | 'overloaded'
  /** A TCP connection over maxTcpConnections: closed at once. */
  | 'tcp_connections'
  /** A TCP frame of length 0 (no header at all). */
  | 'tcp_empty_frame'
  /** A TCP message trickled in slower than the idle time: connection closed. */
  | 'tcp_slow_message'
  /** An upstream answer that matched no waiting query (late, or not an answer to it). */
  | 'upstream_unmatched'
  /** Sending to a client failed (it went away). */
  | 'client_send_failed';

export const GUARD_DROP_REASONS: readonly GuardDropReason[] = [
  'short_header', 'response', 'not_query', 'question_count', 'malformed', 'overloaded', 'tcp_connections',
  'tcp_empty_frame', 'tcp_slow_message', 'upstream_unmatched', 'client_send_failed',
];

export type ReportOutcome = 'delivered' | 'dropped_queue_full' | 'rejected' | 'retried';
export const REPORT_OUTCOMES: readonly ReportOutcome[] = ['delivered', 'dropped_queue_full', 'rejected', 'retried'];

export interface GuardCounters {
  queries: Record<GuardVerdict, number>;
  drops: Record<GuardDropReason, number>;
  /** Upstream attempts that got no answer in time (a query may make several). */
  upstreamTimeouts: number;
  /** Queries answered SERVFAIL because no upstream answered before the deadline. */
  servfail: number;
  /** UDP answers relayed with TC=1 (the client retries over TCP). */
  truncatedRelayed: number;
  tcpConnectionsOpen: number;
  /** Verdicts reported to the collector, by outcome (retried counts attempts). */
  reports: Record<ReportOutcome, number>;
  /** Detector state forgotten to stay bounded (clients idle or over the cap; blocks over the cap). */
  clientsForgotten: number;
  blocksEvicted: number;
}

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function createGuardCounters(): GuardCounters {
  return {
    queries: zeroes(GUARD_VERDICTS), drops: zeroes(GUARD_DROP_REASONS), upstreamTimeouts: 0, servfail: 0,
    truncatedRelayed: 0, tcpConnectionsOpen: 0, reports: zeroes(REPORT_OUTCOMES), clientsForgotten: 0, blocksEvicted: 0,
  };
}

/** Prometheus text exposition of the counters. */
export function guardMetricsText(c: GuardCounters): string {
  const lines: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, rows: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) lines.push(`${name}${labels} ${value}`);
  };
  const by = (label: string, rec: Record<string, number>): Array<[string, number]> =>
    Object.entries(rec).map(([k, v]) => [`{${label}="${k}"}`, v]);
  family('telltale_guard_queries_total', 'counter', 'Queries judged, by verdict.', by('verdict', c.queries));
  family('telltale_guard_drops_total', 'counter', 'Messages not served, by reason.', by('reason', c.drops));
  family('telltale_guard_upstream_timeouts_total', 'counter', 'Upstream attempts without an answer in time.', [['', c.upstreamTimeouts]]);
  family('telltale_guard_servfail_total', 'counter', 'Queries answered SERVFAIL: no upstream answered.', [['', c.servfail]]);
  family('telltale_guard_truncated_relayed_total', 'counter', 'UDP answers relayed with TC=1.', [['', c.truncatedRelayed]]);
  family('telltale_guard_tcp_connections', 'gauge', 'Client TCP connections open.', [['', c.tcpConnectionsOpen]]);
  family('telltale_guard_reports_total', 'counter', 'Verdict reports to the collector, by outcome.', by('outcome', c.reports));
  family('telltale_guard_clients_forgotten_total', 'counter', 'Clients whose detector state was forgotten (idle or over the cap).', [['', c.clientsForgotten]]);
  family('telltale_guard_blocks_evicted_total', 'counter', 'Domain blocks ended early to stay under the cap.', [['', c.blocksEvicted]]);
  return lines.join('\n') + '\n';
}
