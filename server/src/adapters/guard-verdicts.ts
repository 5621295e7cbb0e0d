// What `telltale guard` reports: names it refused (an encoded name, or a new one in enforce
// mode) and new names it forwarded in audit mode. Every verdict is kept; a refusal raises a
// `dns_guard_block` alert at once, placed in the build whose agent saw the same query (with
// the process that asked), or, until an agent's events arrive, in the guard's own build.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ProcessInfo } from '../core/observation.js';
import { splitName } from '../core/registrable-domain.js';
import { normaliseName } from '../core/baseline-entries.js';
import { HttpError } from './http-query.js';
import { rowToAlert, type AlertRow, type StoredAlert } from './store-rows.js';

export type GuardVerdictKind = 'blocked_encoded' | 'blocked_new' | 'forwarded_new';
const VERDICTS: readonly GuardVerdictKind[] = ['blocked_encoded', 'blocked_new', 'forwarded_new'];

export interface GuardVerdict {
  timeUs: number;
  client: string;
  qname: string;
  qtype: number;
  verdict: GuardVerdictKind;
  evidence: Record<string, unknown>;
}

export interface GuardReport {
  guard: string;
  pipeline: string;
  verdicts: GuardVerdict[];
}

const GUARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_VERDICTS = 1000;
const MAX_EVIDENCE_BYTES = 4096;
/** Names as the guard read them: printable ASCII, at most a DNS name's length in text. */
const QNAME = /^[\x21-\x7e]{1,1100}$/;

/** Parses a report body; anything off-shape is a 400 naming the field. */
export function parseGuardReport(body: Record<string, unknown>): GuardReport {
  const bad = (m: string) => new HttpError(400, 'BAD_BODY', m);
  const guard = body['guard'];
  if (typeof guard !== 'string' || !GUARD_NAME.test(guard)) throw bad('guard must be a name of 1-128 letters, digits, . _ -');
  const pipeline = body['pipeline'];
  if (typeof pipeline !== 'string' || pipeline.length === 0 || pipeline.length > 512 || /[\u0000-\u001f\u007f]/.test(pipeline)) {
    throw bad('pipeline must be 1-512 printable characters');
  }
  const list = body['verdicts'];
  if (!Array.isArray(list) || list.length > MAX_VERDICTS) throw bad(`verdicts must be an array of at most ${MAX_VERDICTS}`);
  const verdicts = list.map((v: unknown, i): GuardVerdict => {
    const o = v as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) throw bad(`verdicts[${i}] must be an object`);
    const { timeUs, client, qname, qtype, verdict, evidence } = o;
    if (typeof timeUs !== 'number' || !Number.isSafeInteger(timeUs) || timeUs < 0) throw bad(`verdicts[${i}].timeUs must be microseconds since the epoch`);
    // `192.0.2.1:5353`, `[2001:db8::1]:5353`, `[fe80::1%br-0a1b2c]:5353` (an interface's zone).
    if (typeof client !== 'string' || !/^(?:[0-9.]{7,15}|\[[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,32})?\])(?::\d{1,5})?$/.test(client)) {
      throw bad(`verdicts[${i}].client must be an address:port`);
    }
    if (typeof qname !== 'string' || !QNAME.test(qname)) throw bad(`verdicts[${i}].qname must be printable text of 1-1100 characters`);
    if (typeof qtype !== 'number' || !Number.isInteger(qtype) || qtype < 0 || qtype > 65535) throw bad(`verdicts[${i}].qtype must be 0-65535`);
    if (!VERDICTS.includes(verdict as GuardVerdictKind)) throw bad(`verdicts[${i}].verdict must be one of ${VERDICTS.join(', ')}`);
    const ev = evidence === undefined ? {} : evidence;
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev) || JSON.stringify(ev).length > MAX_EVIDENCE_BYTES) {
      throw bad(`verdicts[${i}].evidence must be an object of at most ${MAX_EVIDENCE_BYTES} bytes`);
    }
    return { timeUs, client, qname, qtype, verdict: verdict as GuardVerdictKind, evidence: ev as Record<string, unknown> };
  });
  return { guard, pipeline, verdicts };
}

