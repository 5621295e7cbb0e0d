// The collector as a whole, in-process: gRPC ingest → core → SQLite → HTTP API and WebSocket.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { startServer, type RunningServer } from './server.js';
import { serverConfig } from './config.js';
import { createLogger } from './logger.js';
import { decodeAck, encodeBatch, ingestServiceDefinition, type BatchAck } from '@telltale/proto';
import { base32, BuildScript } from './core/test-events.js';
import { sendBatches } from './test-ingest.js';

const Client = grpc.makeGenericClientConstructor(ingestServiceDefinition as unknown as grpc.ServiceDefinition, 'Ingest');
const quiet = createLogger('test', () => undefined);
const send = sendBatches;

describe('collector', () => {
  const dirs: string[] = [];
  let server: RunningServer | undefined;
  const start = async (dir?: string, ingestToken?: string) => {
    const d = dir ?? mkdtempSync(join(tmpdir(), 'telltale-server-'));
    dirs.push(d);
    server = await startServer(serverConfig({ dataDir: d, http: '127.0.0.1:0', grpc: '127.0.0.1:0', ingestToken }, {}), quiet);
    return { dir: d, server };
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores a leaking build, serves it over the API and pushes the alert on the WebSocket', async () => {
    const { server: s } = await start();
    const ws = new WebSocket(s.httpUrl.replace('http', 'ws') + '/api/stream');
    const messages: { type: string; alert?: { kind: string; qname: string } }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    const name = `${base32('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').slice(0, 60)}.exfil-drill.test`;
    const b = new BuildScript('11111111-2222-3333-4444-555555555555', 'acme/app').cargoBuildScript().dns(102, name).end();
    const acks = await send(s.grpcAddress, [{ agentId: 'agent-1', sequence: 1, events: b.events }]);
    expect(acks[0]).toMatchObject({ sequence: 1, duplicate: false, accepted: b.events.length, rejected: 0 });

    const alerts = (await (await fetch(`${s.httpUrl}/api/alerts?pipeline=acme/app`)).json()) as { alerts: Record<string, unknown>[] };
    expect(alerts.alerts).toHaveLength(1);
    const a = alerts.alerts[0]!;
    expect(a).toMatchObject({ kind: 'encoded_dns_label', pipeline: 'acme/app', runId: '1', qname: name, domain: 'exfil-drill.test', address: null });
    expect((a.chain as { exe: string }[]).map((p) => p.exe.split('/').pop())).toEqual(['node', 'cargo', 'build-script-build']);
    expect(typeof a.createdAt).toBe('string');

    const detail = (await (await fetch(`${s.httpUrl}/api/builds/${b.buildId}`)).json()) as { build: { state: string; counts: { dnsQueries: number } }; processTree: { pid: number; children: unknown[] }[] };
    expect(detail.build).toMatchObject({ state: 'succeeded', counts: { dnsQueries: 1 } });
    expect((detail as unknown as { processTreeComplete: boolean }).processTreeComplete).toBe(true);
    expect(detail.processTree[0]!.pid).toBe(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(messages.some((m) => m.type === 'alert' && m.alert?.qname === name)).toBe(true);
    expect(messages.some((m) => m.type === 'build')).toBe(true);
    ws.close();

    const metrics = await (await fetch(`${s.httpUrl}/metrics`)).text();
    expect(metrics).toContain('telltale_alerts_total{kind="encoded_dns_label"} 1');
    expect(metrics).toContain('telltale_events_in_total{kind="dns"} 1');
    expect(metrics).toContain('telltale_ingest_lag_seconds_count');
    expect(metrics).toContain('telltale_open_builds 0');
  });

  it('applies a sequence once, even when an agent resends it after a restart', async () => {
    const { dir, server: s } = await start();
    const b = new BuildScript('21111111-2222-3333-4444-555555555555', 'acme/app').cargoBuildScript();
    const first = b.events.slice();
    await send(s.grpcAddress, [{ agentId: 'agent-1', sequence: 1, events: first }]);
    await s.close();
    const { server: again } = await start(dir);
    b.events.length = 0;
    b.dns(102, 'index.crates.io');
    const acks = await send(again.grpcAddress, [{ agentId: 'agent-1', sequence: 1, events: first }, { agentId: 'agent-1', sequence: 2, events: b.events }]);
    expect(acks.map((a) => a.duplicate)).toEqual([true, false]);
    expect(again.store.count('batches')).toBe(2);
    expect(again.store.loadBaselines().find((b) => b.pipeline === 'acme/app')?.learnedBuilds).toBe(0);
    expect(again.store.count('dns_names')).toBe(1);
    // The open build's tree came back from the store: the query is placed under its process.
    const detail = (await (await fetch(`${again.httpUrl}/api/builds/${b.buildId}`)).json()) as { dnsQueries: { firstPid: number }[] };
    expect(detail.dnsQueries[0]!.firstPid).toBe(102);
  });

  it('answers bad queries with a 4xx and a code, never a stack', async () => {
    const { server: s } = await start();
    const bad = await fetch(`${s.httpUrl}/api/alerts?limit=0`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'BAD_QUERY' });
    expect((await fetch(`${s.httpUrl}/api/alerts?since=yesterday`)).status).toBe(400);
    expect((await fetch(`${s.httpUrl}/api/builds/nope`)).status).toBe(404);
    expect((await fetch(`${s.httpUrl}/api/builds/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${s.httpUrl}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${s.httpUrl}/api/health`, { method: 'POST' })).status).toBe(405);
    expect(await (await fetch(`${s.httpUrl}/api/health`)).json()).toMatchObject({ status: 'ok' });
  });

  it('refuses an undecodable batch with INVALID_ARGUMENT and counts it', async () => {
    const { server: s } = await start();
    const client = new Client(s.grpcAddress, grpc.credentials.createInsecure()) as unknown as grpc.Client & { stream(): grpc.ClientDuplexStream<Uint8Array, Uint8Array> };
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      const call = client.stream();
      call.on('error', resolve);
      call.on('data', () => undefined);
      call.write(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    });
    client.close();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await (await fetch(`${s.httpUrl}/metrics`)).text()).toContain('telltale_batches_total{outcome="undecodable"} 1');
  });

  it('requires the ingest token when one is configured, and refuses to listen off loopback without one', async () => {
    const token = 'correct-horse-battery-staple';
    const { server: s } = await start(undefined, token);
    const b = new BuildScript('31111111-2222-3333-4444-555555555555', 'acme/app');
    await expect(send(s.grpcAddress, [{ agentId: 'agent-1', sequence: 1, events: b.events }])).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const client = new Client(s.grpcAddress, grpc.credentials.createInsecure()) as unknown as grpc.Client & { stream(m: grpc.Metadata): grpc.ClientDuplexStream<Uint8Array, Uint8Array> };
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const ack = await new Promise<BatchAck>((resolve, reject) => {
      const call = client.stream(metadata);
      call.on('data', (d: Uint8Array) => { resolve(decodeAck(d)); call.end(); });
      call.on('error', reject);
      call.write(encodeBatch({ agentId: 'agent-1', sequence: 1, events: b.events }));
    });
    client.close();
    expect(ack).toMatchObject({ sequence: 1, duplicate: false });
    expect(() => serverConfig({ grpc: '0.0.0.0:7071' }, {})).toThrow(/ingest-token/);
    expect(() => serverConfig({ grpc: '0.0.0.0:7071', ingestToken: 'short' }, {})).toThrow(/16 characters/);
    // Off loopback a token is not enough: TLS too, unless plaintext is asked for by name.
    expect(() => serverConfig({ grpc: '0.0.0.0:7071' }, { TELLTALE_INGEST_TOKEN: token })).toThrow(/--tls-cert/);
    expect(serverConfig({ grpc: '0.0.0.0:7071', allowPlaintext: true }, { TELLTALE_INGEST_TOKEN: token }).ingestToken).toBe(token);
    expect(() => serverConfig({ tlsClientCa: '/ca.pem' }, {})).toThrow(/needs --tls-cert/);
  });

  it('still judges late events of a build that ended just before a restart', async () => {
    const { dir, server: s } = await start();
    const b = new BuildScript('41111111-2222-3333-4444-555555555555', 'acme/app', 100, Date.now() * 1000).cargoBuildScript().end();
    await send(s.grpcAddress, [{ agentId: 'agent-1', sequence: 1, events: b.events }]);
    await s.close();
    const { server: again } = await start(dir);
    const late = new BuildScript('41111111-2222-3333-4444-555555555555', 'acme/app');
    late.events.length = 0;
    late.dns(102, `${base32('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').slice(0, 60)}.exfil-drill.test`);
    await send(again.grpcAddress, [{ agentId: 'agent-1', sequence: 2, events: late.events }]);
    const alerts = (await (await fetch(`${again.httpUrl}/api/alerts?buildId=${b.buildId}`)).json()) as { alerts: { kind: string; chain: { pid: number }[] }[] };
    expect(alerts.alerts.map((a) => a.kind)).toEqual(['encoded_dns_label']);
    expect(alerts.alerts[0]!.chain.map((p) => p.pid)).toEqual([100, 101, 102]);
  });
});
