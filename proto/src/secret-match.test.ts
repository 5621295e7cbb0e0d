// secret_match at the collector edge: a name, a known encoding and sane byte counts, or a
// counted rejection; never a crash, never a value.
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, eventToProto } from './convert.js';
import type { SecretMatchEvent } from './domain.js';
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';

const match: SecretMatchEvent = {
  kind: 'secret_match', timeUs: 1, buildId: 'b', pid: 7, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'hex', coveredBytes: 12, valueBytes: 40,
};
const decodeOne = (secretMatch: telltale.v1.SecretMatch.$Properties) =>
  decodeBatch(telltale.v1.EventBatch.encode({ agentId: 'a', sequence: 1, events: [{ buildId: 'b', timeUs: 1, secretMatch }] }).finish());

describe('secret_match on the wire', () => {
  it('round-trips', () => {
    expect(decodeBatch(encodeBatch({ agentId: 'a', sequence: 1, events: [match] })).events).toEqual([match]);
    expect(eventToProto(match).secretMatch).toEqual({ pid: 7, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'hex', coveredBytes: 12, valueBytes: 40 });
  });

  it.each([
    ['no name', { variable: '', encoding: 'hex', coveredBytes: 1, valueBytes: 2 }],
    ['a name too long', { variable: 'A'.repeat(257), encoding: 'hex', coveredBytes: 1, valueBytes: 2 }],
    ['a name with a control character', { variable: 'A\nB', encoding: 'hex', coveredBytes: 1, valueBytes: 2 }],
    ['a name with a space', { variable: 'A B', encoding: 'hex', coveredBytes: 1, valueBytes: 2 }],
    ['an unknown encoding', { variable: 'X_TOKEN', encoding: 'rot13', coveredBytes: 1, valueBytes: 2 }],
    ['more covered than the value', { variable: 'X_TOKEN', encoding: 'raw', coveredBytes: 3, valueBytes: 2 }],
    ['an empty value', { variable: 'X_TOKEN', encoding: 'raw', coveredBytes: 0, valueBytes: 0 }],
    ['a value over 4 KiB (the agent fingerprints no larger)', { variable: 'X_TOKEN', encoding: 'raw', coveredBytes: 1, valueBytes: 4097 }],
    ['nothing carried (an alert with nothing behind it)', { variable: 'X_TOKEN', encoding: 'raw', coveredBytes: 0, valueBytes: 40 }],
  ])('rejects %s as a bad event, keeping the batch', (_, body) => {
    const decoded = decodeOne(body);
    expect(decoded.events).toEqual([]);
    expect(decoded.rejected.map((r) => r.error.code)).toEqual(['PROTO_INVALID_EVENT']);
  });

  it('accepts the largest name and value', () => {
    expect(decodeOne({ variable: 'A'.repeat(256), encoding: 'base64url', coveredBytes: 4096, valueBytes: 4096 }).events).toHaveLength(1);
  });
});