export interface GuardSinkDeps {
  db: Database.Database;
  /** The process chain of `pid` in an open build, root first (empty when not in memory). */
  chainOf(buildId: string, pid: number): ProcessInfo[];
  /** A new or moved alert: broadcast, count, log. */
  published(alert: StoredAlert, moved: boolean): void;
  /** An alert joined a build the core may hold: its in-memory count follows. */
  countAlert(buildId: string): void;
}

/** How far back an agent's record of the same query is looked for. */
const MATCH_WINDOW_US = 10 * 60_000_000;
/** When an agent's events have not arrived yet: look again after these delays. */
const RECHECK_MS = [250, 1_000, 5_000, 15_000];

/** One alert per build (or guard), verdict and domain: a secret sent in 40 chunks is one alert. */
function guardDedupeKey(buildId: string, verdict: string, domainOrName: string): string {
  return `dns_guard_block:${buildId}:${verdict}:${domainOrName}`;
}

export class GuardVerdictSink {
  private readonly s;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: GuardSinkDeps) {
    const db = deps.db;
    this.s = {
      insertVerdict: db.prepare(`INSERT INTO guard_verdicts (at_us, guard, pipeline, client, qname, qtype, verdict, evidence, build_id, alert_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      // The agent's record of the same name: its build and the process that asked first.
      agentSaw: db.prepare(`SELECT d.build_id, d.first_pid, b.run_id, b.pipeline FROM dns_names d JOIN builds b ON b.id = d.build_id
        WHERE d.domain IS ? AND d.qname = ? AND d.last_us >= ? AND b.pipeline = ? AND b.ci_provider != 'guard' ORDER BY d.first_us DESC LIMIT 1`),
      // The guard's own record: ended at once (it holds alerts, never events), so it is never reloaded as running.
      insertBuild: db.prepare(`INSERT OR IGNORE INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us, ended_us, exit_code)
        VALUES (?, ?, '', 'dns guard', '', '', ?, 'guard', 0, ?, ?, 0)`),
      insertAlert: db.prepare(`INSERT OR IGNORE INTO alerts (id, dedupe_key, build_id, pipeline, run_id, kind, severity, qname, domain, address, pid, chain, evidence, event_us, created_us)
        VALUES (?, ?, ?, ?, ?, 'dns_guard_block', ?, ?, ?, NULL, ?, ?, ?, ?, ?)`),
      alertByKey: db.prepare('SELECT id FROM alerts WHERE dedupe_key = ?').pluck(),
      alert: db.prepare('SELECT * FROM alerts WHERE id = ?'),
      countAlert: db.prepare('UPDATE builds SET alerts = alerts + ? WHERE id = ?'),
      // The key moves with the alert, so a later verdict found in the same build is the same alert.
      move: db.prepare('UPDATE OR IGNORE alerts SET build_id = ?, run_id = ?, pid = ?, chain = ?, dedupe_key = ? WHERE id = ? AND build_id = ?'),
      list: db.prepare('SELECT * FROM guard_verdicts WHERE pipeline = ? ORDER BY id DESC LIMIT ?'),
    };
  }

  /** Stores a report; returns how many verdicts were kept and the alerts raised. */
  accept(report: GuardReport, nowUs: number): { accepted: number; alerts: string[] } {
    const raised: StoredAlert[] = [];
    this.deps.db.transaction(() => {
      for (const v of report.verdicts) {
        const qname = v.qname.toLowerCase().replace(/\.$/, '');
        const domain = splitName(qname).domain;
        const saw = this.agentSaw(report.pipeline, domain, qname, v.timeUs);
        let alertId: string | null = null;
        if (v.verdict !== 'forwarded_new') {
          const a = this.raise(report, v, qname, domain, saw, nowUs);
          if (a) raised.push(a);
          alertId = a?.id ?? (this.s.alertByKey.get(this.dedupeKey(report, v, domain, saw)) as string | undefined) ?? null;
        }
        this.s.insertVerdict.run(v.timeUs, report.guard, report.pipeline, v.client, qname, v.qtype, v.verdict, JSON.stringify(v.evidence), saw?.build_id ?? null, alertId);
      }
    })();
    for (const a of raised) {
      this.deps.published(a, false);
      if (a.buildId.startsWith('guard:')) this.recheck(a.id, report.pipeline, a.qname ?? '', a.domain, a.eventAtUs, 0);
    }
    return { accepted: report.verdicts.length, alerts: raised.map((a) => a.id) };
  }

  private agentSaw(pipeline: string, domain: string | null, qname: string, timeUs: number) {
    return this.s.agentSaw.get(domain, qname, timeUs - MATCH_WINDOW_US, pipeline) as { build_id: string; first_pid: number; run_id: string; pipeline: string } | undefined;
  }

  private dedupeKey(report: GuardReport, v: GuardVerdict, domain: string | null, saw: { build_id: string } | undefined): string {
    return guardDedupeKey(saw?.build_id ?? `guard:${report.guard}:${report.pipeline}`, v.verdict, domain ?? v.qname);
  }

  private raise(report: GuardReport, v: GuardVerdict, qname: string, domain: string | null, saw: { build_id: string; first_pid: number; run_id: string } | undefined, nowUs: number): StoredAlert | null {
    const buildId = saw?.build_id ?? `guard:${report.guard}:${report.pipeline}`;
    if (!saw) this.s.insertBuild.run(buildId, report.pipeline, report.guard, nowUs, nowUs);
    const chain = saw ? this.deps.chainOf(saw.build_id, saw.first_pid) : [];
    const id = randomUUID();
    const severity = v.verdict === 'blocked_encoded' ? 'high' : 'medium';
    const evidence = { ...v.evidence, verdict: v.verdict, guard: report.guard, client: v.client, qtype: v.qtype, forwarded: false, exactName: normaliseName(qname) !== null };
    const chainJson = JSON.stringify(chain.map((p) => ({ pid: p.pid, exe: p.exe, argv: p.argv, cwd: p.cwd })));
    const r = this.s.insertAlert.run(id, this.dedupeKey(report, v, domain, saw), buildId, report.pipeline, saw?.run_id ?? '', severity, qname, domain,
      saw?.first_pid ?? 0, chainJson, JSON.stringify(evidence), v.timeUs, nowUs);
    if (r.changes === 0) return null;
    this.s.countAlert.run(1, buildId);
    this.deps.countAlert(buildId);
    return rowToAlert(this.s.alert.get(id) as AlertRow);
  }

  /** The agent's events may land after the guard's report: move the alert to the build that asked once they do. */
  private recheck(alertId: string, pipeline: string, qname: string, domain: string | null, timeUs: number, attempt: number): void {
    if (attempt >= RECHECK_MS.length) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        const saw = this.agentSaw(pipeline, domain, qname, timeUs);
        if (!saw) return this.recheck(alertId, pipeline, qname, domain, timeUs, attempt + 1);
        const current = this.s.alert.get(alertId) as AlertRow | undefined;
        if (!current) return;
        const chain = this.deps.chainOf(saw.build_id, saw.first_pid);
        const chainJson = JSON.stringify(chain.map((p) => ({ pid: p.pid, exe: p.exe, argv: p.argv, cwd: p.cwd })));
        const evidence = JSON.parse(current.evidence) as { verdict?: string };
        const key = guardDedupeKey(saw.build_id, String(evidence.verdict), current.domain ?? current.qname ?? '');
        const moved = this.deps.db.transaction(() => {
          // Ignored when the build already holds this alert (a later verdict found the build first).
          const n = this.s.move.run(saw.build_id, saw.run_id, saw.first_pid, chainJson, key, alertId, current.build_id).changes;
          if (n === 1) {
            this.s.countAlert.run(1, saw.build_id);
            this.s.countAlert.run(-1, current.build_id);
          }
          return n === 1;
        })();
        if (moved) {
          this.deps.countAlert(saw.build_id);
          this.deps.published(rowToAlert(this.s.alert.get(alertId) as AlertRow), true);
        }
      } catch {
        // The store closed under us (shutdown): nothing to move.
      }
    }, RECHECK_MS[attempt]);
    timer.unref();
    this.timers.add(timer);
  }

  recent(pipeline: string, limit: number): unknown[] {
    return (this.s.list.all(pipeline, limit) as Record<string, unknown>[]).map((r) => ({
      at: new Date(Number(r['at_us']) / 1000).toISOString(), guard: r['guard'], client: r['client'], qname: r['qname'], qtype: r['qtype'],
      verdict: r['verdict'], evidence: JSON.parse(String(r['evidence'])), buildId: r['build_id'], alertId: r['alert_id'],
    }));
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
