// The guard against broken clients and absent upstreams: malformed messages are counted
// and answered FORMERR/REFUSED where a header can be read, a dead upstream means SERVFAIL
// within the timeout, and memory stays bounded. After each, the guard still serves.
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { startTestGuard, type TestGuardOptions } from './test-guard.js';
import { askTcp, askTcpRaw, askUdp, decode, query } from './test-client.js';
import { frame } from './tcp-framing.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const start = (o: TestGuardOptions = {}) => startTestGuard(cleanups, o);

/** A UDP port with nothing behind it (and the same TCP port most likely free too). */
async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A UDP socket that takes queries and never answers (an upstream that hangs). */
async function blackHole(): Promise<number> {
  const s = dgram.createSocket('udp4');
  s.on('message', () => {});
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise((resolve) => s.close(() => resolve())));
  return s.address().port;
}

async function stillServes(port: number): Promise<void> {
  expect(decode(await askUdp(port, query('ok.corp.example'))).rcode).toBe('NOERROR');
  expect(decode((await askTcp(port, [query('ok.corp.example')]))[0]).rcode).toBe('NOERROR');
}

const header = (id: number, flags: number, qd: number, rest: number[] = []) =>
  Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, 0, 0, 0, 0, 0, ...rest]);
const QUESTION = [1, 0x61, 7, ...Buffer.from('example'), 0, 0, 1, 0, 1];

