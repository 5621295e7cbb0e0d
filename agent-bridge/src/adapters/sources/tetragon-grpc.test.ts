// The Tetragon gRPC source against a fake Tetragon (a grpc-js server on a unix socket that
// streams the export fixtures as GetEvents responses), including a Tetragon restart.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { encodeTetragonResponse, TETRAGON_GET_EVENTS_PATH } from '@telltale/proto';
import { TetragonDecoder } from '../../core/tetragon/tetragon-decoder.js';
import type { HostEvent } from '../../core/host-event.js';
import { startTetragonGrpcSource } from './tetragon-grpc.js';

const FIXTURE = fileURLToPath(new URL('../../core/tetragon/testdata/exfil-build.jsonl', import.meta.url));
const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim() !== '');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fake Tetragon: each GetEvents call streams `messages` and stays open. */
async function fakeTetragon(address: string, messages: Uint8Array[]): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.register(TETRAGON_GET_EVENTS_PATH,
    (call: grpc.ServerWritableStream<Buffer, Uint8Array>) => { for (const m of messages) call.write(m); },
    (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, 'serverStream');
  await new Promise<void>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return server;
}

describe('Tetragon gRPC source', () => {
  const dirs: string[] = [];
  const servers: grpc.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.forceShutdown();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads GetEvents from a unix socket into the same events as the JSON export, and reconnects after a Tetragon restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-tetragon-'));
    dirs.push(dir);
    const address = `unix://${join(dir, 'tetragon.sock')}`;
    const messages = lines.map((l) => encodeTetragonResponse(JSON.parse(l) as Record<string, unknown>));
    // The reference: the export lines through the decoder directly.
    const reference = new TetragonDecoder({ dnsPorts: [53] });
    const expected = lines.flatMap((l) => reference.push(l));

    // Tetragon is not up yet: the source waits and retries.
    const got: HostEvent[] = [];
    const source = startTetragonGrpcSource({ address, dnsPorts: [53], backoffInitialMs: 20, backoffMaxMs: 50 }, (e) => got.push(...e), quiet);
    await new Promise((r) => setTimeout(r, 100));
    servers.push(await fakeTetragon(address, messages));
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(expected.length);
    expect(got).toEqual(expected);

    // Tetragon restarts: the stream comes back, and the gap is reported as a loss.
    servers.pop()!.forceShutdown();
    servers.push(await fakeTetragon(address, messages.slice(0, 1)));
    await expect.poll(() => got.filter((e) => e.kind === 'loss').length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(expected.length + 2);
    expect(got.find((e) => e.kind === 'loss')).toMatchObject({ source: 'tetragon', reason: 'lost_events' });
    await source.stop();
  });

  it('counts a message that is not a GetEventsResponse as a malformed one, ignores kinds outside the subset, and carries on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-tetragon-'));
    dirs.push(dir);
    const address = `unix://${join(dir, 'tetragon.sock')}`;
    const good = encodeTetragonResponse(JSON.parse(lines[0]!) as Record<string, unknown>);
    // process_tracepoint (field 10) is not in our subset: it decodes to no event, and is ignored, not a loss.
    const tracepoint = new Uint8Array([0x52, 0x00]);
    servers.push(await fakeTetragon(address, [new Uint8Array([0xff, 0xff, 0xff]), tracepoint, good]));
    const got: HostEvent[] = [];
    const source = startTetragonGrpcSource({ address, dnsPorts: [53] }, (e) => got.push(...e), quiet);
    await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(got[0]).toMatchObject({ kind: 'loss', source: 'tetragon', reason: 'malformed_line', count: 1 });
    expect(got[1]!.kind).toBe('exec');
    expect(got).toHaveLength(2);
    expect(source.drops()).toMatchObject({ ignored_other: 1 });
    await source.stop();
  });
});
