// `telltale analyze` over a real captured bpftrace stream of the leaking cargo build, and
// over hostile input: the expected findings sit beside the capture.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createCli } from '../main.js';

const capture = fileURLToPath(new URL('./testdata/cargo-exfil.bpftrace.jsonl', import.meta.url));
const expected = JSON.parse(readFileSync(new URL('./testdata/cargo-exfil.expected.json', import.meta.url), 'utf8')) as {
  alerts: { kind: string; qname: string; domain: string; chainExes: string[] }[];
};

async function run(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await createCli(argv, {
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: {}, cwd: process.cwd(),
    stdin: Readable.from([Buffer.from(stdin)]), signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe('telltale analyze --format bpftrace', () => {
  it('finds the leak in a captured cargo build, with the chain to build-script-build', async () => {
    const r = await run(['analyze', '--format', 'bpftrace', capture]);
    expect(r.code).toBe(0);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; qname: string; domain: string; chain: { exe: string }[] });
    expect(alerts.map((a) => ({ kind: a.kind, qname: a.qname, domain: a.domain, chainExes: a.chain.map((c) => c.exe.split('/').pop()) })))
      .toEqual(expected.alerts);
  });

  it('reads standard input and counts hostile lines instead of failing', async () => {
    const hostile = ['not json', '{"type":"printf","data":"EXEC 1 2"}', '{"type":"printf","data":"DNSB zz"}', '{"type":"nope"}', 'x'.repeat(100_000), '{}'].join('\n');
    const r = await run(['analyze', '--format', 'bpftrace', '-'], hostile);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/dropped \{.*BPFTRACE_/);
  });

  it('refuses an unknown format or a missing file with a usage error', async () => {
    expect((await run(['analyze', '--format', 'pcap', capture])).code).toBe(2);
    expect((await run(['analyze', '--format', 'bpftrace'])).code).toBe(2);
    expect((await run(['analyze', '--format', 'bpftrace', '/nonexistent/file'])).code).toBe(1);
  });
});

describe('telltale CLI', () => {
  it('prints help built from the flag table and rejects unknown flags with exit 2', async () => {
    const help = await run(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fail-on-alert');
    expect((await run(['run', '--bogus', '--', 'true'])).code).toBe(2);
    expect((await run(['nonsense'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    expect((await run(['server', '--http', 'nonsense'])).code).toBe(2);
    // Detector settings are checked before anything opens: a bad one is a usage error.
    const dir = mkdtempSync(join(tmpdir(), 'telltale-cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ encoded_dns_label: { singleQueryBits: -1 } }));
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ not_a_detector: {} }));
    writeFileSync(join(dir, 'broken.json'), '{');
    for (const f of ['bad.json', 'unknown.json', 'broken.json']) {
      const r = await run(['server', '--data-dir', join(dir, 'data'), '--http', '127.0.0.1:0', '--grpc', '127.0.0.1:0', '--detectors', join(dir, f)]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(2);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('telltale run without an agent', () => {
  it('warns that the build is unmonitored and passes the exit code through', async () => {
    const r = await run(['run', '--control', '/nonexistent/agent.sock', '--', 'sh', '-c', 'exit 7']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('UNMONITORED');
    expect((await run(['run', '--control', '/nonexistent/agent.sock', '--', '/nonexistent/cmd'])).code).toBe(127);
    // As a gate it fails closed: nobody watched this build.
    const gate = await run(['run', '--control', '/nonexistent/agent.sock', '--fail-on-alert', '--', 'true']);
    expect(gate.code).toBe(4);
    expect(gate.stderr).toContain('failing closed');
  });
});

describe('telltale analyze --format tetragon|falco', () => {
  const fixture = (source: string) => fileURLToPath(new URL(`../../../agent-bridge/src/core/${source}/testdata/exfil-build.jsonl`, import.meta.url));
  it.each(['tetragon', 'falco'])('finds the same leak in the %s capture of the same build, from a file or standard input', async (source) => {
    for (const r of [await run(['analyze', '--format', source, fixture(source)]), await run(['analyze', '--format', source, '-'], readFileSync(fixture(source), 'utf8'))]) {
      expect(r.code).toBe(0);
      const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; qname: string; domain: string; chain: { exe: string }[] });
      expect(alerts.map((a) => ({ kind: a.kind, qname: a.qname, domain: a.domain, chainExes: a.chain.map((c) => c.exe.split('/').pop()).slice(-2) })))
        .toEqual(expected.alerts);
    }
  });
});