describe('guard server: malformed input', () => {
  it('counts and answers (or drops) each kind of bad UDP message, and keeps serving', async () => {
    const { port, guard, upstream } = await start();
    expect(await askUdp(port, Buffer.from([1, 2, 3, 4, 5]), 300)).toBeNull(); // truncated header: no ID to answer
    expect(decode(await askUdp(port, header(0x0101, 0x0100, 0)))).toMatchObject({ id: 0x0101, rcode: 'FORMERR', flag_rd: true, questions: [] });
    expect(decode(await askUdp(port, header(0x0202, 0x0100, 2, [...QUESTION, ...QUESTION])))).toMatchObject({ id: 0x0202, rcode: 'FORMERR' });
    expect(decode(await askUdp(port, header(0x0303, 0x0100, 1, [0x41, 0x41, 0x41])))).toMatchObject({ id: 0x0303, rcode: 'FORMERR' });
    expect(decode(await askUdp(port, header(0x0404, 0x2000, 1, QUESTION)))).toMatchObject({ id: 0x0404, rcode: 'REFUSED', opcode: 'NOTIFY' });
    expect(await askUdp(port, header(0x0505, 0x8180, 1, QUESTION), 300)).toBeNull(); // a response: never answered
    expect(guard.counters.drops).toMatchObject({ short_header: 1, question_count: 2, malformed: 1, not_query: 1, response: 1 });
    expect(upstream.queries).toEqual([]);
    await stillServes(port);
  });

  it('survives a burst of random datagrams', async () => {
    const { port, guard } = await start();
    const s = dgram.createSocket('udp4');
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8 & 0xff;
    for (let i = 0; i < 500; i++) {
      s.send(Uint8Array.from({ length: rand() % 120 }, rand), port, '127.0.0.1');
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20)); // within the socket's receive buffer
    }
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    const c = guard.counters;
    const seen = Object.values(c.drops).reduce((a, b) => a + b, 0) + Object.values(c.queries).reduce((a, b) => a + b, 0);
    expect(seen).toBe(500);
    await stillServes(port);
  });

  it('reads a 65,535-byte TCP message followed by more (70 KB in all) as one bad message, then closes the idle connection', async () => {
    const { port, guard } = await start({ limits: { tcpIdleMs: 300 } });
    const junk = Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(70 * 1024, 0xff)]);
    const t0 = performance.now();
    const { answers, closed } = await askTcpRaw(port, junk, 1, 3000);
    expect(answers).toEqual([]);
    expect(closed).toBe(true); // by the guard, after its idle timeout
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(guard.counters.drops.response).toBe(1); // 0xff… reads as a response: never answered
    await stillServes(port);
  });

  it('drops a silent connection that never sends its FIN, and one that trickles a message byte by byte', async () => {
    const { port, guard } = await start({ limits: { tcpIdleMs: 300 } });
    const clients: net.Socket[] = [];
    cleanups.push(async () => { for (const c of clients) c.destroy(); });
    const closedAfter = (feed: (s: net.Socket) => void) => new Promise<number>((resolve) => {
      const t0 = performance.now();
      const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => feed(s));
      clients.push(s);
      s.on('error', () => {});
      // The guard's FIN or reset: this client itself never closes (it is destroyed after the test).
      const done = () => resolve(performance.now() - t0);
      s.on('end', done);
      s.on('close', done);
    });
    // Silent: the guard's idle timeout closes it for good (not a half-close it would wait out:
    // this client never ends its side, so only a full close frees the guard's slot).
    expect(await closedAfter(() => undefined)).toBeLessThan(2000);
    await expect.poll(() => guard.counters.tcpConnectionsOpen, { timeout: 1000 }).toBe(0);
    // A byte every 100 ms never goes idle; the message deadline closes it.
    const message = frame(query('slow.corp.example'));
    let timer: NodeJS.Timeout | undefined;
    const trickled = await closedAfter((s) => {
      let i = 0;
      timer = setInterval(() => { if (i < message.length - 1 && !s.destroyed) s.write(message.subarray(i, ++i)); }, 100);
    });
    clearInterval(timer);
    expect(trickled).toBeLessThan(2500);
    expect(guard.counters.drops.tcp_slow_message).toBe(1);
    await stillServes(port);
  });

  it('skips empty and short TCP frames and answers the good query behind them', async () => {
    const { port, guard } = await start();
    const raw = Buffer.concat([Buffer.from([0, 0]), frame(Buffer.from([1, 2, 3])), frame(header(7, 0x0100, 0)), frame(query('ok.corp.example'))]);
    const { answers } = await askTcpRaw(port, raw, 2);
    expect(answers.map((a) => decode(a).rcode)).toEqual(['FORMERR', 'NOERROR']);
    expect(guard.counters.drops).toMatchObject({ tcp_empty_frame: 1, short_header: 1, question_count: 1 });
  });

  it('answers queries a client sent before half-closing its side', async () => {
    const { port } = await start();
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => s.end(frame(query('half.corp.example'))));
      s.on('data', (d) => resolve(d.subarray(2)));
      s.on('error', reject);
    });
    expect(decode(answer).rcode).toBe('NOERROR');
  });
});

