import { describe, expect, it } from 'vitest';
import { compileSecretNames, constantBytes, encodingsOf, fingerprintSecrets, looksPublic, matchLabels, SECRET_DEFAULTS, type LeakState, type PieceHash } from './secret-fingerprints.js';

// A stand-in for the adapter's HMAC: keyed, one-way enough for a test (FNV-1a 64 over key + piece).
const hash: PieceHash = (piece) => {
  let h = 0xcbf29ce484222325n;
  for (const c of `test-key:${piece}`) h = ((h ^ BigInt(c.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(36);
};
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // AWS's documentation example, not a credential
const env: [string, string][] = [['AWS_SECRET_ACCESS_KEY', SECRET], ['AWS_REGION', 'eu-west-1-but-long-enough'], ['HOME', '/root'], ['GITHUB_TOKEN', 'short']];
const encoded = (enc: string) => encodingsOf(SECRET).find((e) => e.encoding === enc)!.text;
const labelsOf = (text: string, size: number) => text.match(new RegExp(`.{1,${size}}`, 'g'))!;

describe('secret fingerprints', () => {
  it('fingerprints secret-like variables only, and keeps no value nor any piece of one', () => {
    const index = fingerprintSecrets(env, hash);
    expect(index.variables.map((v) => v.name)).toEqual(['AWS_SECRET_ACCESS_KEY']);
    expect(index.skipped).toEqual(['GITHUB_TOKEN']); // too short to fingerprint; AWS_REGION is not a secret
    const kept = JSON.stringify({ ...index, pieces: [...index.pieces] });
    for (const e of encodingsOf(SECRET)) {
      for (let i = 0; i + 10 <= e.text.length; i += 3) expect(kept).not.toContain(e.text.slice(i, i + 10));
    }
    const isSecret = compileSecretNames(SECRET_DEFAULTS);
    expect(['NPM_TOKEN', 'DB_PASSWORD', 'STRIPE_SECRET_KEY', 'AWS_ACCESS_KEY_ID', 'github_token'].every(isSecret)).toBe(true);
    expect(['PATH', 'AWS_DEFAULT_REGION', 'KEYBOARD', 'TOKENIZER_PATH'].some(isSecret)).toBe(false);
  });

  it.each(['base32', 'hex', 'base64'])('finds the value sent %s in one query, split across labels', (enc) => {
    const index = fingerprintSecrets(env, hash);
    const state: LeakState = new Map();
    const [leak] = matchLabels(index, labelsOf(encoded(enc), 30), hash, state);
    expect(leak).toMatchObject({ variable: 'AWS_SECRET_ACCESS_KEY', encoding: enc });
    expect(leak!.fraction).toBe(1);
  });

  it('adds up a value trickled over many queries, chunk by chunk, whatever the chunks\' byte alignment', () => {
    const index = fingerprintSecrets(env, hash);
    const state: LeakState = new Map();
    // The secret cut into 7-byte chunks, each base32-encoded on its own (alignment shifts each time).
    const bytes = new TextEncoder().encode(SECRET);
    let last;
    for (let i = 0; i < bytes.length; i += 7) {
      const chunk = encodingsOf(new TextDecoder().decode(bytes.subarray(i, i + 7))).find((e) => e.encoding === 'base32')!.text;
      const grew = matchLabels(index, [chunk], hash, state);
      if (grew.length) last = grew[0];
    }
    expect(last!.variable).toBe('AWS_SECRET_ACCESS_KEY');
    // Three quarters of the value: each chunk's last character mixes in padding bits, so the
    // bytes at chunk ends are not counted as carried (the count errs low, never high).
    expect(last!.fraction).toBeGreaterThanOrEqual(0.75);
    expect(last!.fraction).toBeLessThan(1);
  });

  it('finds the raw value and case-folded encodings, but not a case-sensitive one lower-cased', () => {
    const index = fingerprintSecrets([['API_TOKEN', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a']], hash);
    expect(matchLabels(index, ['ghp_16c7e42f292c6912e7710c838347ae178b4a'], hash, new Map())[0]).toMatchObject({ encoding: 'raw', fraction: 1 });
    const b64 = encodingsOf('ghp_16C7e42F292c6912E7710c838347Ae178B4a').find((e) => e.encoding === 'base64')!.text;
    expect(matchLabels(index, [b64], hash, new Map())[0]!.fraction).toBe(1);
    expect(matchLabels(index, [b64.toLowerCase()], hash, new Map())).toEqual([]);
  });

  it('raises nothing for random data of the same shape, or for ordinary names', () => {
    const index = fingerprintSecrets(env, hash);
    const state: LeakState = new Map();
    const random = encodingsOf('Xq9zLm2PvR8sT4uW6yA1bC3dE5fG7hJ0kN2pQ4r').find((e) => e.encoding === 'base32')!.text;
    expect(matchLabels(index, labelsOf(random, 60), hash, state)).toEqual([]);
    expect(matchLabels(index, ['index', 'crates', 'io'], hash, state)).toEqual([]);
    expect(state.size).toBe(0);
  });

  it('bounds what it keeps: variables per build, and nothing for an empty environment', () => {
    const many = Array.from({ length: 100 }, (_, i): [string, string] => [`S${i}_TOKEN`, `${SECRET}${i}`]);
    expect(fingerprintSecrets(many, hash).variables).toHaveLength(SECRET_DEFAULTS.maxVariables);
    const none = fingerprintSecrets([], hash);
    expect(matchLabels(none, ['anything'], hash, new Map())).toEqual([]);
  });

  it('leaves out what appears in ordinary names: AWS settings that are not secrets, addresses under secret-like names', () => {
    const index = fingerprintSecrets([
      ['AWS_ACCOUNT_ID', '123456789012'], ['AWS_S3_BUCKET', 'acme-build-artifacts'], ['AWS_BUCKET_REGION', 'ap-southeast-2'],
      ['ARTIFACTORY_API_KEY', 'https://artifactory-mirror.corp.example/api'], ['REGISTRY_KEY', 'registry-mirror.corp.example'],
      ['DEPLOY_KEY_PATH_KEY', '/home/ci/.ssh/id_ed25519'], ['AWS_ROLE_ARN_KEY', 'arn:aws:iam::123456789012:role/ci'], ['NPM_TOKEN', '123456789012345'],
    ], hash);
    expect(index.variables).toEqual([]);
    const state: LeakState = new Map();
    for (const name of ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'acme-build-artifacts.s3.amazonaws.com', 'artifactory-mirror.corp.example']) {
      expect(matchLabels(index, name.split('.'), hash, state)).toEqual([]);
    }
  });

  it('does not count what every token of a kind shares: a format prefix, a JWT header, PEM armour', () => {
    const pat = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV';
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const index = fingerprintSecrets([['GH_TOKEN', pat], ['ACTIONS_RUNTIME_TOKEN', jwt]], hash);
    expect(index.variables.map((v) => v.name)).toEqual(['GH_TOKEN', 'ACTIONS_RUNTIME_TOKEN']);
    // Another token's shared parts alone: nothing carried.
    const otherJwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5OTk5OTk5OTk5IiwibmFtZSI6Ik1hcnkifQ.AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK';
    expect(matchLabels(index, ['github_pat_'], hash, new Map())).toEqual([]);
    expect(matchLabels(index, otherJwt.split('.'), hash, new Map())).toEqual([]);
    // The token itself carries its signature: found.
    expect(matchLabels(index, jwt.split('.'), hash, new Map()).find((l) => l.variable === 'ACTIONS_RUNTIME_TOKEN')).toMatchObject({ fraction: 1 });
    // The token itself, sent raw: the whole of what makes it this token.
    const [leak] = matchLabels(index, [pat.toLowerCase().slice(0, 63), pat.toLowerCase().slice(63)], hash, new Map());
    expect(leak).toMatchObject({ variable: 'GH_TOKEN', encoding: 'raw', valueBytes: pat.length - 'github_pat_'.length });
    expect(leak!.fraction).toBeGreaterThan(0.9);
  });

  it('keeps the constant parts of a value apart', () => {
    expect([...constantBytes('ghp_abcdefghij')].join('')).toBe('11110000000000');
    expect([...constantBytes('eyJhbGc.eyJzdWI.signature')].join('')).toBe('1111111111111111000000000');
    expect(looksPublic('s3.amazonaws.com')).toBe(true);
    expect(looksPublic('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(false);
  });
});
