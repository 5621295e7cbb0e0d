// SQLite store (better-sqlite3, WAL): one transaction per ingested batch, so events,
// alerts, baselines and the agent's sequence number land together or not at all.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { decodeBatch, type AlertSummary, type BuildContext, type TelltaleEvent } from '@telltale/proto';
import { migrations } from './schema.js';
import { MAX_BUILD_LOCKFILES, scriptToolsOf, type ApplyResult, type BuildState } from '../core/ingest-core.js';
import { ProcessTree } from '../core/process-tree.js';
import { AnswerCache } from '../core/answer-cache.js';
import { emptyBaseline, type BaselineState, type LearningMode } from '../core/baseline.js';
import { BaselineStore } from './baseline-store.js';
import { rowToAlert, rowToBuild, type AlertRow, type BuildRow, type StoredAlert, type StoredBuild } from './store-rows.js';
import { LockfileLedger, type LedgerOptions } from './lockfile-ledger.js';
import type { TyposquatJudge } from '../core/typosquat/index.js';

export type { StoredAlert, StoredBuild } from './store-rows.js';

export interface AlertQuery {
  pipeline?: string;
  sinceUs?: number;
  buildId?: string;
  runId?: string;
  kind?: string;
  limit: number;
  beforeUs?: number;
}

export class Store {
  readonly db: Database.Database;
  readonly baselines: BaselineStore;
  readonly lockfiles: LockfileLedger;
  private readonly sequences = new Map<string, number>();
  private readonly stmts;

