// Drives the forwarder against a real grpc-js server on loopback with an in-test fake collector.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeBatch, encodeAck, ingestServiceDefinition, type BatchAck, type EndBuildRequestMessage,
  type EndBuildResponseMessage, type TelltaleEvent,
} from '@telltale/proto';
import { Spool } from './spool.js';
import { backoffDelayMs, Forwarder, type ForwarderOptions } from './forwarder.js';

type Duplex = grpc.ServerDuplexStream<Uint8Array, Uint8Array>;
/** How one stream answers: by default apply and ack each batch at once. */
type Behaviour = (call: Duplex, bytes: Uint8Array, apply: (bytes: Uint8Array) => BatchAck) => void;

/** Applies each (agentId, sequence) at most once, like the real collector, and keeps what it applied. */
class FakeCollector {
  readonly applied = new Map<number, TelltaleEvent[]>();
  readonly endBuildRequests: EndBuildRequestMessage[] = [];
  streams = 0;

  apply = (bytes: Uint8Array): BatchAck => {
    const b = decodeBatch(bytes);
    expect(b.agentId).toBe('agent-1');
    if (this.applied.has(b.sequence)) return { sequence: b.sequence, accepted: 0, rejected: 0, duplicate: true };
    this.applied.set(b.sequence, b.events);
    return { sequence: b.sequence, accepted: b.events.length, rejected: b.rejected.length, duplicate: false };
  };

