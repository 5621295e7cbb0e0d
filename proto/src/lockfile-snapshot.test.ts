// lockfile snapshots at the collector edge: a relative path, a SHA-256 and content of the stated
// size, or a counted rejection that keeps the rest of the batch.
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, LIMITS } from './convert.js';
import type { LockfileEvent } from './domain.js';
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';

const SHA = 'a'.repeat(64);
const snapshot: LockfileEvent = {
  kind: 'lockfile', timeUs: 1, buildId: 'b', path: 'crates/app/Cargo.lock', workspace: '/w', sha256: SHA, size: 3,
  content: Buffer.from([1, 2, 3]), omitted: null, scanIncomplete: false, // protobufjs hands bytes over as a Buffer on Node
};
const decodeOne = (lockfile: telltale.v1.LockfileSnapshot.$Properties) =>
  decodeBatch(telltale.v1.EventBatch.encode({ agentId: 'a', sequence: 1, events: [{ buildId: 'b', timeUs: 1, lockfile }] }).finish());
const valid = { path: 'Cargo.lock', workspace: '/w', sha256: SHA, size: 3 };

describe('lockfile snapshots on the wire', () => {
  it('round-trips with content, and without it (sent before, or omitted)', () => {
    expect(decodeBatch(encodeBatch({ agentId: 'a', sequence: 1, events: [snapshot] })).events).toEqual([snapshot]);
    const hashOnly: LockfileEvent = { ...snapshot, content: null };
    expect(decodeBatch(encodeBatch({ agentId: 'a', sequence: 1, events: [hashOnly] })).events).toEqual([hashOnly]);
    const omitted: LockfileEvent = { ...snapshot, content: null, size: 50_000_000, omitted: 'too_large', scanIncomplete: true };
    expect(decodeBatch(encodeBatch({ agentId: 'a', sequence: 1, events: [omitted] })).events).toEqual([omitted]);
  });

  it.each([
    ['no path', { ...valid, path: '' }],
    ['an absolute path', { ...valid, path: '/etc/Cargo.lock' }],
    ['a path climbing out of the workspace', { ...valid, path: '../other/Cargo.lock' }],
    ['a path with an empty segment', { ...valid, path: 'a//Cargo.lock' }],
    ['a path with a control character', { ...valid, path: 'a\nb/Cargo.lock' }],
    ['a path too long', { ...valid, path: `${'d/'.repeat(600)}Cargo.lock` }],
    ['a relative workspace', { ...valid, workspace: 'w' }],
    ['a hash that is not SHA-256 hex', { ...valid, sha256: 'A'.repeat(64) }],
    ['a short hash', { ...valid, sha256: 'ab' }],
    ['content of another size than stated', { ...valid, size: 4, content: new Uint8Array(3) }],
    ['content over the cap', { ...valid, size: LIMITS.lockfileBytes + 1, content: new Uint8Array(LIMITS.lockfileBytes + 1) }],
    ['content marked omitted', { ...valid, content: new Uint8Array(3), omitted: 'too_large' }],
    ['an unknown omission', { ...valid, omitted: 'lazy' }],
  ])('rejects %s as a bad event, keeping the batch', (_, body) => {
    const decoded = decodeOne(body);
    expect(decoded.events).toEqual([]);
    expect(decoded.rejected.map((r) => r.error.code)).toEqual(['PROTO_INVALID_EVENT']);
  });

  it('accepts content of exactly the cap', () => {
    const content = new Uint8Array(LIMITS.lockfileBytes);
    expect(decodeOne({ ...valid, size: content.length, content }).events).toHaveLength(1);
  });
});
