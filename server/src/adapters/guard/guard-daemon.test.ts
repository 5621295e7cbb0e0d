// The whole guard daemon against a loopback stand-in for the collector (allowlist GET,
// verdicts POST) and a loopback upstream.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../logger.js';
import { base32, chunks, FAKE_SECRET } from '../../core/detectors/fixtures.js';
import { guardConfig, type RawGuardOptions } from './guard-config.js';
import { startGuardDaemon } from './guard-daemon.js';
import { startTestUpstream } from './test-upstream.js';
import { askUdp, decode, query } from './test-client.js';

const TOKEN = 'test-operator-token-0123';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fakeCollector(list: () => object) {
  const verdicts: Array<Record<string, unknown>> = [];
  const posts: Array<{ auth: string | undefined; guard: string; pipeline: string }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401).end('{"code":"UNAUTHORIZED","message":"token"}');
      } else if (req.method === 'GET' && req.url === '/api/pipelines/acme%2Fapp/allowlist') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list()));
      } else if (req.method === 'POST' && req.url === '/api/guard/verdicts') {
        const body = JSON.parse(text);
        posts.push({ auth: req.headers.authorization, guard: body.guard, pipeline: body.pipeline });
        verdicts.push(...body.verdicts);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: body.verdicts.length }));
      } else {
        res.writeHead(404).end('{"code":"NOT_FOUND","message":"no"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, verdicts, posts };
}

async function daemon(raw: Partial<RawGuardOptions>, env: Record<string, string> = { TELLTALE_OPERATOR_TOKEN: TOKEN }) {
  const upstream = await startTestUpstream();
  cleanups.push(() => upstream.close());
  const logs: string[] = [];
  const config = guardConfig({ listen: ['127.0.0.1:0'], upstream: [`127.0.0.1:${upstream.port}`], name: 'guard-test', ...raw }, env, {
    readText: () => { throw new Error('no files'); }, hostname: () => 'host-1',
  });
  const g = await startGuardDaemon(config, createLogger('guard', (l) => logs.push(l)), { allowlistRefreshMs: 50 });
  cleanups.push(() => g.close());
  return { g, upstream, logs, port: g.addresses[0]!.port };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const LIST = { pipeline: 'acme/app', version: 1, readiness: 'learning', names: [], domains: ['corp.example'] };

describe('guard daemon', () => {
  it('will not enforce a learning baseline: audits, says so loudly, and enforces once a refresh says ready', async () => {
    let list: object = LIST;
    const c = await fakeCollector(() => list);
    const { g, logs, port, upstream } = await daemon({ collector: c.url, pipeline: 'acme/app', mode: 'enforce' });
    expect(g.mode).toBe('audit');
    expect(g.modeReason).toMatch(/learning/);
    expect(logs.some((l) => l.includes('"level":"error"') && l.includes('NOT ENFORCING'))).toBe(true);
    expect(decode(await askUdp(port, query('new-one.example'))).rcode).toBe('NOERROR');
    list = { ...LIST, version: 2, readiness: 'ready' };
    await until(() => g.mode === 'enforce');
    expect(logs.some((l) => l.includes('guard now enforcing'))).toBe(true);
    expect(decode(await askUdp(port, query('new-two.example'))).rcode).toBe('NXDOMAIN');
    expect(decode(await askUdp(port, query('www.corp.example'))).rcode).toBe('NOERROR');
    expect(upstream.queries.map((q) => q.name)).toEqual(['new-one.example', 'www.corp.example']);
    await until(() => c.verdicts.length === 2);
    expect(c.verdicts.map((v) => [v.verdict, v.qname])).toEqual([['forwarded_new', 'new-one.example'], ['blocked_new', 'new-two.example']]);
    expect(c.posts[0]).toEqual({ auth: `Bearer ${TOKEN}`, guard: 'guard-test', pipeline: 'acme/app' });
  });

  it('reports a blocked_encoded and keeps the secret out of its own log', async () => {
    const c = await fakeCollector(() => ({ ...LIST, readiness: 'ready' }));
    const { port, upstream, logs } = await daemon({ collector: c.url, pipeline: 'acme/app' });
    const name = `${chunks(base32(FAKE_SECRET), 32).join('.')}.exfil.test`;
    expect(decode(await askUdp(port, query(name, 'TXT'))).rcode).toBe('NXDOMAIN');
    await until(() => c.verdicts.length === 1);
    expect(c.verdicts[0]).toMatchObject({ verdict: 'blocked_encoded', qname: name, qtype: 16, client: expect.stringMatching(/^127\.0\.0\.1:\d+$/), evidence: { domain: 'exfil.test' } });
    expect(upstream.queries).toEqual([]);
    expect(logs.join('\n')).not.toContain(name.split('.')[0]);
    expect(logs.some((l) => l.includes('blocked encoded data'))).toBe(true);
  });

  it('starts auditing when the collector is away at start, and picks the list up when it answers', async () => {
    let up = false;
    const c = await fakeCollector(() => (up ? { ...LIST, readiness: 'ready' } : { broken: true }));
    const { g, logs } = await daemon({ collector: c.url, pipeline: 'acme/app', mode: 'enforce' });
    expect(g.allowlist).toBeNull();
    expect(g.mode).toBe('audit');
    expect(logs.some((l) => l.includes('no allowlist from the collector yet'))).toBe(true);
    up = true;
    await until(() => g.mode === 'enforce');
  });

  it('refuses to start on a bad --allowlist file (exit 2 in the CLI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-daemon-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'list.json');
    writeFileSync(file, JSON.stringify({ ...LIST, domains: ['com'] }));
    const config = guardConfig({ listen: ['127.0.0.1:0'], upstream: ['127.0.0.1:9'], allowlist: file }, {}, { readText: () => '', hostname: () => 'h' });
    await expect(startGuardDaemon(config, createLogger('guard', () => {}))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