  /**
   * `typosquat`: the well-known package lists added packages are judged against (none: no signals);
   * `log`: where the lockfile ledger reports its own failures.
   */
  constructor(path: string, options: { typosquat?: TyposquatJudge; log?: LedgerOptions['log'] } = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    const db = this.db;
    this.baselines = new BaselineStore(db);
    this.lockfiles = new LockfileLedger(db, options.typosquat ?? null, { log: options.log });
    this.stmts = {
      agentSeq: db.prepare('SELECT last_sequence AS s FROM agents WHERE agent_id = ?'),
      upsertAgent: db.prepare(`INSERT INTO agents (agent_id, last_sequence, updated_us) VALUES (?, ?, ?)
        ON CONFLICT(agent_id) DO UPDATE SET last_sequence = excluded.last_sequence, updated_us = excluded.updated_us`),
      insertBuild: db.prepare(`INSERT OR IGNORE INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us, agent_id,
        k8s_namespace, k8s_pod, k8s_container, teaches)
        VALUES (@buildId, @pipeline, @runId, @job, @repo, @commit, @agentHost, @ciProvider, @rootPid, @startedUs, @agentId, @k8sNamespace, @k8sPod, @k8sContainer, @teaches)`),
      buildAgent: db.prepare('SELECT agent_id FROM builds WHERE id = ?').pluck(),
      updateBuild: db.prepare(`UPDATE builds SET ended_us = ?, exit_code = ?, processes = ?, dns_queries = ?, connects = ?, alerts = ?, lost_events = ? WHERE id = ?`),
      insertBatch: db.prepare('INSERT INTO batches (agent_id, sequence, received_us, bytes) VALUES (?, ?, ?, ?)'),
      insertBuildBatch: db.prepare('INSERT OR IGNORE INTO build_batches (build_id, agent_id, sequence) VALUES (?, ?, ?)'),
      upsertDnsName: db.prepare(`INSERT INTO dns_names (build_id, qname, qtype, domain, partial, server, port, first_pid, first_us, last_us, count, baseline_known)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(build_id, qname, qtype) DO UPDATE SET count = count + excluded.count, last_us = max(last_us, excluded.last_us)`),
      upsertDestination: db.prepare(`INSERT INTO destinations (build_id, address, port, protocol, family, external, first_pid, first_us, last_us, count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(build_id, address, port, protocol) DO UPDATE SET count = count + excluded.count, last_us = max(last_us, excluded.last_us)`),
      insertAlert: db.prepare(`INSERT OR IGNORE INTO alerts (id, dedupe_key, build_id, pipeline, run_id, kind, severity, qname, domain, address, pid, chain, evidence, event_us, created_us)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      // Evidence only grows: a stale or replayed update (fewer bytes covered) changes nothing.
      updateAlertEvidence: db.prepare(`UPDATE alerts SET evidence = ? WHERE dedupe_key = ? AND build_id = ?
        AND coalesce(json_extract(evidence, '$.coveredBytes'), -1) < ?`),
      alertByKey: db.prepare('SELECT * FROM alerts WHERE dedupe_key = ?'),
      poisonDomain: db.prepare('INSERT OR IGNORE INTO baseline_poisoned (pipeline, domain, first_seen_us, build_id) VALUES (?, ?, ?, ?)'),
      getBuild: db.prepare('SELECT * FROM builds WHERE id = ?'),
      setLearned: db.prepare(`INSERT INTO baselines (pipeline, learned_builds) VALUES (?, ?)
        ON CONFLICT(pipeline) DO UPDATE SET learned_builds = excluded.learned_builds`),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < migrations.length; i++) {
      this.db.transaction(() => {
        this.db.exec(migrations[i]!);
        // Versioned baselines: the domains carried over get the names and destinations of the builds that taught them.
        if (i === 3) new BaselineStore(this.db).backfillMigrated();
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  /** The agent whose batch started the build (null for builds stored before agents were recorded, or unknown). */
  buildAgent(buildId: string): string | null | undefined {
    return this.stmts.buildAgent.get(buildId) as string | null | undefined;
  }

  lastSequence(agentId: string): number {
    let s = this.sequences.get(agentId);
    if (s === undefined) {
      s = (this.stmts.agentSeq.get(agentId) as { s: number } | undefined)?.s ?? 0;
      this.sequences.set(agentId, s);
    }
    return s;
  }

  /**
   * Stores everything one batch produced and advances the agent's sequence, atomically.
   * Returns the alerts raised; alerts whose evidence the batch updated are added to `updated`.
   */
  commitBatch(agentId: string, sequence: number, bytes: Uint8Array, r: ApplyResult, builds: (id: string) => BuildState | undefined, nowUs: number,
    updated?: StoredAlert[]): StoredAlert[] {
    const stored: StoredAlert[] = [];
    const s = this.stmts;
    this.db.transaction(() => {
      s.upsertAgent.run(agentId, sequence, nowUs);
      for (const b of r.buildsStarted) {
        const c = b.context;
        s.insertBuild.run({
          ...c, rootPid: b.rootPid, startedUs: b.startedUs, agentId, teaches: b.teaches ? 1 : 0,
          k8sNamespace: c.k8sPod ? c.k8sNamespace ?? '' : null, k8sPod: c.k8sPod || null, k8sContainer: c.k8sPod ? c.k8sContainer ?? '' : null,
        });
      }
      s.insertBatch.run(agentId, sequence, nowUs, bytes);
      for (const buildId of r.buildsTouched) s.insertBuildBatch.run(buildId, agentId, sequence);
      for (const d of r.dnsNames.values()) {
        s.upsertDnsName.run(d.buildId, d.qname, d.qtype, d.domain, d.partial ? 1 : 0, d.server, d.port, d.firstPid, d.firstUs, d.lastUs, d.count, d.baselineKnown ? 1 : 0);
      }
      for (const c of r.destinations.values()) {
        s.upsertDestination.run(c.buildId, c.address, c.port, c.protocol, c.family, c.external ? 1 : 0, c.firstPid, c.firstUs, c.lastUs, c.count);
      }
      for (const a of r.findings) {
        const f = a.finding;
        const id = randomUUID();
        const chain = JSON.stringify(a.chain.map((p) => ({ pid: p.pid, exe: p.exe, argv: p.argv, cwd: p.cwd })));
        const info = s.insertAlert.run(id, f.dedupeKey, f.buildId, a.context.pipeline, a.context.runId, f.kind, f.severity, f.qname, f.domain,
          f.address, f.pid, chain, JSON.stringify(f.evidence), a.timeUs, nowUs);
        if (info.changes === 1) {
          stored.push(rowToAlert({
            id, build_id: f.buildId, pipeline: a.context.pipeline, run_id: a.context.runId, kind: f.kind, severity: f.severity,
            qname: f.qname, domain: f.domain, address: f.address, pid: f.pid, chain, evidence: JSON.stringify(f.evidence),
            event_us: a.timeUs, created_us: nowUs, status: 'open', status_us: null, incident_id: null,
          }));
        }
      }
      for (const u of r.alertUpdates ?? []) {
        const alert = this.updateAlertEvidence(u.dedupeKey, u.buildId, u.evidence, u.coveredBytes);
        if (alert) updated?.push(alert);
      }
      for (const b of r.baselineAdds) this.baselines.learnLive(b.pipeline, 'domain', b.domain, b.buildId, b.timeUs);
      for (const b of r.baselinePoisoned ?? []) s.poisonDomain.run(b.pipeline, b.domain, b.timeUs, b.buildId);
      for (const b of r.baselineRemovals ?? []) this.baselines.unlearn(b.pipeline, b.domain, b.buildId, nowUs);
      for (const b of r.baselineLearned) s.setLearned.run(b.pipeline, b.learnedBuilds);
      for (const t of r.baselineTools ?? []) this.baselines.learnLive(t.pipeline, 'tool', t.tool, t.buildId, t.timeUs);
      for (const seal of r.baselineSeals ?? []) this.baselines.sealBuild(seal);
      const gone = new Map([...(r.buildsEnded ?? []), ...(r.buildsEvicted ?? [])].map((b) => [b.context.buildId, b]));
      for (const b of r.buildsEvicted ?? []) r.buildsChanged.add(b.context.buildId);
      for (const id of r.buildsChanged) {
        const b = builds(id) ?? gone.get(id);
        if (b) s.updateBuild.run(b.endedUs, b.exitCode, b.counts.processes, b.counts.dns, b.counts.connects, b.counts.alerts, b.counts.lost, id);
      }
    })();
    this.sequences.set(agentId, sequence);
    return stored;
  }

  /** Replaces an alert's evidence when it reports more coverage than the stored one; the updated alert, or null. */
  updateAlertEvidence(dedupeKey: string, buildId: string, evidence: Record<string, unknown>, coveredBytes: number): StoredAlert | null {
    const info = this.stmts.updateAlertEvidence.run(JSON.stringify(evidence), dedupeKey, buildId, coveredBytes);
    if (info.changes !== 1) return null;
    const row = this.stmts.alertByKey.get(dedupeKey) as AlertRow | undefined;
    return row ? rowToAlert(row) : null;
  }

  loadBaselines(): BaselineState[] {
    const rows = this.db.prepare('SELECT pipeline, learned_builds, mode, learning_builds, version FROM baselines').all() as
      { pipeline: string; learned_builds: number; mode: LearningMode; learning_builds: number | null; version: number }[];
    const byPipeline = new Map<string, BaselineState>(rows.map((l) => [l.pipeline, {
      ...emptyBaseline(l.pipeline), learnedBuilds: l.learned_builds, mode: l.mode, learningBuilds: l.learning_builds, version: l.version,
    }]));
    const of = (pipeline: string) => {
      let b = byPipeline.get(pipeline);
      if (!b) byPipeline.set(pipeline, (b = emptyBaseline(pipeline)));
      return b;
    };
    const active = this.db.prepare("SELECT pipeline, kind, value FROM baseline_entries WHERE state = 'active' AND kind IN ('domain', 'tool')");
    for (const row of active.iterate() as Iterable<{ pipeline: string; kind: string; value: string }>) {
      (row.kind === 'domain' ? of(row.pipeline).domains : of(row.pipeline).tools).add(row.value);
    }
    for (const row of this.db.prepare('SELECT pipeline, domain FROM baseline_poisoned').iterate() as Iterable<{ pipeline: string; domain: string }>) {
      of(row.pipeline).poisoned.add(row.domain);
    }
    for (const row of this.db.prepare('SELECT pipeline, domain, kind FROM baseline_allowed').iterate() as Iterable<{ pipeline: string; domain: string; kind: string }>) {
      // Only the allowance: the domain's learnt and poisoned state is in its own tables.
      const allowed = of(row.pipeline).allowed;
      allowed.set(row.domain, (allowed.get(row.domain) ?? new Set()).add(row.kind));
    }
    return [...byPipeline.values()];
  }

  /** Builds still running when the collector stopped, with their process trees, so ingest resumes where it was. */
  /**
   * Builds still open, and builds that ended within `endedSinceUs` (late events of processes
   * that outlived them are still judged): the newest `limit`, oldest first, as the core
   * evicts in insertion order.
   */
  loadOpenBuilds(limit: number, endedSinceUs = Number.MAX_SAFE_INTEGER): BuildState[] {
    const rows = this.db.prepare(`SELECT * FROM (SELECT * FROM builds WHERE ended_us IS NULL OR ended_us >= ? ORDER BY started_us DESC LIMIT ?)
      ORDER BY started_us ASC`).all(endedSinceUs, limit) as BuildRow[];
    return rows.map((row) => {
      const context: BuildContext = {
        buildId: row.id, pipeline: row.pipeline, runId: row.run_id, job: row.job, repo: row.repo, commit: row.commit_sha,
        agentHost: row.agent_host, ciProvider: row.ci_provider,
        ...(row.k8s_pod ? { k8sNamespace: row.k8s_namespace ?? '', k8sPod: row.k8s_pod, k8sContainer: row.k8s_container ?? '' } : {}),
      };
      const tree = this.processTreeOf(row.id, row.root_pid);
      const keys = this.db.prepare('SELECT dedupe_key FROM alerts WHERE build_id = ?').pluck().all(row.id) as string[];
      const judged = new Set(this.db.prepare("SELECT pid FROM alerts WHERE build_id = ? AND kind = 'unexpected_tool'").pluck().all(row.id) as number[]);
      const domains = this.db.prepare('SELECT DISTINCT domain FROM dns_names WHERE build_id = ? AND domain IS NOT NULL').pluck().all(row.id) as string[];
      return {
        context, rootPid: row.root_pid, startedUs: row.started_us, endedUs: row.ended_us, exitCode: row.exit_code, lastEventUs: Date.now() * 1000, tree,
        teaches: row.teaches === 1,
        counts: { processes: row.processes, dns: row.dns_queries, connects: row.connects, alerts: row.alerts, lost: row.lost_events },
        answersSeen: false, answers: new AnswerCache(4096), alertKeys: new Set(keys), domains: new Set(domains), seenQueries: new Map(), scriptTools: scriptToolsOf(tree, judged),
        // References to its lockfiles (one query, nothing parsed): alerts after the restart still name how a package got in.
        lockfiles: this.lockfiles.refsOf(row.id, MAX_BUILD_LOCKFILES),
      };
    });
  }

  listAlerts(q: AlertQuery): StoredAlert[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.pipeline !== undefined) { where.push('pipeline = ?'); args.push(q.pipeline); }
    if (q.sinceUs !== undefined) { where.push('created_us >= ?'); args.push(q.sinceUs); }
    if (q.beforeUs !== undefined) { where.push('created_us < ?'); args.push(q.beforeUs); }
    if (q.buildId !== undefined) { where.push('build_id = ?'); args.push(q.buildId); }
    if (q.runId !== undefined) { where.push('run_id = ?'); args.push(q.runId); }
    if (q.kind !== undefined) { where.push('kind = ?'); args.push(q.kind); }
    const sql = `SELECT * FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_us DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as AlertRow[]).map(rowToAlert);
  }

  listBuilds(q: { pipeline?: string; limit: number; beforeUs?: number }): StoredBuild[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.pipeline !== undefined) { where.push('pipeline = ?'); args.push(q.pipeline); }
    if (q.beforeUs !== undefined) { where.push('started_us < ?'); args.push(q.beforeUs); }
    const sql = `SELECT * FROM builds ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_us DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as BuildRow[]).map(rowToBuild);
  }

  getBuild(id: string): StoredBuild | null {
    const row = this.stmts.getBuild.get(id) as BuildRow | undefined;
    return row ? rowToBuild(row) : null;
  }

  /**
   * The build's events, replayed from the batches that carried them, in order: the first
   * `maxBatches` batches, or those received from `receivedFromUs` on (a window of a build too
   * long to replay whole, such as the never-ending host pseudo-build).
   */
  *eventsOf(buildId: string, maxBatches = Number.MAX_SAFE_INTEGER, receivedFromUs = 0): Generator<TelltaleEvent> {
    const rows = this.db.prepare(`SELECT b.bytes FROM build_batches bb JOIN batches b ON b.agent_id = bb.agent_id AND b.sequence = bb.sequence
      WHERE bb.build_id = ? AND b.received_us >= ? ORDER BY bb.agent_id, bb.sequence LIMIT ?`).pluck().iterate(buildId, receivedFromUs, maxBatches) as Iterable<Uint8Array>;
    for (const bytes of rows) {
      for (const e of decodeBatch(bytes).events) if (e.buildId === buildId) yield e;
    }
  }

  /** Rebuilds a build's process tree from its event log (its first `maxBatches` batches). */
  processTreeOf(buildId: string, rootPid: number, maxBatches?: number): ProcessTree {
    const tree = new ProcessTree(rootPid);
    for (const e of this.eventsOf(buildId, maxBatches)) {
      if (e.kind === 'exec') tree.exec(e);
      else if (e.kind === 'fork') tree.fork(e.pid, e.ppid, e.timeUs);
      else if (e.kind === 'exit') tree.exit(e.pid, e.exitCode, e.timeUs);
    }
    return tree;
  }

  batchCountOf(buildId: string): number {
    return this.db.prepare('SELECT count(*) FROM build_batches WHERE build_id = ?').pluck().get(buildId) as number;
  }

  dnsNamesOf(buildId: string, limit: number) {
    return this.db.prepare('SELECT * FROM dns_names WHERE build_id = ? ORDER BY first_us LIMIT ?').all(buildId, limit) as DnsNameDbRow[];
  }

  destinationsOf(buildId: string, limit: number) {
    return this.db.prepare('SELECT * FROM destinations WHERE build_id = ? ORDER BY first_us LIMIT ?').all(buildId, limit) as DestinationDbRow[];
  }

  alertSummaries(buildId: string): AlertSummary[] {
    return this.listAlerts({ buildId, limit: 1000 }).map((a) => ({
      id: a.id, kind: a.kind, severity: a.severity, qname: a.qname, domain: a.domain, address: a.address,
      chain: a.chain.map((c) => ({ pid: c.pid, exe: c.exe, argv: c.argv })), evidence: a.evidence, createdAtUs: a.createdAtUs,
    }));
  }

  /**
   * Drops up to `limit` raw event batches received before `beforeUs` and returns how many
   * (the caller loops, yielding between chunks, so ingest is never blocked for long). Process
   * trees of those builds can no longer be rebuilt; builds, DNS names, destinations, alerts
   * and baselines stay. Batches holding events of a build still open are kept.
   */
  pruneBatches(beforeUs: number, limit = 500): number {
    const rows = this.db.prepare(`SELECT agent_id, sequence FROM batches b WHERE received_us < ? AND NOT EXISTS (
        SELECT 1 FROM build_batches bb JOIN builds x ON x.id = bb.build_id
        WHERE bb.agent_id = b.agent_id AND bb.sequence = b.sequence AND x.ended_us IS NULL)
      LIMIT ?`).all(beforeUs, limit) as { agent_id: string; sequence: number }[];
    const dropLinks = this.db.prepare('DELETE FROM build_batches WHERE agent_id = ? AND sequence = ?');
    const dropBatch = this.db.prepare('DELETE FROM batches WHERE agent_id = ? AND sequence = ?');
    this.db.transaction(() => {
      for (const r of rows) {
        dropLinks.run(r.agent_id, r.sequence);
        dropBatch.run(r.agent_id, r.sequence);
      }
    })();
    return rows.length;
  }

  /** Drops up to `limit` guard verdicts recorded before `beforeUs` (their alerts stay); returns how many. */
  pruneGuardVerdicts(beforeUs: number, limit = 5000): number {
    return this.db.prepare('DELETE FROM guard_verdicts WHERE id IN (SELECT id FROM guard_verdicts WHERE at_us < ? LIMIT ?)').run(beforeUs, limit).changes;
  }

  count(table: 'alerts' | 'builds' | 'batches' | 'dns_names' | 'destinations'): number {
    return this.db.prepare(`SELECT count(*) AS n FROM ${table}`).pluck().get() as number;
  }

  close(): void {
    this.db.close();
  }
}

export interface DnsNameDbRow {
  build_id: string;
  qname: string;
  qtype: string;
  domain: string | null;
  partial: number;
  server: string;
  port: number;
  first_pid: number;
  first_us: number;
  last_us: number;
  count: number;
  baseline_known: number;
}

export interface DestinationDbRow {
  build_id: string;
  address: string;
  port: number;
  protocol: string;
  family: string;
  external: number;
  first_pid: number;
  first_us: number;
  last_us: number;
  count: number;
}
