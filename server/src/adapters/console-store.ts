// The console's side of the store: paged and filtered reads, alert triage, incidents, the
// action log and operator-allowed domains. Every write that changes state records who did
// it in the same transaction, so the log and the state cannot disagree.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type {
  Action, ActionKind, Alert, BaselineVersionInfo, BuildStatus, DrillRecord, IncidentStatus, IncidentSummary, PipelineSummary,
} from '@telltale/proto';
import { rowToAlert, rowToBuild, usToIso, type AlertRow, type BuildRow, type StoredBuild } from './store-rows.js';
import { BaselineStore, type BaselineVersion } from './baseline-store.js';
import { nextAlertStatus, type TriageAction } from '../core/console/alert-triage.js';
import { incidentTimes } from '../core/console/incident-metrics.js';

/** A state change the console asked for that the current state does not allow. */
export class ConsoleError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'INVALID_TRANSITION' | 'ALERT_IN_INCIDENT' | 'NO_DOMAIN' | 'BAD_CURSOR', message: string) {
    super(message);
  }
}

export interface AlertFilter {
  pipeline?: string;
  kind?: string;
  severity?: string;
  status?: string;
  buildId?: string;
  runId?: string;
  sinceUs?: number;
}

/** An allowance taken back by reopening its alert. */
export function versionInfo(v: BaselineVersion): BaselineVersionInfo {
  return { version: v.version, at: usToIso(v.createdUs), cause: v.cause, actor: v.actor, reason: v.reason, builds: v.builds, added: v.added, removed: v.removed };
}

export interface Revoked { pipeline: string; domain: string; kind: string; unlearn: boolean }

interface ActionRow { id: number; at_us: number; actor: string; action: string; target_type: string; target_id: string; detail: string }
interface IncidentRow { id: string; title: string; status: string; created_us: number; created_by: string; contained_us: number | null; closed_us: number | null }

const rowToAction = (r: ActionRow): Action => ({
  id: r.id, at: usToIso(r.at_us), atUs: r.at_us, actor: r.actor, action: r.action as ActionKind,
  targetType: r.target_type as Action['targetType'], targetId: r.target_id, detail: JSON.parse(r.detail) as Record<string, unknown>,
});

function alertWhere(f: AlertFilter): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const eq = (column: string, v: string | undefined) => {
    if (v !== undefined) { where.push(`${column} = ?`); args.push(v); }
  };
  eq('pipeline', f.pipeline);
  eq('kind', f.kind);
  eq('severity', f.severity);
  eq('status', f.status);
  eq('build_id', f.buildId);
  eq('run_id', f.runId);
  if (f.sinceUs !== undefined) { where.push('created_us >= ?'); args.push(f.sinceUs); }
  return { sql: where.join(' AND '), args };
}

/** Cursors are opaque to clients; here they are a rowid, or "startedUs:id" for builds. */
function parseRowidCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw new ConsoleError('BAD_CURSOR', 'cursor is not one this API returned');
  return Number(cursor);
}

export class ConsoleStore {
  private readonly stmts;

  readonly baselines: BaselineStore;

