// Proves the cargo-exfil fixture and the support helpers work on their own,
// without telltale: the leaky build sends exactly one DNS query to our loopback
// server carrying the (fake) secret, the benign build sends nothing, and the
// benign-DNS build sends the eight ordinary queries a real build makes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, decodeLabelsUnder } from './base32.js';
import { BENIGN_NAMES, buildScriptRunDirs, buildScriptStderr, CARGO_EXFIL_WORKSPACE, cargoBuild } from './cargo.js';
import { QTYPE, startDnsServer, type DnsServer } from './dns-server.js';

// AWS's own documentation example secret key — not a real credential.
const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SUFFIX = 'exfil-drill.test';

describe('cargo-exfil fixture (no telltale)', () => {
  let dns: DnsServer;
  const tempDirs: string[] = [];
  const freshTargetDir = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'telltale-cargo-target-'));
    tempDirs.push(d);
    return d;
  };

  beforeAll(async () => {
    dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
  });
  afterEach(() => dns.reset());
  afterAll(async () => {
    await dns?.close();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });

  it('leaks the fake AWS secret as one base32 DNS query when TELLTALE_FIXTURE_LEAK=1', async () => {
    const targetDir = freshTargetDir();
    const res = await cargoBuild({
      workspace: CARGO_EXFIL_WORKSPACE,
      targetDir,
      env: { TELLTALE_FIXTURE_LEAK: '1', TELLTALE_FIXTURE_DNS: dns.address, AWS_SECRET_ACCESS_KEY: FAKE_SECRET },
    });
    expect(res.code, res.stderr).toBe(0);

    // The build script sends before it exits, and cargo exits after it; give
    // the event loop a moment in case the datagram is still queued.
    await new Promise((r) => setTimeout(r, 200));
    expect(dns.garbage).toBe(0);
    expect(dns.queries).toHaveLength(1);
    const q = dns.queries[0]!;
    expect(q.type).toBe(QTYPE.A);
    expect(q.qclass).toBe(1);
    expect(q.rd).toBe(true);
    expect(q.from.address).toBe('127.0.0.1');
    expect(q.name.endsWith('.' + SUFFIX)).toBe(true);
    for (const l of q.labels) expect(l.length).toBeLessThanOrEqual(63);

    const encoded = base32Encode(FAKE_SECRET);
    expect(q.name).toBe(`${encoded.slice(0, 63)}.${encoded.slice(63)}.${SUFFIX}`);
    expect(decodeLabelsUnder(q.name, SUFFIX)?.toString('utf8')).toBe(FAKE_SECRET);
    expect(q.receivedAtNs).toBeTypeOf('bigint');

    // The server answered and the build script saw the answer.
    expect(dns.replies).toBe(1);
    expect(buildScriptStderr(targetDir, 'url-parsr')).toContain('got a reply');
  });

  it('sends nothing without TELLTALE_FIXTURE_LEAK, even with the secret and DNS address set', async () => {
    const targetDir = freshTargetDir();
    const res = await cargoBuild({
      workspace: CARGO_EXFIL_WORKSPACE,
      targetDir,
      env: { TELLTALE_FIXTURE_DNS: dns.address, AWS_SECRET_ACCESS_KEY: FAKE_SECRET },
    });
    expect(res.code, res.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(dns.queries).toHaveLength(0);
    expect(dns.garbage).toBe(0);
    // The build script did run (fresh target dir) and did its benign work.
    const runs = buildScriptRunDirs(targetDir, 'url-parsr');
    expect(runs).toHaveLength(1);
    expect(existsSync(path.join(runs[0]!, 'out', 'version.rs'))).toBe(true);
  });

  it('spawns sh | base64 when TELLTALE_FIXTURE_SPAWN=1 (and still sends nothing)', async () => {
    const targetDir = freshTargetDir();
    const res = await cargoBuild({
      workspace: CARGO_EXFIL_WORKSPACE,
      targetDir,
      env: { TELLTALE_FIXTURE_SPAWN: '1', TELLTALE_FIXTURE_DNS: dns.address },
    });
    expect(res.code, res.stderr).toBe(0);
    const runs = buildScriptRunDirs(targetDir, 'url-parsr');
    expect(runs).toHaveLength(1);
    const spawned = readFileSync(path.join(runs[0]!, 'out', 'spawn.txt'), 'utf8').trim();
    expect(Buffer.from(spawned, 'base64').toString('utf8')).toBe('telltale-fixture-spawn\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(dns.queries).toHaveLength(0);
  });

  it('sends eight ordinary A queries, one at a time, when TELLTALE_FIXTURE_BENIGN_DNS=1 (and leaks nothing)', async () => {
    const targetDir = freshTargetDir();
    const repliesBefore = dns.replies; // reset() keeps this count
    const res = await cargoBuild({
      workspace: CARGO_EXFIL_WORKSPACE,
      targetDir,
      env: { TELLTALE_FIXTURE_BENIGN_DNS: '1', TELLTALE_FIXTURE_DNS: dns.address, AWS_SECRET_ACCESS_KEY: FAKE_SECRET },
    });
    expect(res.code, res.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(dns.garbage).toBe(0);
    expect(dns.queries.map((q) => q.name)).toEqual(BENIGN_NAMES);
    for (const q of dns.queries) {
      expect(q).toMatchObject({ type: QTYPE.A, qclass: 1, rd: true, from: { address: '127.0.0.1' } });
      expect(q.flags & 0x8000).toBe(0); // a query, not a response
      expect(q.raw.readUInt16BE(4)).toBe(1); // QDCOUNT
      expect(q.raw.readUInt16BE(6) + q.raw.readUInt16BE(8) + q.raw.readUInt16BE(10)).toBe(0);
    }
    // Each waited for its answer: one reply per query, each seen by the build script.
    expect(dns.replies - repliesBefore).toBe(BENIGN_NAMES.length);
    expect(new Set(dns.queries.map((q) => q.id)).size).toBeGreaterThan(1);
    const stderr = buildScriptStderr(targetDir, 'url-parsr');
    for (const name of BENIGN_NAMES) expect(stderr).toContain(`resolved ${name} via ${dns.address}; got a reply`);
  });

  it('sends the benign queries before the leak when both modes are on, and nothing without TELLTALE_FIXTURE_DNS', async () => {
    const both = await cargoBuild({
      workspace: CARGO_EXFIL_WORKSPACE,
      targetDir: freshTargetDir(),
      env: { TELLTALE_FIXTURE_BENIGN_DNS: '1', TELLTALE_FIXTURE_LEAK: '1', TELLTALE_FIXTURE_DNS: dns.address, AWS_SECRET_ACCESS_KEY: FAKE_SECRET },
    });
    expect(both.code, both.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(dns.queries.map((q) => q.name).slice(0, -1)).toEqual(BENIGN_NAMES);
    expect(decodeLabelsUnder(dns.queries.at(-1)!.name, SUFFIX)?.toString('utf8')).toBe(FAKE_SECRET);

    dns.reset();
    const targetDir = freshTargetDir();
    const res = await cargoBuild({ workspace: CARGO_EXFIL_WORKSPACE, targetDir, env: { TELLTALE_FIXTURE_BENIGN_DNS: '1' } });
    expect(res.code, res.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(dns.queries).toHaveLength(0);
    expect(buildScriptStderr(targetDir, 'url-parsr')).toContain('TELLTALE_FIXTURE_DNS unset');
  });

  it('base32 round-trips (RFC 4648 vectors, lowercase, unpadded)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi'],
    ];
    for (const [plain, enc] of vectors) {
      expect(base32Encode(plain)).toBe(enc);
      expect(base32Decode(enc).toString('utf8')).toBe(plain);
      expect(base32Decode(enc.toUpperCase() + '='.repeat((8 - (enc.length % 8)) % 8)).toString('utf8')).toBe(plain);
    }
    expect(() => base32Decode('m')).toThrow();
    expect(() => base32Decode('mz1q')).toThrow();
    expect(() => base32Decode('mz')).toThrow(); // non-zero trailing bits
    expect(decodeLabelsUnder('mzxw6.ytboi.exfil-drill.test.', SUFFIX)?.toString()).toBe('foobar');
    expect(decodeLabelsUnder('mzxw6.other.test', SUFFIX)).toBeNull();
  });
});