  /** Every applied event, in sequence order. */
  events(): TelltaleEvent[] {
    return [...this.applied.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, evs]) => evs);
  }

  async listen(address: string, behaviour: Behaviour = (call, bytes, apply) => call.write(encodeAck(apply(bytes)))) {
    const server = new grpc.Server();
    server.addService(ingestServiceDefinition as unknown as grpc.ServiceDefinition, {
      stream: (call: Duplex) => {
        this.streams++;
        call.on('error', () => {}); // the agent cancelling is not a test failure
        call.on('data', (bytes: Uint8Array) => behaviour(call, bytes, this.apply));
      },
      endBuild: (call: grpc.ServerUnaryCall<EndBuildRequestMessage, EndBuildResponseMessage>, cb: grpc.sendUnaryData<EndBuildResponseMessage>) => {
        this.endBuildRequests.push(call.request);
        cb(null, { complete: true, buildKnown: true, lostEvents: 2, alerts: [{ id: 'a1', kind: 'dns_exfil', severity: 'high', qname: 'x.evil.test', domain: 'evil.test', address: '', chain: [{ pid: 7, exe: '/bin/sh', argv: ['sh'] }], evidenceJson: '{"labels":3}', createdAtUs: 99 }] });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    servers.push(server);
    return { server, port };
  }
}

const fork = (buildId: string, pid: number): TelltaleEvent => ({ kind: 'fork', timeUs: pid, buildId, pid, ppid: 1 });
let counter = 0;
/** Appends `batches` batches of 3 events and returns the events in append order. */
function appendSome(spool: Spool, batches: number): TelltaleEvent[] {
  const all: TelltaleEvent[] = [];
  for (let i = 0; i < batches; i++) {
    const evs = [0, 1, 2].map(() => fork(`b${counter % 2}`, ++counter));
    expect(spool.append(evs)).not.toBeNull();
    all.push(...evs);
  }
  return all;
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let dir: string;
let spool: Spool;
let servers: grpc.Server[];
let forwarders: Forwarder[];
const forwarder = (address: string, over: Partial<ForwarderOptions> = {}) => {
  const f = new Forwarder({ address, agentId: 'agent-1', spool, backoffInitialMs: 20, backoffMaxMs: 200, random: () => 0.5, endBuildMarginMs: 300, ...over });
  forwarders.push(f);
  f.start();
  return f;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fwd-'));
  spool = Spool.open({ dir, agentId: 'agent-1', maxBytes: 1 << 22 });
  servers = [];
  forwarders = [];
});
afterEach(() => {
  forwarders.forEach((f) => f.close());
  servers.forEach((s) => s.forceShutdown());
  spool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('forwarder', () => {
  it('delivers spooled and newly appended batches in order, deletes them on ack, and fetches alerts', async () => {
    const collector = new FakeCollector();
    const { port } = await collector.listen('127.0.0.1:0');
    const sent = appendSome(spool, 10);
    const f = forwarder(`127.0.0.1:${port}`);
    expect(await f.drain(5000)).toBe(true);
    sent.push(...appendSome(spool, 5));
    f.notify();
    expect(await f.drain(5000)).toBe(true);
    expect(collector.events()).toEqual(sent);
    expect(spool.stats()).toMatchObject({ batches: 0, bytes: 0 });
    expect(f.counters()).toMatchObject({ sent: 15, acked: 15, duplicates: 0, reconnects: 0, malformedAcks: 0, inFlight: 0, streaming: true });

    const res = await f.endBuild('b1', spool.lastSequence(), 100);
    expect(collector.endBuildRequests).toEqual([expect.objectContaining({ agentId: 'agent-1', buildId: 'b1', sequence: 15, waitMs: 100 })]);
    expect(res.complete).toBe(true);
    expect(res.lostEvents).toBe(2);
    expect(res.alerts).toEqual([{ id: 'a1', kind: 'dns_exfil', severity: 'high', qname: 'x.evil.test', domain: 'evil.test', address: null, chain: [{ pid: 7, exe: '/bin/sh', argv: ['sh'] }], evidence: { labels: 3 }, createdAtUs: 99 }]);
  });

  it('speaks to a collector on a unix socket', async () => {
    const collector = new FakeCollector();
    const address = `unix:${join(dir, 'collector.sock')}`;
    await collector.listen(address);
    const sent = appendSome(spool, 3);
    expect(await forwarder(address).drain(5000)).toBe(true);
    expect(collector.events()).toEqual(sent);
  });

  it('loses nothing and applies nothing twice across a collector outage', async () => {
    const collector = new FakeCollector();
    // The first server applies every batch but acks only sequences 1-3 before it dies.
    const first = await collector.listen('127.0.0.1:0', (call, bytes, apply) => {
      const ack = apply(bytes);
      if (ack.sequence <= 3) call.write(encodeAck(ack));
    });
    const sent = appendSome(spool, 10);
    const f = forwarder(`127.0.0.1:${first.port}`);
    await until(() => collector.applied.size === 10 && f.counters().acked === 3);
    first.server.forceShutdown();

    sent.push(...appendSome(spool, 5)); // the build goes on while the collector is away
    f.notify();
    await until(() => f.counters().streamErrors >= 3); // it keeps trying, and failing
    expect(await f.drain(50)).toBe(false);
    sent.push(...appendSome(spool, 5));
    f.notify();

    await collector.listen(`127.0.0.1:${first.port}`);
    expect(await f.drain(5000)).toBe(true);
    expect(collector.events()).toEqual(sent);
    expect(collector.applied.size).toBe(20);
    const c = f.counters();
    expect(c).toMatchObject({ acked: 20, duplicates: 7 });
    expect(c.reconnects).toBeGreaterThanOrEqual(3);
    expect(c.lastError).toMatch(/stream/);
    expect(spool.stats().batches).toBe(0);
  });

  it('keeps at most `window` batches in flight and copes with slow, out-of-order and stray acks', async () => {
    const collector = new FakeCollector();
    let held: Uint8Array[] = [];
    let outstanding = 0;
    let maxOutstanding = 0;
    let timer: NodeJS.Timeout | undefined;
    const release = (call: Duplex) => {
      const batch = held.reverse();
      held = [];
      batch.forEach((bytes, i) => setTimeout(() => {
        const ack = collector.apply(bytes);
        outstanding--;
        call.write(encodeAck(ack));
        if (i === 0) call.write(encodeAck(ack)); // a second ack for the same batch
        if (i === 0) call.write(encodeAck({ ...ack, sequence: 999 })); // an ack for a batch never sent
      }, 5 * (i + 1)));
    };
    const { port } = await collector.listen('127.0.0.1:0', (call, bytes) => {
      held.push(bytes);
      maxOutstanding = Math.max(maxOutstanding, ++outstanding);
      clearTimeout(timer);
      if (held.length === 4) release(call);
      else timer = setTimeout(() => release(call), 30);
    });
    const sent = appendSome(spool, 22);
    const f = forwarder(`127.0.0.1:${port}`, { window: 4 });
    expect(await f.drain(5000)).toBe(true);
    expect(maxOutstanding).toBe(4);
    expect(collector.events()).toEqual(sent);
    const c = f.counters();
    expect(c).toMatchObject({ sent: 22, acked: 22, duplicates: 0, reconnects: 0, streamErrors: 0 });
    expect(c.unexpectedAcks).toBeGreaterThanOrEqual(12);
  });

  it('counts a malformed ack, reconnects and still applies every batch exactly once', async () => {
    const collector = new FakeCollector();
    const { port } = await collector.listen('127.0.0.1:0', (call, bytes, apply) => {
      const ack = apply(bytes);
      call.write(collector.streams === 1 && ack.sequence === 2 ? Uint8Array.of(0x08) : encodeAck(ack));
    });
    const sent = appendSome(spool, 6);
    const f = forwarder(`127.0.0.1:${port}`);
    expect(await f.drain(5000)).toBe(true);
    expect(collector.events()).toEqual(sent);
    const c = f.counters();
    expect(c).toMatchObject({ malformedAcks: 1, reconnects: 1, acked: 6 });
    expect(c.duplicates).toBeGreaterThanOrEqual(1); // sequence 2 at least was applied before the bad ack
    expect(c.lastError).toMatch(/malformed ack/);
  });

  it('fails EndBuild with a code when the collector is away, and stops cleanly on close', async () => {
    const f = forwarder('127.0.0.1:1');
    appendSome(spool, 1);
    const err: unknown = await f.endBuild('b1', 1, 50).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FORWARD_END_BUILD_FAILED' });
    // Past the deadline grpc-js reports UNAVAILABLE when it never connected, else DEADLINE_EXCEEDED.
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain((err as { grpcCode: number }).grpcCode);
    expect(f.counters().endBuildFailures).toBe(1);
    const pending = f.drain(10_000);
    f.close();
    expect(await pending).toBe(false);
    await expect(f.endBuild('b1', 1, 50)).rejects.toMatchObject({ code: 'FORWARD_CLOSED' });
    expect(spool.stats().batches).toBe(1);
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, 100, 2000, () => 0))).toEqual([50, 100, 200, 400, 1000]);
    expect([0, 5, 50].map((a) => backoffDelayMs(a, 100, 2000, () => 0.999999))).toEqual([100, 2000, 2000]);
  });
});
