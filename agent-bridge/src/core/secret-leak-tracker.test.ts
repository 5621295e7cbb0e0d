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
    expect(outcome).toEqual({ variables: ['AWS_SECRET_ACCESS_KEY'], skipped: [], notIndexed: [] });
    const events = t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'exfil-drill', 'test')));
    expect(events).toEqual([{ kind: 'secret_match', timeUs: 1, buildId: 'b1', pid: 42, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40, valueBytes: 40 }]);
    // The same query again carries nothing new: no chatter.
    expect(t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'exfil-drill', 'test')))).toEqual([]);
    expectNoSecret(JSON.stringify({ outcome, events }));
  });

  it('finds the value in whatever the build sent: a message flagged as a response, a TXT record in the additional section', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    const flagged = query(base32.slice(0, 63), 'exfil-drill', 'test');
    flagged[2] = 0x81; // QR set: a "response" the build sent
    expect(t.onDns('b1', dns(flagged)).map((e) => e.variable)).toEqual(['AWS_SECRET_ACCESS_KEY']);
    const t2 = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t2.index('b1', env);
    const base64 = encodingsOf(SECRET).find((e) => e.encoding === 'base64')!.text;
    const head = query('innocent', 'test');
    head[11] = 1; // ARCOUNT 1
    const rdata = [base64.length, ...Buffer.from(base64, 'latin1')];
    const txt = Uint8Array.from([...head, 0, 0, 16, 0, 1, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff, ...rdata]);
    expect(t2.onDns('b1', dns(txt))).toMatchObject([{ variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base64', coveredBytes: 40 }]);
  });

  it('finds the value behind a compression pointer: in bytes after the last section, or inside a record\'s data', () => {
    // In 9-character labels: read as raw bytes, no 10 characters of it stand together.
    const labels = Array.from({ length: Math.ceil(base32.length / 9) }, (_, i) => base32.slice(i * 9, i * 9 + 9));
    const wire = labels.flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]).concat(0);
    // The question is a pointer forward, to offset 18: past the question, in bytes no section counts.
    const trailing = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, ...wire]);
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    expect(t.onDns('b1', dns(trailing))).toMatchObject([{ variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40 }]);
    // The question points into the data of a TXT record in the additional section (offset 31).
    const inRecord = Uint8Array.from([
      0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1, 0xc0, 31, 0, 1, 0, 1, 1, 0x6f, 0, 0, 16, 0, 1, 0, 0, 0, 0, wire.length >> 8, wire.length & 0xff, ...wire,
    ]);
    const t2 = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t2.index('b1', env);
    expect(t2.onDns('b1', dns(inRecord))).toMatchObject([{ variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40 }]);
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
    expect(t.index('b1', env).variables).toEqual(['AWS_SECRET_ACCESS_KEY']);
    expect(t.index('b1', env)).toEqual({ variables: [], skipped: [], notIndexed: [] }); // already indexed: nothing new
    const outcome = t.index('b2', [['BIG_TOKEN', 'a1b2c3d4e5'.repeat(7)], ['A_TOKEN', 'k'.repeat(5) + 'abcdefghij'.repeat(5)], ['B_TOKEN', 'zyxwvutsrqponmlkjihg'.repeat(3)], ['BAD\u0001_TOKEN', 'abcdefghijklmnop'], ['SHORT_TOKEN', 'abc123']]);
    expect(outcome).toEqual({ variables: ['A_TOKEN'], skipped: ['SHORT_TOKEN'], notIndexed: ['BIG_TOKEN', 'B_TOKEN', 'BAD\u0001_TOKEN'] });
    expect(t.index('b3', env)).toEqual({ variables: [], skipped: [], notIndexed: ['AWS_SECRET_ACCESS_KEY'] }); // no slot
    expect(t.buildsNotIndexed).toBe(1);
    expect(t.valuesNotIndexed).toBe(4);
    // An environment with no secret needs no slot.
    expect(t.index('b4', [['HOME', '/root']])).toEqual({ variables: [], skipped: [], notIndexed: [] });
    expect(t.buildsNotIndexed).toBe(1);
    // An ended build gives way to a new one.
    t.ended('b1');
    expect(t.index('b3', env).variables).toEqual(['AWS_SECRET_ACCESS_KEY']);
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

  it('checks a build\'s queries within its budget: over it they are counted, not checked; a repeat is free', () => {
    let hashes = 0;
    const counting: PieceHash = (p) => { hashes++; return hash(p); };
    const t = new SecretLeakTracker(counting, SECRET_DEFAULTS, { ...SECRET_LEAK_LIMITS, piecesPerSecond: 1000 });
    t.index('b1', env);
    const noise = (i: number) => query(`n${i}`.padEnd(63, 'x'), 'test'); // 63 + 4 characters: 58 pieces
    for (let i = 0; i < 17; i++) expect(t.onDns('b1', dns(noise(i)), 0)).toEqual([]); // 17 × 58 = 986
    expect(t.takeUnchecked()).toEqual([]);
    // The leak arrives with the budget spent: not checked, and said so.
    const leak = dns(query(base32.slice(0, 63), base32.slice(63), 'x', 'test'));
    expect(t.onDns('b1', leak, 10)).toEqual([]);
    expect(t.takeUnchecked()).toEqual([['b1', 1]]);
    expect(t.takeUnchecked()).toEqual([]);
    expect(t.queriesUnchecked).toBe(1);
    // A query checked already costs one hash, and no budget.
    hashes = 0;
    expect(t.onDns('b1', dns(noise(3)), 10)).toEqual([]);
    expect(hashes).toBe(1);
    // A second later the same leak is checked.
    expect(t.onDns('b1', leak, 1010)).toMatchObject([{ variable: 'AWS_SECRET_ACCESS_KEY', coveredBytes: 40 }]);
  });

  it('does not take a case variant of a checked query for a repeat (base64 is case-sensitive)', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    t.index('b1', env);
    const b64 = encodingsOf(SECRET).find((e) => e.encoding === 'base64')!.text.replace(/[+/=]/g, '-');
    expect(t.onDns('b1', dns(query(b64.toLowerCase(), 'test')))).toEqual([]);
    expect(t.onDns('b1', dns(query(b64, 'test')))).toMatchObject([{ encoding: 'base64' }]);
  });

  it('adds a later environment of the build (a CI job\'s step) to what it checks', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS);
    expect(t.index('b1', [['HOME', '/root'], ['CI', 'true']])).toEqual({ variables: [], skipped: [], notIndexed: [] });
    expect(t.indexedBuilds).toBe(0);
    const npm = 'npm_Zq8Wx3Kp1Lm7Rt5Yv2Nc4Hd6Jf';
    const p = query(Buffer.from(npm).toString('hex').slice(0, 40), 'test');
    expect(t.onDns('b1', dns(p))).toEqual([]);
    expect(t.index('b1', [['HOME', '/root'], ['NPM_TOKEN', npm]]).variables).toEqual(['NPM_TOKEN']);
    // The query seen before the step is checked again: it was checked against fewer fingerprints.
    expect(t.onDns('b1', dns(p))).toMatchObject([{ variable: 'NPM_TOKEN' }]);
    // A later step repeating the job's environment adds nothing; a new one adds its own.
    expect(t.index('b1', [['NPM_TOKEN', npm]])).toEqual({ variables: [], skipped: [], notIndexed: [] });
    expect(t.index('b1', env).variables).toEqual(['AWS_SECRET_ACCESS_KEY']);
    expect(t.onDns('b1', dns(query(base32.slice(0, 63), base32.slice(63), 'test')))).toMatchObject([{ variable: 'AWS_SECRET_ACCESS_KEY' }]);
    expect(t.indexedBuilds).toBe(1);
  });

  it('bounds the environments per build: one more is not indexed, and said so', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS, { ...SECRET_LEAK_LIMITS, maxEnvironmentsPerBuild: 1 });
    t.index('b1', env);
    expect(t.index('b1', [['NPM_TOKEN', 'npm_Zq8Wx3Kp1Lm7Rt5Yv2Nc4Hd6Jf']])).toEqual({ variables: [], skipped: [], notIndexed: ['NPM_TOKEN'] });
    expect(t.valuesNotIndexed).toBe(1);
  });

  it('takes the slot of a build whose processes are all gone when every slot is in use', () => {
    const t = new SecretLeakTracker(hash, SECRET_DEFAULTS, { ...SECRET_LEAK_LIMITS, maxBuilds: 2 });
    t.index('killed', env);
    t.index('alive', env);
    expect(t.index('b3', env, () => false).notIndexed).toEqual(['AWS_SECRET_ACCESS_KEY']);
    expect(t.buildsNotIndexed).toBe(1);
    expect(t.index('b3', env, (id) => id === 'killed').variables).toEqual(['AWS_SECRET_ACCESS_KEY']);
    expect(t.slotsReclaimed).toBe(1);
    const p = dns(query(base32.slice(0, 63), base32.slice(63), 'test'));
    expect(t.onDns('killed', p)).toEqual([]);
    expect(t.onDns('alive', p)).toHaveLength(1);
    expect(t.onDns('b3', p)).toHaveLength(1);
  });
});
