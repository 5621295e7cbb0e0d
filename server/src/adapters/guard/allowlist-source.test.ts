// The allowlist from a loopback stand-in for the collector, and from a file.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../logger.js';
import type { GuardAllowlistDocument } from '../../core/guard/guard-policy.js';
import { allowlistUrl, createAllowlistSource, type AllowlistSourceOptions } from './allowlist-source.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DOC = { pipeline: 'acme/app', version: 3, readiness: 'ready', names: ['index.crates.example'], domains: ['corp.example'] };

async function collector(answer: () => [number, string]) {
  const seen: Array<{ url: string; auth: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const [status, body] = answer();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

function source(over: Partial<AllowlistSourceOptions>) {
  const changes: GuardAllowlistDocument[] = [];
  const logs: string[] = [];
  const s = createAllowlistSource({ log: createLogger('guard.allowlist', (l) => logs.push(l)), onChange: (d) => changes.push(d), refreshMs: 30, ...over });
  cleanups.push(() => s.close());
  return { s, changes, logs };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('allowlist source', () => {
  it('fetches the pipeline\'s allowlist from the collector with the token, the name escaped in the path', async () => {
    const c = await collector(() => [200, JSON.stringify(DOC)]);
    const { s, changes } = source({ collector: c.url, pipeline: 'acme/app', token: 'test-operator-token-0123' });
    expect(await s.load()).toEqual(DOC);
    expect(c.seen).toEqual([{ url: '/api/pipelines/acme%2Fapp/allowlist', auth: 'Bearer test-operator-token-0123' }]);
    expect(changes).toHaveLength(1);
    expect(allowlistUrl('http://h:1/', 'a b/c')).toBe('http://h:1/api/pipelines/a%20b%2Fc/allowlist');
  });

  it('refreshes, hands over a changed list, and keeps the last good one when a read fails or is refused', async () => {
    const answers: Array<[number, string]> = [
      [200, JSON.stringify(DOC)],
      [500, '{"code":"INTERNAL","message":"x"}'],
      [200, '{"pipeline": "acme/app", "version": 4, "readiness": "ready", "names": [1], "domains": []}'],
      [200, JSON.stringify(DOC)],
      [200, JSON.stringify({ ...DOC, version: 4, names: ['new.example'] })],
    ];
    let i = 0;
    const c = await collector(() => answers[Math.min(i++, answers.length - 1)]!);
    const { s, changes, logs } = source({ collector: c.url, pipeline: 'acme/app', token: 't' });
    await s.load();
    s.start();
    await until(() => changes.length === 2);
    expect(changes.map((d) => d.version)).toEqual([3, 4]);
    expect(s.current?.names).toEqual(['new.example']);
    // One warning for the run of failures, then one line when it works again.
    expect(logs.filter((l) => l.includes('allowlist refresh failed'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('allowlist read again'))).toHaveLength(1);
  });

  it('refuses hostile documents with a code, and a list for another pipeline', async () => {
    for (const body of ['{"pipeline": "acme/app", "version": 1, "readiness": "ready", "names": [], "domains": ["com"]}', '[]', 'x'.repeat(100), JSON.stringify({ ...DOC, pipeline: 'other/app' })]) {
      const c = await collector(() => [200, body]);
      const { s } = source({ collector: c.url, pipeline: 'acme/app' });
      await expect(s.load()).rejects.toMatchObject({ code: 'GUARD_ALLOWLIST_INVALID' });
      expect(s.current).toBeNull();
    }
  });

  it('says what the collector answered when it refuses (401)', async () => {
    const c = await collector(() => [401, '{"code":"UNAUTHORIZED","message":"token"}']);
    const { s } = source({ collector: c.url, pipeline: 'acme/app' });
    await expect(s.load()).rejects.toMatchObject({ code: 'GUARD_ALLOWLIST_UNAVAILABLE', status: 401, message: expect.stringContaining('UNAUTHORIZED') });
  });

  it('reads a file exported from the collector, and re-reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-allowlist-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'allowlist.json');
    writeFileSync(file, JSON.stringify(DOC));
    const { s, changes } = source({ file });
    expect((await s.load()).version).toBe(3);
    s.start();
    writeFileSync(file, JSON.stringify({ ...DOC, version: 5 }));
    await until(() => changes.length === 2);
    expect(s.current?.version).toBe(5);
    writeFileSync(file, '{"broken');
    await new Promise((r) => setTimeout(r, 100));
    expect(s.current?.version).toBe(5);
  });
});
