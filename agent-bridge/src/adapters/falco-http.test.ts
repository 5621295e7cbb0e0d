// Real HTTP on 127.0.0.1 against the Falco http_output receiver, sending what libcurl sends.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FalcoDecoder } from '../core/falco/falco-decoder.js';
import { startFalcoHttpServer, type FalcoHttpOptions, type FalcoHttpServer } from './falco-http.js';

const alerts = readFileSync(new URL('../core/falco/testdata/exfil-build.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
let server: FalcoHttpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(opts: FalcoHttpOptions = {}) {
  const lines: string[] = [];
  server = await startFalcoHttpServer((l) => lines.push(l), { port: 0, ...opts });
  return lines;
}

interface Reply { status: number; body: string; headers: http.IncomingHttpHeaders }
function send(opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; expectContinue?: boolean }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body ?? '';
    const req = http.request({
      host: '127.0.0.1', port: server!.port, method: opts.method ?? 'POST', path: opts.path ?? '/',
      headers: { 'content-type': 'application/json', 'user-agent': 'falcosecurity/falco', ...(opts.expectContinue ? { expect: '100-continue' } : {}), 'content-length': String(Buffer.byteLength(body)), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.expectContinue) {
      req.on('continue', () => req.end(body));
      req.flushHeaders();
    } else {
      req.end(body);
    }
  });
}

describe('Falco http_output receiver', () => {
  it('hands each POSTed alert to the callback as one line, and the decoder reads it', async () => {
    const lines = await start();
    for (const a of alerts) expect((await send({ body: a })).status).toBe(200);
    expect(lines).toEqual(alerts);
    const d = new FalcoDecoder();
    expect(lines.flatMap((l) => d.push(l)).filter((e) => e.kind === 'dns')).toHaveLength(1);
    expect(server!.counters.get('accepted')).toBe(alerts.length);
  });

  it('accepts a charset parameter and a trailing newline', async () => {
    const lines = await start();
    expect((await send({ body: `${alerts[0]}\n`, headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).status).toBe(200);
    expect(lines).toEqual([alerts[0]]);
  });

  it('refuses other methods, paths and media types, with a code and a count', async () => {
    const lines = await start({ path: '/falco' });
    const get = await send({ method: 'GET', path: '/falco' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(JSON.parse(get.body)).toEqual({ code: 'method_not_allowed' });
    expect((await send({ path: '/' , body: alerts[0] })).status).toBe(404);
    expect((await send({ path: '/falco', body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(lines).toEqual([]);
    expect(Object.fromEntries(server!.counters)).toEqual({ method_not_allowed: 1, not_found: 1, unsupported_media_type: 1 });
  });

  it('refuses empty, multi-line and non-UTF-8 bodies', async () => {
    const lines = await start();
    expect((await send({ body: '' })).status).toBe(400);
    expect((await send({ body: `${alerts[0]}\n${alerts[1]}` })).status).toBe(400);
    expect((await send({ body: Buffer.from([0x7b, 0xff, 0x7d]) })).status).toBe(400);
    expect(lines).toEqual([]);
    expect(server!.counters.get('bad_body')).toBe(3);
  });

  it('answers 413 to a body over the cap, from its length alone or as it streams', async () => {
    const lines = await start({ maxBodyBytes: 1024 });
    // libcurl's Expect: 100-continue: refused before the body is sent.
    const asked = await send({ body: 'x'.repeat(4096), expectContinue: true });
    expect(asked.status).toBe(413);
    // Chunked, no length: cut once past the cap.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server!.port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.write('y'.repeat(2048));
    });
    expect(streamed).toBe(413);
    expect(lines).toEqual([]);
    expect(server!.counters.get('body_too_large')).toBe(2);
  });

  it('checks the Basic credentials libcurl sends from http://user:secret@host/', async () => {
    const lines = await start({ basicAuth: { user: 'telltale', password: 's3cret' } });
    const good = `Basic ${Buffer.from('telltale:s3cret').toString('base64')}`;
    const bad = `Basic ${Buffer.from('telltale:wrong').toString('base64')}`;
    expect((await send({ body: alerts[0] })).status).toBe(401);
    const denied = await send({ body: alerts[0], headers: { authorization: bad } });
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="telltale"');
    expect((await send({ body: alerts[0], headers: { authorization: good } })).status).toBe(200);
    expect(lines).toEqual([alerts[0]]);
    expect(server!.counters.get('unauthorized')).toBe(2);
  });

  it('answers 500 and counts it when the callback throws', async () => {
    server = await startFalcoHttpServer(() => { throw new Error('spool full'); }, { port: 0 });
    const r = await send({ body: alerts[0] });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ code: 'handler_failed' });
    expect(server.counters.get('handler_failed')).toBe(1);
  });
});
