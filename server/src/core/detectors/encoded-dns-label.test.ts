import { describe, expect, it, vi } from 'vitest';
import { compileEncodedDnsLabel, CUT_NAME_KEY, type EncodedDnsLabelState } from './encoded-dns-label.js';
import { base32, chunks, dnsQuery, FAKE_SECRET } from './fixtures.js';
import type { Finding, Observation } from '../observation.js';

function runAll(d: ReturnType<typeof compileEncodedDnsLabel>, observations: Observation[]) {
  let state: EncodedDnsLabelState = d.init();
  const findings: Finding[][] = [];
  for (const o of observations) {
    const r = d.step(state, o, o.timeUs);
    state = r.state;
    findings.push(r.findings);
  }
  return { state, findings, all: findings.flat() };
}

const secret32 = base32(FAKE_SECRET); // 64 characters
const secret64 = Buffer.from(FAKE_SECRET).toString('base64url'); // 54 characters
const secretHex = Buffer.from(FAKE_SECRET).toString('hex'); // 80 characters

describe('encoded_dns_label', () => {
  const d = compileEncodedDnsLabel();

  it('fires on one query carrying a base32 secret in 63-character labels, from the very first build', () => {
    const name = `${chunks(secret32, 63).join('.')}.exfil-drill.test`;
    const { all } = runAll(d, [dnsQuery(name, { baselineLearning: true })]);
    expect(all).toHaveLength(1);
    const f = all[0]!;
    expect(f).toMatchObject({
      kind: 'encoded_dns_label', severity: 'high', domain: 'exfil-drill.test', qname: name.toLowerCase(),
      dedupeKey: 'encoded_dns_label:build-1:exfil-drill.test',
    });
    expect(f.evidence).toMatchObject({ trigger: 'single_query', alphabet: 'base32', length: 64, distinctQueries: 1, partial: false });
    expect(f.evidence.bitsThisQuery as number).toBeGreaterThan(250); // observed 300+
    expect(f.evidence.expectedEntropy).toBeCloseTo(4.6, 1);
  });

  it.each([
    ['base64url', [secret64]],
    ['hex in two labels', chunks(secretHex, 40)],
    ['base32 in 8-character labels', chunks(secret32, 8)],
  ])('fires on a single query carrying the secret as %s', (_title, labels) => {
    expect(runAll(d, [dnsQuery(`${labels.join('.')}.attacker.example`)]).all).toHaveLength(1);
  });

  it('fires on accumulation when the data trickles out in short split chunks', () => {
    // Each query carries 14 base32 characters split 5/5/4, each under the single-query bar.
    // Observed bits per query: 70, 23, 48, 50. The second (sgivgusl2lg5gu repeats g, s, u, l)
    // reads only 0.33 random, under minRandomness, so it does not count: 70 + 48 + 50 = 168
    // crosses 160 with the fourth query, after 56 characters (35 bytes) of the secret.
    const pieces = chunks(secret32, 14).slice(0, 5);
    const queries = pieces.map((p, i) => dnsQuery(`${chunks(p, 5).join('.')}.exfil-drill.test`, { timeUs: i * 1000 }));
    const { findings, all } = runAll(d, queries);
    expect(findings.map((f) => f.length)).toEqual([0, 0, 0, 1, 0]);
    expect(all[0]!.evidence).toMatchObject({ trigger: 'accumulated', reading: 'joined', distinctQueries: 3 });
    expect(all[0]!.evidence.bitsAccumulated as number).toBeGreaterThanOrEqual(160);
  });

  it('catches a slow drip of short single labels, each too short to judge alone', () => {
    const drip = chunks(secret32, 5).map((p, i) => dnsQuery(`${p}.exfil-drill.test`, { timeUs: i * 1_000_000 }));
    const { findings } = runAll(d, drip);
    const at = findings.findIndex((f) => f.length > 0);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(12); // observed: fires with query 9 (45 characters, 28 bytes)
    expect(findings[at]?.[0]?.evidence).toMatchObject({ trigger: 'accumulated', reading: 'labels' });
  });

  it('counts a repeated random-looking label once', () => {
    const same = Array.from({ length: 100 }, (_, i) => dnsQuery('d3h5fk9a6x1u7s.assets.example', { timeUs: i }));
    const { all, state } = runAll(d, same);
    expect(all).toEqual([]);
    expect(state.builds.get('build-1')?.domains.get('assets.example')).toMatchObject({ queries: 1 });
  });

  it('stays quiet for ordinary build traffic', () => {
    const names = ['index.crates.io', 'static.crates.io', 'registry-1.docker.io', 'auth.docker.io', 'api.github.com',
      'codeload.github.com', 'objects.githubusercontent.com', 'pipelines.actions.githubusercontent.com', 'files.pythonhosted.org',
      'download.pytorch.org', 'static-assets.example.com', 'us-east-1.prod.api.example.com', 'registry.npmjs.org',
      'd3h5fk9a6x1u7s.cloudfront.net', 'bucket.s3.amazonaws.com', 'proxy.golang.org', 'sum.golang.org', 'repo1.maven.org'];
    expect(runAll(d, names.map((n) => dnsQuery(n))).all).toEqual([]);
  });

  it('fires on base64url chunks of different lengths, beside a decoy region label', () => {
    const b64 = Buffer.from(FAKE_SECRET).toString('base64url'); // 54 characters
    const labels = [b64.slice(0, 5), b64.slice(5, 13), b64.slice(13, 16), b64.slice(16, 30), b64.slice(30), 'eu-west-1'];
    const { all } = runAll(d, [dnsQuery(`${labels.join('.')}.exfil-drill.test`)]);
    expect(all.map((f) => f.kind)).toEqual(['encoded_dns_label']);
  });

  it('stays quiet for one 128-bit service id beside a region tag or a word (R2 account, Sentry key)', () => {
    // Each is a single random hex id (128 bits), under the single-query bar of 140 bits; a
    // region tag or word beside it must not widen its alphabet in the joined reading.
    for (const n of ['e3b0c44298fc1c149afbf4c8996fb924.r2.cloudflarestorage.com', '3c2c1b8e6e5e4b1e8a3c0b8e3f4a9c1d.ingest.us.sentry.io']) {
      expect(runAll(d, [dnsQuery(n)]).all, n).toEqual([]);
    }
  });

  it('still judges a name cut short by the capture, under an unknown domain', () => {
    const labels = chunks(secret32, 63).slice(0, 1);
    const { all } = runAll(d, [dnsQuery(labels.join('.'), { partial: true })]);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ domain: null, dedupeKey: `encoded_dns_label:build-1:${CUT_NAME_KEY}` });
    expect(all[0]!.evidence).toMatchObject({ partial: true, trigger: 'single_query' });
  });

  it('updates its state in place: a query costs the same however many labels and domains are tracked', () => {
    // Regression: each step used to copy the builds map, the build's domain map and the domain's label set.
    const wide = compileEncodedDnsLabel({ accumulatedBits: 100_000 });
    let seed = 7;
    const randomLabel = () => Array.from({ length: 12 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return 'abcdefghijklmnopqrstuvwxyz234567'[seed >>> 26]!;
    }).join('');
    const labels = Array.from({ length: 1000 }, randomLabel);
    const spread = Array.from({ length: 1000 }, (_, i) => dnsQuery(`mfrgg.zdfmz.tqoj.site${i}.example`, { timeUs: i }));
    const { state, all } = runAll(wide, [...labels.map((l, i) => dnsQuery(`${l}.exfil-drill.test`, { timeUs: i })), ...spread]);
    expect(all).toEqual([]);
    const domains = state.builds.get('build-1')?.domains;
    const tally = domains?.get('exfil-drill.test');
    const seen = tally?.seen;
    expect(domains?.size).toBe(1001);
    expect(seen!.size).toBeGreaterThan(900);
    const queries = tally!.queries;
    const mapSets = vi.spyOn(Map.prototype, 'set');
    const setAdds = vi.spyOn(Set.prototype, 'add');
    let r: ReturnType<typeof wide.step>;
    try {
      r = wide.step(state, dnsQuery('mfrgg.zdfmz.tqoj.exfil-drill.test', { timeUs: 5000 }), 0);
    } finally {
      mapSets.mockRestore();
      setAdds.mockRestore();
    }
    expect(mapSets.mock.calls.length).toBeLessThanOrEqual(2); // touch the build (a copy sets every entry)
    expect(setAdds.mock.calls.length).toBeLessThanOrEqual(3); // the new labels only
    expect(r.state).toBe(state);
    expect(domains?.get('exfil-drill.test')).toBe(tally);
    expect(tally?.seen).toBe(seen);
    expect(tally?.queries).toBe(queries + 1);
  });

  it('keeps its state bounded and counts what it forgot', () => {
    const small = compileEncodedDnsLabel({ maxBuilds: 1, maxDomainsPerBuild: 2 });
    const q = (n: string, buildId = 'build-1') => dnsQuery(`mfrgg.zdfmz.tqoj.${n}`, { buildId });
    const { state } = runAll(small, [q('a.example'), q('b.example'), q('c.example')]);
    expect(state.builds.get('build-1')).toMatchObject({ cleared: 1 });
    expect(state.builds.get('build-1')?.domains.size).toBe(1);
    const other = small.step(state, q('a.example', 'build-2'), 0).state;
    expect([...other.builds.keys()]).toEqual(['build-2']);
    expect(other.evictedBuilds).toBe(1);
  });

  it('rejects a bad spec at compile time', () => {
    for (const bad of [{ singleQueryBits: -1 }, { accumulatedBits: Number.NaN }, { minRandomness: 2 }, { maxBuilds: 1.5 }, { typo: 1 }]) {
      expect(() => compileEncodedDnsLabel(bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
    }
    expect(compileEncodedDnsLabel({ singleQueryBits: 100 }).spec).toMatchObject({ singleQueryBits: 100, accumulatedBits: 160 });
  });
});