describe('guard server: upstream trouble', () => {
  it('answers SERVFAIL within the timeout when the upstream is down (UDP), and counts it', async () => {
    const { port, guard } = await start({ upstreams: [{ host: '127.0.0.1', port: await deadPort() }] });
    const msg = query('down.corp.example');
    const t0 = performance.now();
    const answer = decode(await askUdp(port, msg, 4000));
    const took = performance.now() - t0;
    expect(answer).toMatchObject({ id: msg.readUInt16BE(0), rcode: 'SERVFAIL', questions: [{ name: 'down.corp.example' }] });
    expect(took).toBeGreaterThan(1500);
    expect(took).toBeLessThan(2500);
    expect(guard.counters).toMatchObject({ servfail: 1 });
    expect(guard.counters.upstreamTimeouts).toBeGreaterThanOrEqual(1);
  });

  it('answers SERVFAIL soon when every upstream refuses, instead of bouncing the query between them', async () => {
    const { port, guard } = await start({ upstreams: [{ host: '127.0.0.1', port: await deadPort() }, { host: '127.0.0.1', port: await deadPort() }] });
    const msg = query('down.corp.example');
    const t0 = performance.now();
    expect(decode(await askUdp(port, msg, 4000))).toMatchObject({ id: msg.readUInt16BE(0), rcode: 'SERVFAIL' });
    // Each upstream tried at most twice (refusals come back in well under a millisecond), not until the 2 s deadline.
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(guard.counters.servfail).toBe(1);
    await expect(askUdp(port, query('again.corp.example'), 4000).then((a) => decode(a).rcode)).resolves.toBe('SERVFAIL');
  });

  it('answers SERVFAIL at once over TCP when no upstream takes the connection', async () => {
    const { port } = await start({ upstreams: [{ host: '127.0.0.1', port: await deadPort() }] });
    const t0 = performance.now();
    const [answer] = await askTcp(port, [query('down.corp.example')]);
    expect(decode(answer).rcode).toBe('SERVFAIL');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('fails over to the next upstream when the first hangs, and then prefers the one that answers', async () => {
    const hang = await blackHole();
    const again = await start({ limits: { upstreamAttemptMs: 200 }, upstreams: (u) => [{ host: '127.0.0.1', port: hang }, u] });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      expect(decode(await askUdp(again.port, query(`f${i}.corp.example`))).rcode).toBe('NOERROR');
      times.push(performance.now() - t0);
    }
    expect(times[0]).toBeGreaterThan(150);
    expect(times[2]).toBeLessThan(150); // two timeouts moved the preference to the working one
  });

  it('moves on at once when the first upstream refuses (ICMP port unreachable)', async () => {
    const dead = await deadPort();
    const g = await start({ upstreams: (u) => [{ host: '127.0.0.1', port: dead }, u] });
    const t0 = performance.now();
    expect(decode(await askUdp(g.port, query('r.corp.example'))).rcode).toBe('NOERROR');
    expect(performance.now() - t0).toBeLessThan(500); // the attempt timeout is 1000 ms
  });
});

describe('guard server: bounds', () => {
  it('answers SERVFAIL at once past maxInFlight queries waiting upstream', async () => {
    const hang = await blackHole();
    const { port, guard } = await start({ upstreams: [{ host: '127.0.0.1', port: hang }], limits: { maxInFlight: 1, upstreamTimeoutMs: 1500 } });
    const first = askUdp(port, query('a.corp.example'), 3000);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    expect(decode(await askUdp(port, query('b.corp.example'))).rcode).toBe('SERVFAIL');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(guard.counters.drops.overloaded).toBe(1);
    expect(decode(await first).rcode).toBe('SERVFAIL');
  });

  it('frees the in-flight slots of a TCP client that resets its connection before its answers', async () => {
    const { port, guard } = await start({ upstream: { silent: (n) => n.startsWith('hang') }, limits: { maxInFlight: 2 } });
    const s = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => s.on('connect', () => resolve()));
    s.write(Buffer.concat([frame(query('hang1.corp.example')), frame(query('hang2.corp.example'))]));
    await new Promise((r) => setTimeout(r, 50));
    expect(decode(await askUdp(port, query('full.corp.example'))).rcode).toBe('SERVFAIL'); // both slots taken
    s.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(decode(await askUdp(port, query('ok.corp.example'))).rcode).toBe('NOERROR');
    expect(guard.counters.drops.overloaded).toBe(1);
  });

  it('closes TCP connections past maxTcpConnections', async () => {
    const { port, guard } = await start({ limits: { maxTcpConnections: 2 } });
    const open = await Promise.all([0, 1].map(() => new Promise<net.Socket>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    })));
    cleanups.push(async () => { for (const s of open) s.destroy(); });
    await new Promise((r) => setTimeout(r, 50));
    const third = await askTcpRaw(port, frame(query('x.corp.example')), 1, 1000);
    expect(third).toEqual({ answers: [], closed: true });
    expect(guard.counters.drops.tcp_connections).toBe(1);
    expect(guard.counters.tcpConnectionsOpen).toBe(2);
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await stillServes(port);
  });
});
