// Row shapes of the store and their conversion to what the API returns.
import type { Alert, AlertStatus, BuildSummary, Severity } from '@telltale/proto';

export interface AlertRow {
  id: string;
  build_id: string;
  pipeline: string;
  run_id: string;
  kind: string;
  severity: string;
  qname: string | null;
  domain: string | null;
  address: string | null;
  pid: number;
  chain: string;
  evidence: string;
  event_us: number;
  created_us: number;
  status: string;
  status_us: number | null;
  incident_id: string | null;
}

export type StoredAlert = Alert;

export function rowToAlert(r: AlertRow): StoredAlert {
  return {
    id: r.id, kind: r.kind, severity: r.severity as Severity, status: r.status as AlertStatus,
    statusChangedAt: r.status_us === null ? null : usToIso(r.status_us), pipeline: r.pipeline, runId: r.run_id, buildId: r.build_id,
    qname: r.qname, domain: r.domain, address: r.address, pid: r.pid,
    chain: JSON.parse(r.chain) as StoredAlert['chain'], evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    eventAt: usToIso(r.event_us), eventAtUs: r.event_us, createdAt: usToIso(r.created_us), createdAtUs: r.created_us,
    incidentId: r.incident_id,
  };
}

export interface BuildRow {
  id: string;
  pipeline: string;
  run_id: string;
  job: string;
  repo: string;
  commit_sha: string;
  agent_host: string;
  ci_provider: string;
  root_pid: number;
  started_us: number;
  ended_us: number | null;
  exit_code: number | null;
  processes: number;
  dns_queries: number;
  connects: number;
  alerts: number;
  lost_events: number;
  k8s_namespace: string | null;
  k8s_pod: string | null;
  k8s_container: string | null;
  teaches?: number;
}

export type StoredBuild = BuildSummary;

export function rowToBuild(r: BuildRow): StoredBuild {
  return {
    id: r.id, pipeline: r.pipeline, runId: r.run_id, job: r.job, repo: r.repo, commit: r.commit_sha, agentHost: r.agent_host,
    ciProvider: r.ci_provider, rootPid: r.root_pid,
    state: r.ended_us === null ? 'running' : r.exit_code === 0 ? 'succeeded' : 'failed',
    startedAt: usToIso(r.started_us), startedAtUs: r.started_us, endedAt: r.ended_us === null ? null : usToIso(r.ended_us), exitCode: r.exit_code,
    counts: { processes: r.processes, dnsQueries: r.dns_queries, connects: r.connects, alerts: r.alerts, lostEvents: r.lost_events },
    coverageIncomplete: r.lost_events > 0,
    k8s: r.k8s_pod ? { namespace: r.k8s_namespace ?? '', pod: r.k8s_pod, container: r.k8s_container ?? '' } : null,
  };
}

/** ISO 8601 for a time in microseconds; never throws (an impossible time reads as the epoch). */
export function usToIso(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
