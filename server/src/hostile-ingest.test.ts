// Hostile agents against the real collector: oversized and undecodable batches are refused
// with INVALID_ARGUMENT and counted, and one agent's garbage does not hold up another's batches.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ingestServiceDefinition } from '@telltale/proto';
import { startServer, type RunningServer } from './server.js';
import { serverConfig } from './config.js';
import { createLogger } from './logger.js';
import { BuildScript } from './core/test-events.js';
import { sendBatches } from './test-ingest.js';

const Client = grpc.makeGenericClientConstructor(ingestServiceDefinition as unknown as grpc.ServiceDefinition, 'Ingest');
type Streamer = grpc.Client & { stream(): grpc.ClientDuplexStream<Uint8Array, Uint8Array> };

/** Writes raw bytes as one message and returns the status the collector ends the stream with. */
function rawMessage(address: string, bytes: Uint8Array): Promise<grpc.status> {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 }) as unknown as Streamer;
  return new Promise((resolve) => {
    const call = client.stream();
    call.on('data', () => undefined);
    call.on('error', (err: grpc.ServiceError) => { client.close(); resolve(err.code); });
    call.on('end', () => { client.close(); resolve(grpc.status.OK); });
    call.write(bytes);
  });
}

describe('hostile ingest', () => {
  let server: RunningServer | undefined;
  let dir = '';
  const start = async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-hostile-'));
    server = await startServer(serverConfig({ dataDir: dir, http: '127.0.0.1:0', grpc: '127.0.0.1:0' }, {}), createLogger('test', () => undefined));
    return server;
  };
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an oversized batch with INVALID_ARGUMENT and counts it', async () => {
    const s = await start();
    expect(await rawMessage(s.grpcAddress, new Uint8Array(17 * 1024 * 1024))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await (await fetch(`${s.httpUrl}/metrics`)).text()).toContain('telltale_batches_total{outcome="oversized"} 1');
  });

  it('keeps taking a good agent\'s batches while another sends garbage over and over', async () => {
    const s = await start();
    const garbage = Array.from({ length: 40 }, (_, i) => rawMessage(s.grpcAddress, new Uint8Array([0xff, 0xff, 0xff, i])));
    const good = new BuildScript('good-build', 'acme/app').cargoBuildScript().dns(102, 'index.crates.test').end();
    const batches = good.events.map((e, i) => ({ agentId: 'good-agent', sequence: i + 1, events: [e] }));
    const acks = await sendBatches(s.grpcAddress, batches);
    const codes = await Promise.all(garbage);
    expect(codes.every((c) => c === grpc.status.INVALID_ARGUMENT)).toBe(true);
    expect(acks.map((a) => a.sequence)).toEqual(batches.map((b) => b.sequence));
    expect(acks.every((a) => !a.duplicate && a.accepted === 1)).toBe(true);
    expect(s.store.getBuild('good-build')?.state).toBe('succeeded');
    expect(await (await fetch(`${s.httpUrl}/metrics`)).text()).toContain('telltale_batches_total{outcome="undecodable"} 40');
  });
});
