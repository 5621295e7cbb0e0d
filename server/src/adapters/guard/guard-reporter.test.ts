// The reporter against a loopback stand-in for the collector's POST /api/guard/verdicts.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { createLogger } from '../../logger.js';
import type { GuardFinding, ReportedVerdict } from '../../core/guard/guard-decision.js';
import { createGuardCounters } from './guard-counters.js';
import { createGuardReporter, type GuardReporterOptions } from './guard-reporter.js';

interface Received {
  auth: string | undefined;
  body: { guard: string; pipeline: string; verdicts: Array<Record<string, unknown>> };
  at: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function collector(port = 0, answer: (r: Received) => [number, unknown] = () => [200, null]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const r: Received = { auth: req.headers.authorization, body: JSON.parse(text), at: performance.now() };
      const [status, body] = answer(r);
      if (status === 200) received.push(r);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { accepted: r.body.verdicts.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const stop = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  cleanups.push(stop);
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, port: (server.address() as net.AddressInfo).port, received, stop };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function reporter(url: string, over: Partial<GuardReporterOptions> = {}) {
  const counters = createGuardCounters();
  const logs: string[] = [];
  const r = createGuardReporter({
    collector: url, token: 'test-operator-token-0123', guard: 'guard-1', pipeline: 'acme/app', counters,
    log: createLogger('guard.reporter', (l) => logs.push(l)), retryMinMs: 30, retryMaxMs: 120, ...over,
  });
  cleanups.push(() => r.close(200));
  return { r, counters, logs };
}

let n = 0;
const verdict = (v: ReportedVerdict = 'forwarded_new'): GuardFinding => ({
  timeUs: 1_700_000_000_000_000 + n, client: '127.0.0.1:40000', qname: `n${n++}.example`, qtype: 1, verdict: v, evidence: { domain: 'example' },
});
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('guard reporter', () => {
  it('posts batches with the token: {guard, pipeline, verdicts}', async () => {
    const c = await collector();
    const { r, counters } = reporter(c.url);
    const sent = [verdict(), verdict(), verdict('blocked_new')];
    const t0 = performance.now();
    for (const v of sent.slice(0, 2)) r.report(v);
    r.report(sent[2]!);
    await until(() => c.received.length === 1);
    expect(c.received[0]!.at - t0).toBeGreaterThanOrEqual(150); // waited for the 200 ms batch
    expect(c.received[0]!.auth).toBe('Bearer test-operator-token-0123');
    expect(c.received[0]!.body).toEqual({ guard: 'guard-1', pipeline: 'acme/app', verdicts: sent });
    await until(() => counters.reports.delivered === 3); // counted once the collector's answer is read
  });

  it('sends a blocked_encoded at once, with what was waiting', async () => {
    const c = await collector();
    const { r } = reporter(c.url, { flushMs: 5000 });
    r.report(verdict());
    const t0 = performance.now();
    r.report(verdict('blocked_encoded'));
    await until(() => c.received.length === 1);
    expect(c.received[0]!.at - t0).toBeLessThan(500);
    expect(c.received[0]!.body.verdicts.map((v) => v.verdict)).toEqual(['forwarded_new', 'blocked_encoded']);
  });

  it('sends at 256 verdicts without waiting for the timer', async () => {
    const c = await collector();
    const { r } = reporter(c.url, { flushMs: 5000 });
    for (let i = 0; i < 300; i++) r.report(verdict());
    await until(() => c.received.length >= 1, 1000);
    expect(c.received[0]!.body.verdicts).toHaveLength(256);
  });

  it('keeps verdicts while the collector is away and delivers them, in order, when it is back', async () => {
    const port = await freePort();
    const { r, counters, logs } = reporter(`http://127.0.0.1:${port}`);
    const sent = Array.from({ length: 5 }, () => verdict());
    for (const v of sent) r.report(v);
    await until(() => counters.reports.retried >= 2);
    expect(r.pending).toBe(5);
    expect(logs.some((l) => l.includes('collector unreachable'))).toBe(true);
    const c = await collector(port);
    await until(() => counters.reports.delivered === 5);
    expect(c.received.flatMap((x) => x.body.verdicts)).toEqual(sent);
    expect(logs.some((l) => l.includes('collector takes verdicts again'))).toBe(true);
  });

  it('bounds the queue: drops are counted and logged, and a blocked_encoded pushes out a lesser verdict', async () => {
    const port = await freePort();
    const { r, counters, logs } = reporter(`http://127.0.0.1:${port}`, { queueMax: 10, retryMinMs: 10_000, retryMaxMs: 10_000 });
    for (let i = 0; i < 15; i++) r.report(verdict());
    await until(() => counters.reports.retried === 1);
    expect(r.pending).toBe(10);
    expect(counters.reports.dropped_queue_full).toBe(5);
    r.report(verdict('blocked_encoded'));
    expect(r.pending).toBe(10);
    expect(counters.reports.dropped_queue_full).toBe(6);
    expect(logs.some((l) => l.includes('verdict queue full'))).toBe(true);
  });

  it('drops a batch the collector refuses as bad (400) and goes on', async () => {
    let first = true;
    const c = await collector(0, () => {
      if (!first) return [200, null];
      first = false;
      return [400, { code: 'GUARD_VERDICTS_INVALID', message: 'bad' }];
    });
    const { r, counters, logs } = reporter(c.url, { flushMs: 20 });
    r.report(verdict());
    await until(() => counters.reports.rejected === 1);
    r.report(verdict());
    await until(() => counters.reports.delivered === 1);
    expect(logs.some((l) => l.includes('GUARD_VERDICTS_INVALID'))).toBe(true);
  });

  it('drops only the verdict a 400 names, and sends the others again', async () => {
    let first = true;
    const c = await collector(0, () => {
      if (!first) return [200, null];
      first = false;
      return [400, { code: 'BAD_BODY', message: 'verdicts[1].qname must be printable text of 1-1100 characters' }];
    });
    const { r, counters } = reporter(c.url, { flushMs: 20 });
    const sent = [verdict(), verdict(), verdict()];
    for (const v of sent) r.report(v);
    await until(() => counters.reports.delivered === 2);
    expect(counters.reports.rejected).toBe(1);
    expect(c.received[0]!.body.verdicts.map((v) => v.qname)).toEqual([sent[0]!.qname, sent[2]!.qname]);
  });

  it('after a refusal, sends the rest after the usual pause, even blocked_encoded verdicts', async () => {
    let posts = 0;
    const c = await collector(0, () => {
      posts++;
      return [400, { code: 'BAD_BODY', message: 'verdicts[0].client must be an address:port' }];
    });
    const { r, counters } = reporter(c.url, { flushMs: 100 });
    for (let i = 0; i < 50; i++) r.report(verdict('blocked_encoded'));
    await new Promise((res) => setTimeout(res, 450));
    // One verdict dropped per refusal, one refusal per pause: a handful, not fifty back to back.
    expect(posts).toBeGreaterThanOrEqual(2);
    expect(posts).toBeLessThanOrEqual(6);
    expect(counters.reports.rejected).toBe(posts);
  });

  it('sends the root as "." and cuts evidence over 4 KiB (the collector\'s limits)', async () => {
    const c = await collector();
    const { r } = reporter(c.url, { flushMs: 20 });
    const labels = Array.from({ length: 16 }, () => '\\255'.repeat(63));
    r.report({ ...verdict('blocked_encoded'), qname: '', evidence: { trigger: 'single_query', labels, bitsThisQuery: 300, domain: 'exfil.test' } });
    await until(() => c.received.length === 1);
    const sent = c.received[0]!.body.verdicts[0]!;
    expect(sent.qname).toBe('.');
    expect(JSON.stringify(sent.evidence).length).toBeLessThanOrEqual(4096);
    expect(sent.evidence).toMatchObject({ trigger: 'single_query', bitsThisQuery: 300, domain: 'exfil.test', evidenceCut: true });
  });

  it('retries while the collector refuses the token (401/403)', async () => {
    let refusals = 2;
    const c = await collector(0, () => (refusals-- > 0 ? [refusals === 1 ? 401 : 403, { code: 'UNAUTHORIZED', message: 'no' }] : [200, null]));
    const { r, counters, logs } = reporter(c.url, { flushMs: 20 });
    r.report(verdict('blocked_encoded'));
    await until(() => counters.reports.delivered === 1);
    expect(counters.reports.retried).toBe(2);
    expect(logs.some((l) => l.includes('refused the token'))).toBe(true);
  });

  it('sends what is queued when closed', async () => {
    const c = await collector();
    const { r } = reporter(c.url, { flushMs: 60_000 });
    r.report(verdict());
    await r.close(1000);
    expect(c.received).toHaveLength(1);
  });
});