  constructor(private readonly db: Database.Database, baselines?: BaselineStore) {
    this.baselines = baselines ?? new BaselineStore(db);
    this.stmts = {
      alert: db.prepare('SELECT * FROM alerts WHERE id = ?'),
      alertsOfBuild: db.prepare('SELECT * FROM alerts WHERE build_id = ? ORDER BY rowid LIMIT 1000'),
      alertsOfIncident: db.prepare('SELECT * FROM alerts WHERE incident_id = ? ORDER BY rowid LIMIT 1000'),
      setAlertStatus: db.prepare('UPDATE alerts SET status = ?, status_us = ? WHERE id = ?'),
      setAlertIncident: db.prepare('UPDATE alerts SET incident_id = ? WHERE id = ?'),
      insertAction: db.prepare('INSERT INTO actions (at_us, actor, action, target_type, target_id, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      actionsOf: db.prepare('SELECT * FROM actions WHERE target_type = ? AND target_id = ? ORDER BY id'),
      incident: db.prepare('SELECT * FROM incidents WHERE id = ?'),
      insertIncident: db.prepare('INSERT INTO incidents (id, title, status, created_us, created_by) VALUES (?, ?, ?, ?, ?)'),
      setIncidentStatus: db.prepare('UPDATE incidents SET status = ?, contained_us = ?, closed_us = ? WHERE id = ?'),
      allowDomain: db.prepare(`INSERT INTO baseline_allowed (pipeline, domain, kind, allowed_us, actor, reason, alert_id, build_id, taught_baseline)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(pipeline, domain, kind) DO NOTHING`),
      unpoison: db.prepare('DELETE FROM baseline_poisoned WHERE pipeline = ? AND domain = ?'),
      isAllowed: db.prepare('SELECT 1 FROM baseline_allowed WHERE pipeline = ? AND domain = ? AND kind = ?'),
      allowanceOfAlert: db.prepare('SELECT pipeline, domain, kind, taught_baseline FROM baseline_allowed WHERE alert_id = ?'),
      dropAllowance: db.prepare('DELETE FROM baseline_allowed WHERE pipeline = ? AND domain = ? AND kind = ?'),
      otherAllowances: db.prepare('SELECT count(*) FROM baseline_allowed WHERE pipeline = ? AND domain = ?'),
      incidentFigures: db.prepare(`SELECT count(*) AS n, min(event_us) AS first_event, min(created_us) AS first_created,
        json_group_array(DISTINCT pipeline) AS pipelines, json_group_array(DISTINCT build_id) AS builds FROM alerts WHERE incident_id = ?`),
      incidentActions: db.prepare(`SELECT * FROM actions WHERE (target_type = 'incident' AND target_id = ?)
        OR (target_type = 'alert' AND target_id IN (SELECT id FROM alerts WHERE incident_id = ?)) ORDER BY id`),
    };
  }

  // ---- reads ------------------------------------------------------------------------

  listBuilds(q: { pipeline?: string; state?: BuildStatus; cursor?: string; limit: number }): { builds: StoredBuild[]; next: string | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.pipeline !== undefined) { where.push('pipeline = ?'); args.push(q.pipeline); }
    if (q.state === 'running') where.push('ended_us IS NULL');
    else if (q.state === 'succeeded') where.push('ended_us IS NOT NULL AND exit_code = 0');
    else if (q.state === 'failed') where.push('ended_us IS NOT NULL AND exit_code IS NOT 0');
    if (q.cursor !== undefined) {
      // Start time and rowid, not the build id: an agent chooses ids (up to 4 KB) and must not
      // be able to make a cursor too long to send back.
      const m = /^(\d{1,17}):(\d{1,15})$/.exec(q.cursor);
      if (!m) throw new ConsoleError('BAD_CURSOR', 'cursor is not one this API returned');
      where.push('(started_us < ? OR (started_us = ? AND rowid < ?))');
      args.push(Number(m[1]), Number(m[1]), Number(m[2]));
    }
    const sql = `SELECT rowid AS _rowid, * FROM builds ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_us DESC, rowid DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit + 1) as (BuildRow & { _rowid: number })[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { builds: page.map(rowToBuild), next: more && last ? `${last.started_us}:${last._rowid}` : null };
  }

  listAlerts(f: AlertFilter & { cursor?: string; limit: number }): { alerts: Alert[]; next: string | null; total: number } {
    const { sql, args } = alertWhere(f);
    const before = parseRowidCursor(f.cursor);
    const pageWhere = [sql, before !== undefined ? 'rowid < ?' : ''].filter(Boolean).join(' AND ');
    const rows = this.db.prepare(`SELECT rowid AS _rowid, * FROM alerts ${pageWhere ? 'WHERE ' + pageWhere : ''} ORDER BY rowid DESC LIMIT ?`)
      .all(...args, ...(before !== undefined ? [before] : []), f.limit + 1) as (AlertRow & { _rowid: number })[];
    const total = this.db.prepare(`SELECT count(*) FROM alerts ${sql ? 'WHERE ' + sql : ''}`).pluck().get(...args) as number;
    const more = rows.length > f.limit;
    const page = rows.slice(0, f.limit);
    return { alerts: page.map(rowToAlert), next: more ? String(page[page.length - 1]!._rowid) : null, total };
  }

  alert(id: string): Alert | null {
    const row = this.stmts.alert.get(id) as AlertRow | undefined;
    return row ? rowToAlert(row) : null;
  }

  alertsOfBuild(buildId: string): Alert[] {
    return (this.stmts.alertsOfBuild.all(buildId) as AlertRow[]).map(rowToAlert);
  }

  actionsOf(targetType: Action['targetType'], targetId: string): Action[] {
    return (this.stmts.actionsOf.all(targetType, targetId) as ActionRow[]).map(rowToAction);
  }

  /** The allowance an operator gave for this alert's domain and kind in its pipeline, if any. */
  allowanceOf(alert: Alert): boolean {
    return alert.domain !== null && this.stmts.isAllowed.get(alert.pipeline, alert.domain, alert.kind) !== undefined;
  }

  incident(id: string): IncidentSummary | null {
    const row = this.stmts.incident.get(id) as IncidentRow | undefined;
    return row ? this.summarize(row) : null;
  }

  /** Its first 1,000 alerts (alertCount in the summary counts them all). */
  incidentAlerts(id: string): Alert[] {
    return (this.stmts.alertsOfIncident.all(id) as AlertRow[]).map(rowToAlert);
  }

  /** The incident's own actions and those taken on its alerts, oldest first. */
  incidentActions(id: string): Action[] {
    return (this.stmts.incidentActions.all(id, id) as ActionRow[]).map(rowToAction);
  }

  listIncidents(q: { status?: IncidentStatus; cursor?: string; limit: number }): { incidents: IncidentSummary[]; next: string | null } {
    const before = parseRowidCursor(q.cursor);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.status !== undefined) { where.push('status = ?'); args.push(q.status); }
    if (before !== undefined) { where.push('rowid < ?'); args.push(before); }
    const rows = this.db.prepare(`SELECT rowid AS _rowid, * FROM incidents ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY rowid DESC LIMIT ?`)
      .all(...args, q.limit + 1) as (IncidentRow & { _rowid: number })[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    return { incidents: page.map((r) => this.summarize(r)), next: more ? String(page[page.length - 1]!._rowid) : null };
  }

  /** One aggregate query per incident, however many alerts it holds. */
  private summarize(row: IncidentRow): IncidentSummary {
    const f = this.stmts.incidentFigures.get(row.id) as { n: number; first_event: number | null; first_created: number | null; pipelines: string; builds: string };
    const times = incidentTimes(f.n === 0 ? [] : [{ eventUs: f.first_event!, createdUs: f.first_created! }], row.closed_us);
    const iso = (us: number | null) => (us === null ? null : usToIso(us));
    const list = (json: string) => (JSON.parse(json) as (string | null)[]).filter((v): v is string => v !== null);
    return {
      id: row.id, title: row.title, status: row.status as IncidentStatus, createdAt: usToIso(row.created_us), createdBy: row.created_by,
      containedAt: iso(row.contained_us), closedAt: iso(row.closed_us), alertCount: f.n,
      pipelines: list(f.pipelines), buildIds: list(f.builds),
      firstActivityAt: iso(times.firstActivityUs), detectedAt: iso(times.detectedUs),
      timeToDetectMs: times.timeToDetectMs, timeToResolveMs: times.timeToResolveMs,
    };
  }

  /** Every pipeline, or just `only` (then each query reads that pipeline's rows alone). */
  pipelines(learningBuilds: number, only?: string): PipelineSummary[] {
    const one = only === undefined ? '' : 'WHERE pipeline = ?';
    const and = only === undefined ? '' : 'AND pipeline = ?';
    const args = only === undefined ? [] : [only];
    const builds = this.db.prepare(`SELECT pipeline, count(*) AS n, max(started_us) AS last FROM builds ${one} GROUP BY pipeline`).all(...args) as
      { pipeline: string; n: number; last: number }[];
    const counts = (sql: string) => new Map((this.db.prepare(sql).all(...args) as { pipeline: string; n: number }[]).map((r) => [r.pipeline, r.n]));
    const settings = new Map((this.db.prepare(`SELECT pipeline, learned_builds, mode, learning_builds, version FROM baselines ${one}`).all(...args) as
      { pipeline: string; learned_builds: number; mode: 'auto' | 'supervised'; learning_builds: number | null; version: number }[]).map((r) => [r.pipeline, r]));
    const entryCounts = new Map<string, Record<string, number>>();
    for (const r of this.db.prepare(`SELECT pipeline, CASE state WHEN 'pending' THEN 'pending' ELSE kind END AS k, count(*) AS n
      FROM baseline_entries ${one} GROUP BY pipeline, k`).all(...args) as { pipeline: string; k: string; n: number }[]) {
      const c = entryCounts.get(r.pipeline) ?? {};
      c[r.k] = r.n;
      entryCounts.set(r.pipeline, c);
    }
    const open = counts(`SELECT pipeline, count(*) AS n FROM alerts WHERE status = 'open' ${and} GROUP BY pipeline`);
    return builds.sort((a, b) => b.last - a.last).map((b) => {
      const st = settings.get(b.pipeline);
      const l = st?.learned_builds ?? 0;
      const mode = st?.mode ?? 'auto';
      const n = st?.learning_builds ?? learningBuilds;
      const c = entryCounts.get(b.pipeline) ?? {};
      return {
        pipeline: b.pipeline, builds: b.n, lastBuildAt: usToIso(b.last), learnedBuilds: l, learningBuilds: mode === 'supervised' ? 0 : n,
        learningBuildsSetting: st?.learning_builds ?? null,
        learning: mode === 'supervised' ? (st?.version ?? 0) === 0 : l < n, mode, version: st?.version ?? 0,
        domains: c.domain ?? 0, names: c.name ?? 0, destinations: c.destination ?? 0, tools: c.tool ?? 0, pending: c.pending ?? 0,
        openAlerts: open.get(b.pipeline) ?? 0,
      };
    });
  }

  baselineOf(pipeline: string) {
    // The latest allowance of a domain speaks for it (one per alert kind may exist).
    const allowances = new Map((this.db.prepare(`SELECT domain, actor, reason, max(allowed_us), group_concat(kind, ', ') AS kinds
      FROM baseline_allowed WHERE pipeline = ? GROUP BY domain`).all(pipeline) as { domain: string; actor: string; reason: string; kinds: string }[])
      .map((a) => [a.domain, a]));
    const poisoned = this.db.prepare('SELECT domain, first_seen_us, build_id FROM baseline_poisoned WHERE pipeline = ? ORDER BY first_seen_us')
      .all(pipeline) as { domain: string; first_seen_us: number; build_id: string }[];
    const entries = this.baselines.entries(pipeline);
    const active = (kind: string) => entries.filter((e) => e.kind === kind && e.state === 'active').sort((a, b) => a.firstSeenUs - b.firstSeenUs);
    return {
      domains: active('domain').map((d) => {
        const a = allowances.get(d.value);
        return {
          domain: d.value, firstSeenAt: usToIso(d.firstSeenUs), buildId: d.buildId, source: a === undefined ? 'learned' as const : 'allowed' as const,
          allowedBy: a?.actor ?? null, reason: a?.reason ?? null, allowedKinds: a === undefined ? [] : a.kinds.split(', '),
        };
      }),
      poisoned: poisoned.map((p) => ({ domain: p.domain, firstSeenAt: usToIso(p.first_seen_us), buildId: p.build_id })),
      tools: active('tool').map((t) => ({ tool: t.value, firstSeenAt: usToIso(t.firstSeenUs), buildId: t.buildId })),
      entries: entries.map((e) => ({
        kind: e.kind, value: e.value, state: e.state, version: e.version, buildId: e.buildId, firstSeenAt: usToIso(e.firstSeenUs), lastUsedAt: usToIso(e.lastUsedUs),
      })),
      versions: this.baselines.versions(pipeline).reverse().map(versionInfo),
    };
  }

  listDrills(q: { cursor?: string; limit: number }): { drills: DrillRecord[]; next: string | null } {
    const before = parseRowidCursor(q.cursor);
    const rows = this.db.prepare(`SELECT rowid AS _rowid, record FROM drills ${before !== undefined ? 'WHERE rowid < ?' : ''} ORDER BY rowid DESC LIMIT ?`)
      .all(...(before !== undefined ? [before] : []), q.limit + 1) as { _rowid: number; record: string }[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    // Records kept before drills could run with the guard have no `guard`: they ran without one.
    return { drills: page.map((r) => ({ guard: null, ...(JSON.parse(r.record) as Omit<DrillRecord, 'guard'>) }) as DrillRecord), next: more ? String(page[page.length - 1]!._rowid) : null };
  }

  /** Keeps a drill; false when one with its id is kept already (a report is never rewritten). */
  addDrill(drill: DrillRecord): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO drills (id, at_us, record) VALUES (?, ?, ?)').run(drill.id, Date.parse(drill.at) * 1000, JSON.stringify(drill)).changes === 1;
  }

  // ---- writes -----------------------------------------------------------------------

  record(nowUs: number, actor: string, action: ActionKind, targetType: Action['targetType'], targetId: string, detail: Record<string, unknown>): Action {
    const info = this.stmts.insertAction.run(nowUs, actor, action, targetType, targetId, JSON.stringify(detail));
    return rowToAction({ id: Number(info.lastInsertRowid), at_us: nowUs, actor, action, target_type: targetType, target_id: targetId, detail: JSON.stringify(detail) });
  }

  private requireAlert(id: string): Alert {
    const a = this.alert(id);
    if (!a) throw new ConsoleError('NOT_FOUND', 'no such alert');
    return a;
  }

  /**
   * Moves an alert along its triage life and logs who did it; throws ConsoleError when not
   * allowed. Reopening an alert whose false positive allowed its domain takes the allowance
   * back (returned, so the live core forgets it too).
   */
  triage(id: string, action: TriageAction, actor: string, detail: Record<string, unknown>, nowUs: number): { alert: Alert; revoked: Revoked | null } {
    return this.db.transaction(() => {
      const a = this.requireAlert(id);
      const status = nextAlertStatus(a.status, action);
      if (status === null) throw new ConsoleError('INVALID_TRANSITION', `cannot ${action.replace('_', ' ')} an alert that is ${a.status.replace('_', ' ')}`);
      this.stmts.setAlertStatus.run(status, nowUs, id);
      this.record(nowUs, actor, action, 'alert', id, detail);
      const revoked = action === 'reopen' ? this.revokeAllowance(id, actor, nowUs) : null;
      return { alert: this.requireAlert(id), revoked };
    })();
  }

  private revokeAllowance(alertId: string, actor: string, nowUs: number): Revoked | null {
    const row = this.stmts.allowanceOfAlert.get(alertId) as { pipeline: string; domain: string; kind: string; taught_baseline: number } | undefined;
    if (!row) return null;
    this.stmts.dropAllowance.run(row.pipeline, row.domain, row.kind);
    // The baseline forgets the domain only when this allowance taught it and no other allowance stands.
    const unlearn = row.taught_baseline === 1 && (this.stmts.otherAllowances.pluck().get(row.pipeline, row.domain) as number) === 0;
    if (unlearn) this.baselines.revokeDomain(row.pipeline, row.domain, actor, nowUs);
    this.record(nowUs, actor, 'revoke_domain', 'pipeline', row.pipeline, { domain: row.domain, kind: row.kind, alertId, unlearnt: unlearn });
    return { pipeline: row.pipeline, domain: row.domain, kind: row.kind, unlearn };
  }

  /**
   * Marks an alert a false positive and allows its domain for its pipeline: the baseline
   * learns the domain (attributed to the alert's build), it is no longer poisoned, and the
   * allowance is kept with who gave it and why. Returns the alert and the allowed domain.
   */
  falsePositiveAndAllow(id: string, actor: string, reason: string, nowUs: number): { alert: Alert; pipeline: string; domain: string; kind: string } {
    return this.db.transaction(() => {
      const before = this.requireAlert(id);
      const domain = before.domain;
      if (!domain) throw new ConsoleError('NO_DOMAIN', 'this alert names no domain to allow');
      const { alert } = this.triage(id, 'false_positive', actor, { reason, allowDomain: domain }, nowUs);
      const taught = this.baselines.allowDomain(alert.pipeline, domain, alert.buildId, actor, reason, nowUs);
      const fresh = this.stmts.allowDomain.run(alert.pipeline, domain, alert.kind, nowUs, actor, reason, id, alert.buildId, taught ? 1 : 0).changes === 1;
      this.stmts.unpoison.run(alert.pipeline, domain);
      // An allowance already given stays as it was (its author and reason); the log says so.
      this.record(nowUs, actor, 'allow_domain', 'pipeline', alert.pipeline, { domain, kind: alert.kind, alertId: id, reason, alreadyAllowed: !fresh });
      return { alert, pipeline: alert.pipeline, domain, kind: alert.kind };
    })();
  }

  openIncident(title: string, alertIds: readonly string[], actor: string, nowUs: number): IncidentSummary {
    return this.db.transaction(() => {
      const id = randomUUID();
      this.stmts.insertIncident.run(id, title, 'open', nowUs, actor);
      this.attach(id, alertIds);
      this.record(nowUs, actor, 'incident_open', 'incident', id, { title, alertIds });
      return this.incident(id)!;
    })();
  }

  addAlerts(incidentId: string, alertIds: readonly string[], actor: string, nowUs: number): IncidentSummary {
    return this.db.transaction(() => {
      if (!this.incident(incidentId)) throw new ConsoleError('NOT_FOUND', 'no such incident');
      this.attach(incidentId, alertIds);
      this.record(nowUs, actor, 'incident_add_alerts', 'incident', incidentId, { alertIds });
      return this.incident(incidentId)!;
    })();
  }

  private attach(incidentId: string, alertIds: readonly string[]): void {
    for (const alertId of alertIds) {
      const a = this.requireAlert(alertId);
      if (a.incidentId !== null && a.incidentId !== incidentId) {
        throw new ConsoleError('ALERT_IN_INCIDENT', `alert ${alertId} already belongs to another incident`);
      }
      this.stmts.setAlertIncident.run(incidentId, alertId);
    }
  }

  addNote(incidentId: string, text: string, actor: string, nowUs: number): Action {
    return this.db.transaction(() => {
      if (!this.incident(incidentId)) throw new ConsoleError('NOT_FOUND', 'no such incident');
      return this.record(nowUs, actor, 'incident_note', 'incident', incidentId, { text });
    })();
  }

  setIncidentStatus(incidentId: string, status: IncidentStatus, actor: string, nowUs: number): IncidentSummary {
    return this.db.transaction(() => {
      const row = this.stmts.incident.get(incidentId) as IncidentRow | undefined;
      if (!row) throw new ConsoleError('NOT_FOUND', 'no such incident');
      if (row.status === status) throw new ConsoleError('INVALID_TRANSITION', `the incident is already ${status}`);
      // Contained keeps its first time and is set only by containing (closing straight from open
      // contained nothing); reopening clears the close so time to resolve restarts.
      const contained = status === 'contained' ? row.contained_us ?? nowUs : row.contained_us;
      const closed = status === 'closed' ? nowUs : null;
      this.stmts.setIncidentStatus.run(status, contained, closed, incidentId);
      this.record(nowUs, actor, 'incident_status', 'incident', incidentId, { from: row.status, to: status });
      return this.incident(incidentId)!;
    })();
  }
}
