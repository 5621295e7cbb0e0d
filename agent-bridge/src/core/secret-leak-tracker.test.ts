import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { SecretLeakTracker, SECRET_LEAK_LIMITS } from './secret-leak-tracker.js';
import { encodingsOf, SECRET_DEFAULTS, type PieceHash } from './secret-fingerprints.js';
import { parseEnvironBlock } from './environ-block.js';

const hash: PieceHash = (piece) => createHmac('sha256', 'test-key').update(piece).digest('base64url').slice(0, 16);
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // AWS's documentation example, not a credential
const env: [string, string][] = [['AWS_SECRET_ACCESS_KEY', SECRET], ['HOME', '/root'], ['RANDOM_DATA', 'x7Qk2LmPz9Rt4VwYb6Nc1Hd8Jf3Gs5Ae0UoIiEe']];
const base32 = encodingsOf(SECRET).find((e) => e.encoding === 'base32')!.text;

function query(...labels: string[]): Uint8Array {
  const bytes = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) bytes.push(l.length, ...Buffer.from(l, 'latin1'));
  bytes.push(0, 0, 1, 0, 1);
  return Uint8Array.from(bytes);
}
const dns = (packet: Uint8Array, pid = 42) => ({ pid, timeUs: 1, packet, response: false });

/** Every 10-character piece of every encoding of the secret, and the secret itself. */
const forbidden = [SECRET, ...encodingsOf(SECRET).flatMap((e) => Array.from({ length: Math.max(0, e.text.length - 9) }, (_, i) => e.text.slice(i, i + 10)))];
const expectNoSecret = (text: string) => {
  for (const f of forbidden) {
    expect(text.includes(f)).toBe(false);
    expect(text.toLowerCase().includes(f.toLowerCase())).toBe(false);
  }
};

describe('SecretLeakTracker', () => {
  it('indexes a build\'s secret-like variables by name and reports a whole value sent in one query', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    const outcome = t.index('b1', env);
    expect(outcome).toEqual({ variables: ['AWS_SECRET_ACCESS_KEY'], skipped: [] });
    const events = t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'exfil-drill', 'test')));
    expect(events).toEqual([{ kind: 'secret_match', timeUs: 1, buildId: 'b1', pid: 42, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40, valueBytes: 40 }]);
    // The same query again carries nothing new: no chatter.
    expect(t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'exfil-drill', 'test')))).toEqual([]);
    expectNoSecret(JSON.stringify({ outcome, events }));
  });

  it('keeps each build apart, and ignores responses and unindexed builds', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    t.index('b2', [['HOME', '/root']]);
    const p = query(base32.slice(0, 63), base32.slice(63), 'x', 'test');
    expect(t.onDns('b2', dns(p))).toEqual([]);
    expect(t.onDns('other', dns(p))).toEqual([]);
    expect(t.onDns('b1', { ...dns(p), response: true })).toEqual([]);
    expect(t.indexedBuilds).toBe(1); // b2 holds no secret: nothing kept for it
    t.drop('b1');
    expect(t.onDns('b1', dns(p))).toEqual([]);
  });

  it('waits for 8 bytes (or 25% of a short value), then reports once per 10% step', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    const hex = encodingsOf(SECRET).find((e) => e.encoding === 'hex')!.text; // 2 characters a byte
    // 10 hex characters = 5 bytes: under the threshold.
    expect(t.onDns('b1', dns(query(hex.slice(0, 10), 'x', 'test')))).toEqual([]);
    // 16 characters = 8 bytes: 20% of 40.
    const first = t.onDns('b1', dns(query(hex.slice(0, 16), 'x', 'test')));
    expect(first.map((e) => [e.encoding, e.coveredBytes])).toEqual([['hex', 8]]);
    // One more byte (9/40 = 22%): the same step, nothing.
    expect(t.onDns('b1', dns(query(hex.slice(0, 18), 'x', 'test')))).toEqual([]);
    // A byte at a time to the end: one event per step reached, 20% … 100%.
    const reported: number[] = [];
    for (let end = 20; end <= hex.length; end += 2) {
      for (const e of t.onDns('b1', dns(query(hex.slice(end - 20, end), 'x', 'test')))) reported.push(e.coveredBytes);
    }
    expect(reported.map((c) => Math.floor(c / 4))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(reported.at(-1)).toBe(40);
  });

  it('reports a short value at 25% of it', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    const value = 'Zq8Wx3Kp1Lm7Rt'; // 14 bytes: reported from 4 bytes (25% < 8 bytes)
    t.index('b1', [['DEPLOY_TOKEN', value]]);
    const hex = Buffer.from(value).toString('hex');
    expect(t.onDns('b1', dns(query(hex.slice(0, 10), 'test')))).toMatchObject([{ variable: 'DEPLOY_TOKEN', coveredBytes: 5, valueBytes: 14 }]);
  });

  it('does not fire for random data under a name that is not secret-like', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    const random = encodingsOf(env[2]![1]).find((e) => e.encoding === 'base32')!.text;
    expect(t.onDns('b1', dns(query(random.slice(0, 63), random.slice(63), 'exfil-drill', 'test')))).toEqual([]);
  });

  it('bounds what it indexes: builds, value sizes, the per-build budget, reportable names', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS, { ...SECRET_LEAK_LIMITS, maxBuilds: 2, maxValueBytes: 64, maxBuildValueBytes: 100 });
    expect(t.index('b1', env)).not.toBeNull();
    expect(t.index('b1', env)).toBeNull(); // already indexed
    const outcome = t.index('b2', [['BIG_TOKEN', 'a1b2c3d4e5'.repeat(7)], ['A_TOKEN', 'k'.repeat(5) + 'abcdefghij'.repeat(5)], ['B_TOKEN', 'zyxwvutsrqponmlkjihg'.repeat(3)], ['BAD\u0001_TOKEN', 'abcdefghijklmnop']]);
    expect(outcome).toEqual({ variables: ['A_TOKEN'], skipped: ['BIG_TOKEN', 'B_TOKEN', 'BAD\u0001_TOKEN'] });
    expect(t.index('b3', env)).toBeNull();
    expect(t.buildsNotIndexed).toBe(1);
    // An ended build gives way to a new one.
    t.ended('b1');
    expect(t.index('b3', env)).not.toBeNull();
    expect(t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'test')))).toEqual([]);
    expect(t.onDns('b3', dns(query(base32.slice(0, 63), base32.slice(63), 'test')))).toHaveLength(1);
  });

  it('parses an environ block, and nothing it emits or reports holds the value', () => {
    const block = Buffer.from(`HOME=/root\0AWS_SECRET_ACCESS_KEY=${SECRET}\0BROKEN\0EMPTY=\0`);
    expect(parseEnvironBlock(block)).toEqual([['HOME', '/root'], ['AWS_SECRET_ACCESS_KEY', SECRET], ['EMPTY', '']]);
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    const outcome = t.index('b1', parseEnvironBlock(block));
    const emitted = [];
    const b64 = encodingsOf(SECRET).find((e) => e.encoding === 'base64')!.text.replace(/[+/=]/g, '-');
    for (const labels of [[base32.slice(0, 30)], [base32.slice(30)], [SECRET.toLowerCase().replace(/\//g, '-')], [b64]]) emitted.push(...t.onDns('b1', dns(query(...labels, 'test'))));
    expect(emitted.length).toBeGreaterThan(0);
    expectNoSecret(JSON.stringify({ outcome, emitted }));
  });
});
