// The baseline API in-process: versions as builds teach them, settings and approval with the
// operator token, the live core following every version (a supervised switch after auto
// learning speaks at once), policies and the guard's allowlist, and hostile bodies.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertPage, BaselineVersionInfo, BuildBaselineDiff, GuardAllowlist, PipelineDetail } from '@telltale/proto';
import { startServer, type RunningServer } from './server.js';
import { serverConfig } from './config.js';
import { createLogger } from './logger.js';
import { BuildScript } from './core/test-events.js';
import { sendBatches } from './test-ingest.js';

const quiet = createLogger('test', () => undefined);
const TOKEN = 'operator-token-for-tests-0123456789';
const P = encodeURIComponent('acme/app');

describe('baseline API', () => {
  const dirs: string[] = [];
  let server: RunningServer | undefined;
  let sequence = 0;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    sequence = 0;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-baseline-api-'));
    dirs.push(d);
    server = await startServer(serverConfig({ dataDir: d, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken: TOKEN, learningBuilds: '1' }, {}), quiet);
    return server;
  };
  const build = async (s: RunningServer, id: string, names: string[], t: number) => {
    const b = new BuildScript(id, 'acme/app', 100, t);
    for (const n of names) b.dns(100, n);
    await sendBatches(s.grpcAddress, [{ agentId: 'agent-1', sequence: ++sequence, events: b.end().events }]);
  };
  const get = async <T>(s: RunningServer, path: string, status = 200): Promise<T> => {
    const r = await fetch(s.httpUrl + path);
    expect(r.status, `${path}: ${await r.clone().text()}`).toBe(status);
    return (r.headers.get('content-type')?.startsWith('application/json') ? await r.json() : await r.text()) as T;
  };
  const post = (s: RunningServer, path: string, body: unknown, token: string | null = TOKEN) => fetch(s.httpUrl + path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const firstSeen = async (s: RunningServer) => (await get<AlertPage>(s, '/api/alerts?kind=first_seen_domain')).alerts.map((a) => a.domain);

  it('learns a version per teaching build, switches to supervised with the token, and the live core follows', async () => {
    const s = await start();
    await build(s, 'b1', ['index.crates.test'], 1_700_000_000_000_000);
    const detail = await get<PipelineDetail>(s, `/api/pipelines/${P}`);
    expect([detail.summary.version, detail.summary.learning, detail.versions[0]!.cause]).toEqual([1, false, 'learned']);
    expect(await get<GuardAllowlist>(s, `/api/pipelines/${P}/allowlist`)).toMatchObject({ version: 1, readiness: 'ready', names: ['index.crates.test'], domains: [] });

    expect((await post(s, `/api/pipelines/${P}/baseline/settings`, { mode: 'supervised' }, null)).status).toBe(401);
    expect((await post(s, `/api/pipelines/${P}/baseline/settings`, { mode: 'sometimes' })).status).toBe(400);
    expect((await post(s, `/api/pipelines/${P}/baseline/settings`, { mode: 'auto', learningBuilds: 1.5 })).status).toBe(400);
    const set = await post(s, `/api/pipelines/${P}/baseline/settings`, { mode: 'supervised', actor: 'alice' });
    expect(set.status).toBe(200);
    // Version 1 exists: the supervised pipeline is past learning, so a new domain speaks (the core knows the version).
    await build(s, 'b2', ['cdn.other.test'], 1_700_000_001_000_000);
    expect(await firstSeen(s)).toEqual(['other.test']);
    const diff = await get<BuildBaselineDiff>(s, '/api/builds/b2/baseline-diff');
    expect(diff.new).toEqual([{ kind: 'name', value: 'cdn.other.test', pending: true }, { kind: 'domain', value: 'other.test', pending: true }]);

    expect((await post(s, `/api/pipelines/${P}/baseline/approve`, { all: true })).status).toBe(200);
    expect((await post(s, `/api/pipelines/${P}/baseline/approve`, { all: true })).status).toBe(409);
    expect((await post(s, `/api/pipelines/${P}/baseline/reject`, { entries: [{ kind: 'name', value: 'cdn.other.test' }] })).status).toBe(409);
    const versions = await get<{ versions: BaselineVersionInfo[] }>(s, `/api/pipelines/${P}/baseline/versions`);
    expect(versions.versions.map((v) => [v.version, v.cause, v.actor])).toEqual([[2, 'approved', 'operator'], [1, 'learned', 'telltale']]);
    // The approved domain is known to the live core: the next build's use of it raises nothing new.
    await build(s, 'b3', ['img.other.test'], 1_700_000_002_000_000);
    expect(await firstSeen(s)).toEqual(['other.test']);
  });

  it('serves policies, refusing an unready baseline and bad options with a code', async () => {
    const s = await start();
    const notYet = await fetch(`${s.httpUrl}/api/pipelines/${P}/policy?format=dnsmasq`);
    expect(notYet.status).toBe(404);
    await build(s, 'b1', ['index.crates.test'], 1_700_000_000_000_000);
    const text = await get<string>(s, `/api/pipelines/${P}/policy?format=dnsmasq&mode=enforce&upstream=192.0.2.53`);
    expect(text).toContain('server=/index.crates.test/192.0.2.53#53');
    expect((await get<{ code: string }>(s, `/api/pipelines/${P}/policy?format=iptables`, 400)).code).toBe('UNKNOWN_FORMAT');
    expect((await get<{ code: string }>(s, `/api/pipelines/${P}/policy?format=nftables`, 400)).code).toBe('MISSING_TARGET');
    expect((await get<{ code: string }>(s, `/api/pipelines/${P}/policy?format=nftables&uid=abc`, 400)).code).toBe('BAD_QUERY');
    expect((await get<{ code: string }>(s, `/api/pipelines/${P}/policy?format=dnsmasq&listen=x;y`, 400)).code).toBe('BAD_QUERY');
    await post(s, `/api/pipelines/${P}/baseline/settings`, { mode: 'auto', learningBuilds: 5 });
    expect((await get<{ code: string; message: string }>(s, `/api/pipelines/${P}/policy?format=dnsmasq&upstream=192.0.2.53`, 409)))
      .toMatchObject({ code: 'BASELINE_NOT_READY', message: expect.stringContaining('still learning (1/5 builds)') });
  });

  it('refuses hostile entries and oversized lists', async () => {
    const s = await start();
    await build(s, 'b1', ['index.crates.test'], 1_700_000_000_000_000);
    const codeOf = async (body: unknown) => { const r = await post(s, `/api/pipelines/${P}/baseline/approve`, body); return [r.status, ((await r.json()) as { code: string }).code]; };
    expect(await codeOf({ entries: [{ kind: 'name', value: 'a;b.test' }] })).toEqual([400, 'BAD_ENTRY']);
    expect(await codeOf({ entries: [{ kind: 'destination', value: 'tcp/host.test:443' }] })).toEqual([400, 'BAD_ENTRY']);
    expect(await codeOf({ entries: [{ kind: 'shell', value: 'x' }] })).toEqual([400, 'BAD_ENTRY']);
    expect(await codeOf({ entries: [{ kind: 'name', value: 7 }] })).toEqual([400, 'BAD_BODY']);
    expect(await codeOf({ entries: [] })).toEqual([400, 'BAD_BODY']);
    expect(await codeOf({ entries: Array(2001).fill({ kind: 'name', value: 'a.test' }) })).toEqual([400, 'BAD_BODY']);
    expect(await codeOf({ entries: [{ kind: 'name', value: 'x.test' }], buildId: 'not-a-build' })).toEqual([404, 'NOT_FOUND']);
    // Duplicates in one request are one entry in the version.
    const r = await post(s, `/api/pipelines/${P}/baseline/approve`, { entries: [{ kind: 'name', value: 'X.test' }, { kind: 'name', value: 'x.test.' }], buildId: 'b1' });
    expect(((await r.json()) as { version: BaselineVersionInfo }).version).toMatchObject({ added: [{ kind: 'name', value: 'x.test' }], builds: ['b1'] });
  });
});
