// The console's API end to end in-process: triage, allowing a domain, incidents and their
// timeline, the action log, and who may do what.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { AlertDetail, AlertPage, IncidentDetail, PipelineDetail, StreamMessage } from '@telltale/proto';
import { startServer, type RunningServer } from './server.js';
import { serverConfig } from './config.js';
import { createLogger } from './logger.js';
import { base32, BuildScript } from './core/test-events.js';
import { sendBatches } from './test-ingest.js';

const quiet = createLogger('test', () => undefined);
const TOKEN = 'operator-token-for-tests-0123456789';
const leakName = (secret: string) => `${base32(secret).slice(0, 60)}.exfil-drill.test`;

describe('console API', () => {
  const dirs: string[] = [];
  let server: RunningServer | undefined;
  let sequence = 0;
  const start = async (dir?: string, token: string | null = TOKEN) => {
    const operatorToken = token ?? undefined;
    const d = dir ?? mkdtempSync(join(tmpdir(), 'telltale-console-'));
    dirs.push(d);
    server = await startServer(serverConfig({ dataDir: d, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken, learningBuilds: '0' }, {}), quiet);
    return { dir: d, s: server };
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
    sequence = 0;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const leakingBuild = async (s: RunningServer, buildId: string, secret = 'AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI') => {
    const b = new BuildScript(buildId, 'acme/app').cargoBuildScript().dns(102, leakName(secret)).end();
    await sendBatches(s.grpcAddress, [{ agentId: 'agent-1', sequence: ++sequence, events: b.events }]);
    return b;
  };
  const get = async <T>(s: RunningServer, path: string): Promise<T> => {
    const r = await fetch(s.httpUrl + path);
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };
  const post = (s: RunningServer, path: string, body: unknown, token: string | null = TOKEN, headers: Record<string, string> = {}) => fetch(s.httpUrl + path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

  it('acknowledges an alert only with the operator token, logs who did it and pushes the change', async () => {
    const { s } = await start();
    await leakingBuild(s, 'b-1');
    const page = await get<AlertPage>(s, '/api/alerts?status=open&kind=encoded_dns_label');
    expect(page.total).toBe(1);
    const id = page.alerts[0]!.id;

    const ws = new WebSocket(s.httpUrl.replace('http', 'ws') + '/api/stream', ['telltale.v1']);
    const messages: StreamMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as StreamMessage));
    await new Promise((r) => ws.once('open', r));

    expect((await post(s, `/api/alerts/${id}/acknowledge`, {}, null)).status).toBe(401);
    expect((await post(s, `/api/alerts/${id}/acknowledge`, {}, 'wrong-token-wrong-token-wrong')).status).toBe(401);
    const ok = await post(s, `/api/alerts/${id}/acknowledge`, { actor: 'alice' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { alert: { status: string } }).alert.status).toBe('acknowledged');
    const again = await post(s, `/api/alerts/${id}/acknowledge`, { actor: 'alice' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await post(s, `/api/alerts/${id}/resolve`, { actor: 'alice' })).status).toBe(400); // a reason is required

    const detail = await get<AlertDetail>(s, `/api/alerts/${id}`);
    expect(detail.alert.status).toBe('acknowledged');
    expect(detail.actions).toHaveLength(1);
    expect(detail.actions[0]).toMatchObject({ actor: 'alice', action: 'acknowledge', targetType: 'alert', targetId: id });
    expect(detail.build?.id).toBe('b-1');
    expect(detail.decoded?.domain).toBe('exfil-drill.test');
    const sub = detail.decoded!.labels.filter((l) => l.role === 'subdomain');
    expect(sub).toHaveLength(1);
    expect(sub[0]).toMatchObject({ alphabet: 'base32', length: base32('AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI').length, text: leakName('AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI').split('.')[0] });
    expect(sub[0]!.bits).toBeGreaterThan(140);
    expect(detail.decoded!.labels.map((l) => l.role)).toEqual(['subdomain', 'domain', 'suffix']);

    expect((await get<AlertPage>(s, '/api/alerts?status=open&kind=encoded_dns_label')).total).toBe(0);
    expect((await get<AlertPage>(s, '/api/alerts?status=acknowledged')).total).toBe(1);
    // first_seen_domain fired too (the pipeline learns nothing with --learning-builds 0) and is still open.
    expect((await get<AlertPage>(s, '/api/alerts?status=open')).alerts.map((a) => a.kind)).toEqual(['first_seen_domain']);
    await new Promise((r) => setTimeout(r, 50));
    expect(messages.some((m) => m.type === 'alert_updated' && m.alert.id === id && m.alert.status === 'acknowledged')).toBe(true);
    ws.close();
  });

  it('marking a false positive and allowing the domain teaches the baseline, and later builds stop alerting, across a restart', async () => {
    const { dir, s } = await start();
    await leakingBuild(s, 'b-1');
    const id = (await get<AlertPage>(s, '/api/alerts?kind=encoded_dns_label')).alerts[0]!.id;
    const r = await post(s, `/api/alerts/${id}/false-positive`, { actor: 'bob', reason: 'our telemetry endpoint', allowDomain: true });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { alert: { status: string } }).alert.status).toBe('false_positive');

    const pipeline = await get<PipelineDetail>(s, `/api/pipelines/${encodeURIComponent('acme/app')}`);
    expect(pipeline.domains).toContainEqual(expect.objectContaining({
      domain: 'exfil-drill.test', source: 'allowed', allowedBy: 'bob', reason: 'our telemetry endpoint', buildId: 'b-1', allowedKinds: ['encoded_dns_label'],
    }));
    expect(pipeline.poisoned.map((p) => p.domain)).not.toContain('exfil-drill.test');
    expect((await get<AlertDetail>(s, `/api/alerts/${id}`)).domainAllowed).toBe(true);

    await leakingBuild(s, 'b-2', 'another-secret-another-secret-xyz');
    // Neither encoded_dns_label (allowed) nor first_seen_domain (the baseline knows it now).
    expect((await get<AlertPage>(s, '/api/alerts?buildId=b-2')).total).toBe(0);
    expect(await (await fetch(`${s.httpUrl}/metrics`)).text()).toContain('telltale_alerts_suppressed_total{reason="operator_allowed_domain"} 1');

    await s.close();
    server = undefined;
    const { s: again } = await start(dir);
    sequence = 2;
    await leakingBuild(again, 'b-3', 'a-third-secret-a-third-secret-abc');
    expect((await get<AlertPage>(again, '/api/alerts?buildId=b-3')).total).toBe(0);
    // Other pipelines are not affected by acme/app's allowance.
    const other = new BuildScript('b-4', 'acme/other').cargoBuildScript().dns(102, leakName('fourth-secret-fourth-secret-1234')).end();
    await sendBatches(again.grpcAddress, [{ agentId: 'agent-1', sequence: ++sequence, events: other.events }]);
    expect((await get<AlertPage>(again, '/api/alerts?pipeline=acme/other&kind=encoded_dns_label')).total).toBe(1);

    // Reopening the alert takes the allowance back: the next leak alerts again.
    expect((await post(again, `/api/alerts/${id}/reopen`, { actor: 'bob' })).status).toBe(200);
    const after = await get<PipelineDetail>(again, `/api/pipelines/${encodeURIComponent('acme/app')}`);
    expect(after.domains.map((d) => d.domain)).not.toContain('exfil-drill.test');
    expect((await get<AlertDetail>(again, `/api/alerts/${id}`)).domainAllowed).toBe(false);
    await leakingBuild(again, 'b-5', 'a-fifth-secret-a-fifth-secret-def');
    expect((await get<AlertPage>(again, '/api/alerts?buildId=b-5&kind=encoded_dns_label')).total).toBe(1);
  });

  it('allowing a domain as merely new does not silence data encoded into it', async () => {
    const { s } = await start();
    const benign = new BuildScript('b-1', 'acme/app').cargoBuildScript().dns(102, 'api.exfil-drill.test').end();
    await sendBatches(s.grpcAddress, [{ agentId: 'agent-1', sequence: ++sequence, events: benign.events }]);
    const firstSeen = (await get<AlertPage>(s, '/api/alerts?kind=first_seen_domain')).alerts[0]!;
    expect(firstSeen.domain).toBe('exfil-drill.test');
    expect((await post(s, `/api/alerts/${firstSeen.id}/false-positive`, { reason: 'our API', allowDomain: true })).status).toBe(200);
    await leakingBuild(s, 'b-2');
    const b2 = await get<AlertPage>(s, '/api/alerts?buildId=b-2');
    expect(b2.alerts.map((a) => a.kind)).toEqual(['encoded_dns_label']);
    // ...and the exfiltration poisons the domain again.
    expect((await get<PipelineDetail>(s, `/api/pipelines/${encodeURIComponent('acme/app')}`)).poisoned.map((p) => p.domain)).toContain('exfil-drill.test');
  });

  it('opens an incident from alerts and puts process events, DNS, alerts and actions on one timeline with times to detect and resolve', async () => {
    const { s } = await start();
    await leakingBuild(s, 'b-1');
    const alertId = (await get<AlertPage>(s, '/api/alerts?kind=encoded_dns_label')).alerts[0]!.id;
    const opened = await post(s, '/api/incidents', { actor: 'carol', title: 'AWS key leaked by url-parsr', alertIds: [alertId] });
    expect(opened.status).toBe(201);
    const { incident } = (await opened.json()) as { incident: { id: string; status: string; alertCount: number; timeToDetectMs: number } };
    expect(incident).toMatchObject({ status: 'open', alertCount: 1 });
    expect(incident.timeToDetectMs).toBeGreaterThanOrEqual(0);

    expect((await post(s, `/api/incidents/${incident.id}/notes`, { actor: 'carol', text: 'rotated the key' })).status).toBe(201);
    expect((await post(s, `/api/incidents/${incident.id}/status`, { actor: 'carol', status: 'contained' })).status).toBe(200);
    const closed = await post(s, `/api/incidents/${incident.id}/status`, { actor: 'carol', status: 'closed' });
    expect(((await closed.json()) as { incident: { timeToResolveMs: number | null; closedAt: string | null; containedAt: string | null } }).incident)
      .toMatchObject({ timeToResolveMs: expect.any(Number), closedAt: expect.any(String), containedAt: expect.any(String) });
    expect((await post(s, `/api/incidents/${incident.id}/status`, { status: 'closed' })).status).toBe(409);
    expect((await post(s, `/api/incidents/${incident.id}/status`, { status: 'finished' })).status).toBe(400);

    const detail = await get<IncidentDetail>(s, `/api/incidents/${incident.id}`);
    const types = detail.timeline.map((e) => e.type);
    expect(new Set(types)).toEqual(new Set(['exec', 'dns', 'alert', 'action']));
    expect(detail.timeline.map((e) => e.atUs)).toEqual([...detail.timeline.map((e) => e.atUs)].sort((a, b) => a - b));
    const execs = detail.timeline.filter((e) => e.type === 'exec');
    expect(execs.map((e) => (e.type === 'exec' ? e.exe.split('/').pop() : ''))).toEqual(['node', 'cargo', 'build-script-build']);
    const actions = detail.timeline.flatMap((e) => (e.type === 'action' ? [e.action.action] : []));
    expect(actions).toEqual(['incident_open', 'incident_note', 'incident_status', 'incident_status']);
    expect(detail.timelineComplete).toBe(true);
    expect((await get<AlertDetail>(s, `/api/alerts/${alertId}`)).incident?.id).toBe(incident.id);

    // An alert belongs to one incident.
    const second = await post(s, '/api/incidents', { title: 'again', alertIds: [alertId] });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'ALERT_IN_INCIDENT' });
    expect((await post(s, '/api/incidents', { title: 'none', alertIds: ['no-such-alert'] })).status).toBe(404);
    // The refused incident left nothing behind.
    expect((await get<{ incidents: unknown[] }>(s, '/api/incidents')).incidents).toHaveLength(1);
  });

  it('refuses hostile requests: foreign Host (DNS rebinding), cross-origin actions and streams, oversized or malformed bodies', async () => {
    const { s } = await start();
    await leakingBuild(s, 'b-1');
    const id = (await get<AlertPage>(s, '/api/alerts')).alerts[0]!.id;
    const { request } = await import('node:http');
    const status = (path: string, headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const u = new URL(s.httpUrl + path);
      request({ host: u.hostname, port: u.port, path, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    expect(await status('/api/alerts', { host: 'attacker.example:7070' })).toBe(421);
    expect(await status('/api/alerts', { host: `localhost:${new URL(s.httpUrl).port}` })).toBe(200);
    expect((await post(s, `/api/alerts/${id}/acknowledge`, {}, TOKEN, { origin: 'http://attacker.example' })).status).toBe(403);
    const big = await post(s, `/api/alerts/${id}/resolve`, { reason: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    const bad = await fetch(`${s.httpUrl}/api/alerts/${id}/resolve`, { method: 'POST', body: '{"reason":', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'BAD_BODY' });
    expect((await post(s, `/api/alerts/${id}/resolve`, { reason: 'line\u0000break' })).status).toBe(400);
    expect((await fetch(`${s.httpUrl}/api/alerts?cursor=abc`)).status).toBe(400);
    expect((await fetch(`${s.httpUrl}/api/builds?state=weird`)).status).toBe(400);

    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(s.httpUrl.replace('http', 'ws') + '/api/stream', ['telltale.v1'], { origin: 'http://attacker.example' });
      ws.on('open', () => { ws.close(); resolve(false); });
      ws.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    // Every refusal left the alert as it was.
    expect((await get<AlertDetail>(s, `/api/alerts/${id}`)).alert.status).toBe('open');
  });

  it('generates the operator token on first start (mode 0600) and keeps it across restarts', async () => {
    const { dir, s } = await start(undefined, null);
    expect(s.operatorToken.created).toBe(true);
    const path = join(dir, 'operator-token');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(s.operatorToken.token);
    await s.close();
    server = undefined;
    const { s: again } = await start(dir, null);
    expect(again.operatorToken).toMatchObject({ created: false, token: s.operatorToken.token });
    const session = await fetch(`${again.httpUrl}/api/session`, { headers: { authorization: `Bearer ${s.operatorToken.token}` } });
    expect(await session.json()).toEqual({ readsNeedToken: false, operator: true });
  });

  it('off loopback, reads and the stream need the operator token too', async () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-console-'));
    dirs.push(d);
    // As if listening on a routable address; the test itself still talks to 127.0.0.1.
    const config = { ...serverConfig({ dataDir: d, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken: TOKEN }, {}), httpLoopbackOnly: false };
    const s = (server = await startServer(config, quiet));
    expect((await fetch(`${s.httpUrl}/api/alerts`)).status).toBe(401);
    expect((await fetch(`${s.httpUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.httpUrl}/api/health`)).status).toBe(200);
    expect((await fetch(`${s.httpUrl}/api/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(await (await fetch(`${s.httpUrl}/api/session`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toEqual({ readsNeedToken: true, operator: true });
    const opens = (protocols: string[]) => new Promise<boolean>((resolve) => {
      const ws = new WebSocket(s.httpUrl.replace('http', 'ws') + '/api/stream', protocols);
      ws.on('open', () => { expect(ws.protocol).toBe('telltale.v1'); ws.close(); resolve(true); });
      ws.on('error', () => resolve(false));
    });
    expect(await opens(['telltale.v1'])).toBe(false);
    expect(await opens(['telltale.v1', `telltale-token.${TOKEN}`])).toBe(true);
  });

  it('keeps drill reports posted with the operator token, refuses malformed ones, and lists them newest first', async () => {
    const { s } = await start();
    const report = {
      drillId: 'ab12cd34', startedAt: '2026-11-23T04:00:00.000Z', passed: true, detected: true, timeToDetectMs: 21.5, maxTtdMs: 5000,
      variant: { encoding: 'base32', chunk: 'one', paceMs: 0, qtype: 'A', channel: 'build-script', control: false },
      detectors: ['encoded_dns_label'], chainNamesCrate: true, buildExitCode: 0, queryNames: ['0-1.abc.drill-ab12cd34.test'],
      layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: true, exposed: true }, canary: 'TTDRILLsecret',
    };
    expect((await post(s, '/api/drills', report, null)).status).toBe(401);
    expect((await post(s, '/api/drills', { ...report, passed: 'yes' })).status).toBe(400);
    expect((await post(s, '/api/drills', { ...report, variant: null })).status).toBe(400);
    expect((await post(s, '/api/drills', { ...report, buildExitCode: 1.5 })).status).toBe(400);
    expect((await post(s, '/api/drills', { ...report, timeToDetectMs: 9000 })).status).toBe(400); // "passed" beyond its bound
    expect((await post(s, '/api/drills', report)).status).toBe(201);
    expect((await post(s, '/api/drills', report)).status).toBe(409); // never rewritten
    // Kept in the order they arrive, whatever time they claim.
    expect((await post(s, '/api/drills', { ...report, drillId: 'ef56', startedAt: '2026-11-23T03:05:00.000Z', timeToDetectMs: null, detected: false, passed: false })).status).toBe(201);
    const { drills } = await get<{ drills: { id: string; timeToDetectMs: number | null; queries: number }[] }>(s, '/api/drills');
    expect(drills.map((d) => [d.id, d.timeToDetectMs])).toEqual([['ef56', null], ['ab12cd34', 21.5]]);
    expect(drills[1]!.queries).toBe(1);
    // Only the record is kept: not the canary, not the query names.
    expect(JSON.stringify(drills)).not.toContain('TTDRILLsecret');
  });
});
