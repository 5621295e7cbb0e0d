// Golden vectors: proto/testdata/event-batch.{bin,json} pin the wire format. The agent's
// encoder must produce these bytes and the collector's decoder must read them back; both
// the binary and its protobuf-JSON rendering change only on purpose (UPDATE_GOLDEN=1).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';
import { decodeBatch, encodeBatch } from './convert.js';
import type { EventBatch } from './domain.js';

const dir = fileURLToPath(new URL('../testdata/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

const dnsPacket = Uint8Array.from(Buffer.from('12340100000100000000000010' + '6d66726767337a64666d7a74716f6a6b' + '0b657866696c2d6472696c6c047465737400' + '00010001', 'hex'));

export const goldenBatch: EventBatch = {
  agentId: '6f1c2a9e-7d3b-4c1a-9e55-0b2f4c6d8e10',
  sequence: 42,
  events: [
    { kind: 'build_start', timeUs: 1_795_000_000_000_000, buildId: 'b-1', rootPid: 4100,
      context: { buildId: 'b-1', pipeline: 'acme/pay:ci.yml', runId: '991.1', job: 'build', repo: 'acme/pay', commit: '0123abcd', agentHost: 'runner-7', ciProvider: 'github' } },
    { kind: 'exec', timeUs: 1_795_000_000_100_000, buildId: 'b-1', pid: 4102, ppid: 4101,
      exe: '/w/target/debug/build/url-parsr-1a2b3c/build-script-build', argv: ['/w/target/debug/build/url-parsr-1a2b3c/build-script-build'],
      cwd: '/w/url-parsr', uid: 1001, startTimeUs: 1_795_000_000_099_000, argvTruncated: false },
    { kind: 'fork', timeUs: 1_795_000_000_100_500, buildId: 'b-1', pid: 4103, ppid: 4102 },
    { kind: 'dns', timeUs: 1_795_000_000_101_000, buildId: 'b-1', pid: 4102, packet: dnsPacket, packetLength: dnsPacket.length,
      family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false },
    { kind: 'connect', timeUs: 1_795_000_000_102_000, buildId: 'b-1', pid: 4102, family: 'inet6', protocol: 'tcp', address: '2001:db8::7', port: 443 },
    { kind: 'exit', timeUs: 1_795_000_000_103_000, buildId: 'b-1', pid: 4102, exitCode: 0, signal: 0 },
    { kind: 'loss', timeUs: 1_795_000_000_104_000, buildId: 'b-1', source: 'bpftrace', reason: 'lost_events', count: 3 },
    { kind: 'secret_match', timeUs: 1_795_000_000_105_000, buildId: 'b-1', pid: 4102, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40, valueBytes: 40 },
    { kind: 'lockfile', timeUs: 1_795_000_000_106_000, buildId: 'b-1', path: 'Cargo.lock', workspace: '/w', size: 6,
      sha256: 'ba661c38ea21e3029278dc52ec830a6ab47a9fd2c86b4541d3458f2fe72e0266', content: new TextEncoder().encode('# lock'), omitted: null, scanIncomplete: false },
    { kind: 'build_end', timeUs: 1_795_000_000_200_000, buildId: 'b-1', exitCode: 0 },
  ],
};

const toJson = (bytes: Uint8Array) => telltale.v1.EventBatch.toObject(telltale.v1.EventBatch.decode(bytes), {
  longs: String, bytes: String, enums: String, oneofs: true, defaults: false,
});

describe('golden EventBatch vectors', () => {
  it('encodes to the committed bytes and JSON', () => {
    const bytes = encodeBatch(goldenBatch);
    const json = JSON.stringify(toJson(bytes), null, 2) + '\n';
    if (update) {
      writeFileSync(`${dir}event-batch.bin`, bytes);
      writeFileSync(`${dir}event-batch.json`, json);
    }
    expect(Buffer.from(bytes).equals(readFileSync(`${dir}event-batch.bin`))).toBe(true);
    expect(json).toBe(readFileSync(`${dir}event-batch.json`, 'utf8'));
  });

  it('decodes the committed bytes to the same domain events', () => {
    const decoded = decodeBatch(new Uint8Array(readFileSync(`${dir}event-batch.bin`)));
    expect(decoded.rejected).toEqual([]);
    expect(decoded.agentId).toBe(goldenBatch.agentId);
    expect(decoded.sequence).toBe(42);
    expect(decoded.events).toEqual(goldenBatch.events);
  });

  it('reads the JSON rendering back into the same bytes', () => {
    const fromJson = telltale.v1.EventBatch.fromObject(JSON.parse(readFileSync(`${dir}event-batch.json`, 'utf8')) as Record<string, unknown>);
    expect(Buffer.from(telltale.v1.EventBatch.encode(fromJson).finish()).equals(readFileSync(`${dir}event-batch.bin`))).toBe(true);
  });
});
