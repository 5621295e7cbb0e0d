// `telltale guard` driven through createCli, on loopback, stopped by its abort signal.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCli } from '../main.js';
import type { CliIo } from '../io.js';
import { startTestUpstream } from '../../../server/src/adapters/guard/test-upstream.js';
import { askUdp, decode, query } from '../../../server/src/adapters/guard/test-client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const cliIo: CliIo = {
    stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: process.cwd(), stdin: new PassThrough(), signal: controller.signal,
  };
  return { cliIo, out, err, stop: () => controller.abort() };
}

describe('telltale guard', () => {
  it('serves DNS from an exported allowlist file until stopped, then prints its counters', async () => {
    const upstream = await startTestUpstream();
    cleanups.push(() => upstream.close());
    const dir = mkdtempSync(join(tmpdir(), 'guard-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'allowlist.json');
    writeFileSync(file, JSON.stringify({ pipeline: 'acme/app', version: 2, readiness: 'ready', names: [], domains: ['corp.example'] }));
    const { cliIo, out, err, stop } = io();
    const running = createCli(['guard', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstream.port}`, '--allowlist', file, '--mode', 'enforce'], cliIo);
    const end = Date.now() + 5000;
    while (!out.join('').includes('ready') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const port = Number(out.join('').match(/DNS on 127\.0\.0\.1:(\d+)/)?.[1]);
    expect(out.join('')).toContain('mode enforce; allowlist acme/app v2 ready, 0 names, 1 domains');
    expect(decode(await askUdp(port, query('api.corp.example'))).rcode).toBe('NOERROR');
    expect(decode(await askUdp(port, query('elsewhere.example'))).rcode).toBe('NXDOMAIN');
    stop();
    expect(await running).toBe(0);
    expect(err.join('')).toContain('telltale guard: telltale_guard_queries_total{verdict="allowed"} 1');
    expect(err.join('')).toContain('telltale guard: telltale_guard_queries_total{verdict="blocked_new"} 1');
  });

  it.each([
    [['guard'], /--upstream/],
    [['guard', '--upstream', '10.0.0.2', '--mode', 'strict', '--allowlist', 'x'], /--mode/],
    [['guard', '--upstream', '10.0.0.2', '--collector', 'http://127.0.0.1:7070', '--pipeline', 'p'], /operator token/],
    [['guard', '--upstream', '10.0.0.2', '--allowlist', '/nonexistent/telltale-allowlist.json', '--listen', '127.0.0.1:0'], /--allowlist/],
  ])('exits 2 on bad usage: %j', async (argv, message) => {
    const { cliIo, err } = io();
    expect(await createCli(argv, cliIo)).toBe(2);
    expect(err.join('')).toMatch(message);
  });
});
