// The hop from agent to collector under TLS, per-agent tokens and client certificates (mTLS):
// the real collector and the agent's real forwarder and spool, certificates from openssl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { decodeAck, encodeBatch, ingestServiceDefinition, type BatchAck, type TelltaleEvent } from '@telltale/proto';
import { createLogger, serverConfig, startServer, type RunningServer } from '@telltale/server';
import { Forwarder } from '../../../agent-bridge/src/adapters/forwarder.js';
import { Spool } from '../../../agent-bridge/src/adapters/spool.js';
import { makePki, type TestPki } from '../support/certs.js';

const Client = grpc.makeGenericClientConstructor(ingestServiceDefinition as unknown as grpc.ServiceDefinition, 'Ingest');
const TOKEN_A = 'agent-a-token-0123456789abcdef';
const TOKEN_B = 'agent-b-token-0123456789abcdef';
const logs: string[] = [];
const log = createLogger('test', (line) => logs.push(line));

function oneBatch(address: string, creds: grpc.ChannelCredentials, token: string | null, agentId: string, events?: TelltaleEvent[]): Promise<BatchAck> {
  const client = new Client(address, creds, { 'grpc.ssl_target_name_override': 'localhost' }) as unknown as grpc.Client & { stream(m: grpc.Metadata): grpc.ClientDuplexStream<Uint8Array, Uint8Array> };
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return new Promise<BatchAck>((resolve, reject) => {
    const call = client.stream(md);
    const deadline = setTimeout(() => { call.cancel(); reject(Object.assign(new Error('no answer'), { code: -1 })); }, 5000);
    call.on('data', (d: Uint8Array) => { clearTimeout(deadline); resolve(decodeAck(d)); call.end(); client.close(); });
    call.on('error', (err) => { clearTimeout(deadline); client.close(); reject(err); });
    const start: TelltaleEvent = { kind: 'build_start', timeUs: Date.now() * 1000, buildId: `b-${agentId}`, rootPid: 1,
      context: { buildId: `b-${agentId}`, pipeline: 'acme/app', runId: '1', job: 'j', repo: 'r', commit: 'c', agentHost: 'h', ciProvider: 'local' } };
    call.write(encodeBatch({ agentId, sequence: 1, events: events ?? [start] }));
  });
}

describe('agent → collector over TLS with per-agent tokens and client certificates', () => {
  let pki: TestPki;
  let server: RunningServer;
  const dirs: string[] = [];
  const creds = (cn: string | null, rogue = false) => {
    const ca = readFileSync(pki.caCert);
    if (cn === null) return grpc.credentials.createSsl(ca);
    const c = pki.client(cn, rogue);
    return grpc.credentials.createSsl(ca, readFileSync(c.key), readFileSync(c.cert));
  };

  beforeAll(async () => {
    pki = makePki();
    const data = mkdtempSync(join(tmpdir(), 'telltale-tls-'));
    dirs.push(data, pki.dir);
    const tokens = join(data, 'agent-tokens');
    writeFileSync(tokens, `# name token\nagent-a ${TOKEN_A}\nagent-b ${TOKEN_B}\n`);
    server = await startServer(serverConfig({
      dataDir: data, http: '127.0.0.1:0', grpc: '127.0.0.1:0', agentTokens: tokens, tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: pki.caCert,
    }, {}, { readText: (p) => readFileSync(p, 'utf8') }), log);
  });
  afterAll(async () => {
    await server?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('admits an agent with its certificate and its token, under its own name', async () => {
    const ack = await oneBatch(server.grpcAddress, creds('agent-a'), TOKEN_A, 'agent-a/spool-1');
    expect(ack).toMatchObject({ sequence: 1, accepted: 1, duplicate: false });
  });

  it('refuses agents without a client certificate, with a rogue CA\'s certificate, or over plaintext', async () => {
    await expect(oneBatch(server.grpcAddress, creds(null), TOKEN_A, 'agent-a/x')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(oneBatch(server.grpcAddress, creds('agent-a', true), TOKEN_A, 'agent-a/y')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(oneBatch(server.grpcAddress, grpc.credentials.createInsecure(), TOKEN_A, 'agent-a/z')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses another agent\'s name, another agent\'s token, and unknown tokens, and says so in metrics and the log', async () => {
    await expect(oneBatch(server.grpcAddress, creds('agent-a'), TOKEN_A, 'agent-b/spool-1')).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    await expect(oneBatch(server.grpcAddress, creds('agent-a'), TOKEN_B, 'agent-a/spool-2')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(oneBatch(server.grpcAddress, creds('agent-a'), 'not-a-known-token-at-all-0000', 'agent-a/spool-3')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(oneBatch(server.grpcAddress, creds('agent-a'), null, 'agent-a/spool-4')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toContain('telltale_batches_total{outcome="agent_mismatch"} 1');
    expect(metrics).toContain('telltale_agents_rejected_total{reason="certificate_token_mismatch"} 1');
    expect(metrics).toContain('telltale_agents_rejected_total{reason="unknown_token"} 1');
    expect(metrics).toContain('telltale_agents_rejected_total{reason="missing_token"} 1');
    expect(logs.some((l) => l.includes('agent rejected') && l.includes('unknown_token'))).toBe(true);
    // Nothing from the refused batches was stored.
    expect(server.store.getBuild('b-agent-b/spool-1')).toBeNull();
  });

  it('refuses events and an end for a build another agent started', async () => {
    // agent-a's build b-agent-a/spool-1 exists (first test); agent-b may not touch it.
    const forged: TelltaleEvent[] = [{ kind: 'build_end', timeUs: Date.now() * 1000, buildId: 'b-agent-a/spool-1', exitCode: 1 }];
    await expect(oneBatch(server.grpcAddress, creds('agent-b'), TOKEN_B, 'agent-b/spool-5', forged)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(server.store.getBuild('b-agent-a/spool-1')?.state).toBe('running');
    expect(await (await fetch(`${server.httpUrl}/metrics`)).text()).toContain('telltale_batches_total{outcome="foreign_build"} 1');
  });

  it('the agent\'s forwarder delivers its spool over mTLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-tls-agent-'));
    dirs.push(dir);
    const c = pki.client('agent-b');
    const spool = Spool.open({ dir, agentId: 'agent-b/spool-9', maxBytes: 1 << 20 });
    const context = { buildId: 'b-forwarded', pipeline: 'acme/app', runId: '1', job: 'j', repo: 'r', commit: 'c', agentHost: 'h', ciProvider: 'local' };
    spool.append([{ kind: 'build_start', timeUs: Date.now() * 1000, buildId: 'b-forwarded', rootPid: 1, context }]);
    const forwarder = new Forwarder({
      address: server.grpcAddress, agentId: 'agent-b/spool-9', spool, token: TOKEN_B,
      tls: { ca: readFileSync(pki.caCert), cert: readFileSync(c.cert), key: readFileSync(c.key), serverName: 'localhost' },
    });
    forwarder.start();
    await expect.poll(() => server.store.getBuild('b-forwarded'), { timeout: 5000 }).not.toBeNull();
    await expect.poll(() => spool.pending(0, 10).length).toBe(0);
    forwarder.close();
    spool.close();
  });
});
