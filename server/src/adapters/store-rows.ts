// Row shapes of the store and their conversion to what the API returns.

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
}

export interface StoredAlert {
  id: string;
  kind: string;
  severity: string;
  pipeline: string;
  runId: string;
  buildId: string;
  qname: string | null;
  domain: string | null;
  address: string | null;
  pid: number;
  chain: { pid: number; exe: string; argv: string[]; cwd: string }[];
  evidence: Record<string, unknown>;
  /** When the event that raised it happened (ISO 8601). */
  eventAt: string;
  createdAt: string;
  createdAtUs: number;
}

export function rowToAlert(r: AlertRow): StoredAlert {
  return {
    id: r.id, kind: r.kind, severity: r.severity, pipeline: r.pipeline, runId: r.run_id, buildId: r.build_id,
    qname: r.qname, domain: r.domain, address: r.address, pid: r.pid,
    chain: JSON.parse(r.chain) as StoredAlert['chain'], evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    eventAt: usToIso(r.event_us), createdAt: usToIso(r.created_us), createdAtUs: r.created_us,
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
}

export interface StoredBuild {
  id: string;
  pipeline: string;
  runId: string;
  job: string;
  repo: string;
  commit: string;
  agentHost: string;
  ciProvider: string;
  rootPid: number;
  state: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  counts: { processes: number; dnsQueries: number; connects: number; alerts: number; lostEvents: number };
  /** Events were lost on the way: absence of alerts does not mean a clean build. */
  coverageIncomplete: boolean;
}

export function rowToBuild(r: BuildRow): StoredBuild {
  return {
    id: r.id, pipeline: r.pipeline, runId: r.run_id, job: r.job, repo: r.repo, commit: r.commit_sha, agentHost: r.agent_host,
    ciProvider: r.ci_provider, rootPid: r.root_pid,
    state: r.ended_us === null ? 'running' : r.exit_code === 0 ? 'succeeded' : 'failed',
    startedAt: usToIso(r.started_us), endedAt: r.ended_us === null ? null : usToIso(r.ended_us), exitCode: r.exit_code,
    counts: { processes: r.processes, dnsQueries: r.dns_queries, connects: r.connects, alerts: r.alerts, lostEvents: r.lost_events },
    coverageIncomplete: r.lost_events > 0,
  };
}

/** ISO 8601 for a time in microseconds; never throws (an impossible time reads as the epoch). */
export function usToIso(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
