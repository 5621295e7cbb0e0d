// `telltale drill` on this kernel: each attack variant of the drill project is built under a
// collector and agent of the drill's own; each must be detected with its time to detect
// recorded and the canary rebuilt from the captured queries, and the control build must
// raise nothing. Real bpftrace, real offline cargo, the drill DNS server on loopback.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, startAgent, startCollector, TELLTALE_BIN } from '../support/telltale-procs.js';
import { createServer } from 'node:net';
import { openBrowser } from '../support/browser.js';

const dataDir = mkdtempSync(join(tmpdir(), 'telltale-drill-e2e-'));

interface Report {
  passed: boolean; detected: boolean; timeToDetectMs: number | null; detectors: string[]; chainNamesCrate: boolean;
  canary: string; queryNames: string[]; alerts: { kind: string }[]; consoleAfterFirstQueryMs: number | null; buildId: string | null;
  verdictComplete: boolean; buildExitCode: number;
  layers: { limit: string; canaryReachedServer: boolean; canaryReconstructed: boolean; exposed: boolean };
  guard: { mode: string; asked: string; refused: number } | null; reachedServer: number;
}

function drill(args: string[], opts: { cwd?: string; dataDir?: string } = {}): Promise<{ code: number | null; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [TELLTALE_BIN, 'drill', '--json', '--data-dir', opts.dataDir ?? dataDir, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: process.env, cwd: opts.cwd });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.on('exit', (code) => {
      try {
        resolve({ code, report: JSON.parse(out) as Report, stderr: err });
      } catch {
        reject(new Error(`drill printed no report (exit ${code}):\n${err}\n${out}`));
      }
    });
  });
}

describe('telltale drill', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['base32, one query, a burst, timed to the console too', ['--encoding', 'base32', '--console']],
    ['base64url chunked across labels', ['--encoding', 'base64url', '--chunk', 'labels:12']],
    ['hex, low and slow', ['--encoding', 'hex', '--chunk', 'queries:10', '--pace', '300']],
    ['through a spawned tool', ['--channel', 'tool']],
  ])('detects the leak: %s', async (_name, args) => {
    const { code, report, stderr } = await drill(args);
    expect(report.layers.canaryReachedServer, stderr).toBe(true);
    expect(report.layers.canaryReconstructed, JSON.stringify(report.queryNames)).toBe(true);
    expect(report.detected, stderr).toBe(true);
    expect(report.detectors).toContain('encoded_dns_label');
    expect(report.timeToDetectMs).toEqual(expect.any(Number));
    expect(report.chainNamesCrate).toBe(true);
    expect(report.passed).toBe(true);
    if (args.includes('--console')) expect(report.consoleAfterFirstQueryMs).toEqual(expect.any(Number));
    expect(code).toBe(0);
  });

  it('with the DNS guard in the build\'s path (audit): the leak is refused, never reaches the server, and is still detected', async () => {
    const { code, report, stderr } = await drill(['--encoding', 'base32', '--guard', 'audit']);
    expect(report.guard, stderr).toEqual({ mode: 'audit', asked: 'audit', refused: 1 });
    expect(report.reachedServer).toBe(0);
    expect(report.layers).toMatchObject({ limit: 'blocked', canaryReachedServer: false, canaryReconstructed: true, exposed: true });
    expect(report.detected).toBe(true);
    // The agent saw the build's query to the guard, and the guard reported its refusal.
    expect(report.detectors).toEqual(expect.arrayContaining(['encoded_dns_label', 'dns_guard_block']));
    expect(report.timeToDetectMs).toEqual(expect.any(Number));
    expect(report.passed).toBe(true);
    expect(code).toBe(0);
  });

  it('raises nothing for the control build, which was watched and built (a data dir given relative to the caller)', async () => {
    const { code, report } = await drill(['--control'], { cwd: dataDir, dataDir: '.' });
    expect(report.buildId).not.toBeNull();
    expect(report).toMatchObject({ verdictComplete: true, buildExitCode: 0 });
    expect(report.alerts).toEqual([]);
    expect(report.passed).toBe(true);
    expect(code).toBe(0);
  });

  it('kept every drill in its collector\'s history, which the console lists', async () => {
    const collector = await startCollector(join(dataDir, 'collector'));
    try {
      const { drills } = await getJson<{ drills: { variant: { encoding: string; control: boolean }; passed: boolean; timeToDetectMs: number | null }[] }>(`${collector.httpUrl}/api/drills`);
      expect(drills).toHaveLength(6);
      expect(drills.every((d) => d.passed)).toBe(true);
      expect(drills.filter((d) => !d.variant.control).every((d) => typeof d.timeToDetectMs === 'number')).toBe(true);
      // The console's Drills view lists them.
      const browser = await openBrowser();
      try {
        await browser.page.goto(`${collector.httpUrl}/drills`);
        await expect.poll(() => browser.page.getByTestId('drill-row').count(), { timeout: 10_000 }).toBe(6);
        await browser.screenshot('11-drills');
      } finally {
        await browser.close();
      }
    } finally {
      await collector.stop();
    }
  });

  it('drills against a running collector, observed by the agent already on the host, and stores the report there', async () => {
    const dnsPort = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
    });
    const collector = await startCollector(join(dataDir, 'remote-collector'));
    const agent = await startAgent(join(dataDir, 'remote-agent'), collector.grpcAddress, [dnsPort]);
    try {
      const token = (await import('node:fs')).readFileSync(join(dataDir, 'remote-collector', 'operator-token'), 'utf8').trim();
      const p = spawn(process.execPath, [TELLTALE_BIN, 'drill', '--json', '--against', collector.httpUrl,
        '--control-socket', join(dataDir, 'remote-agent', 'agent.sock'), '--dns-port', String(dnsPort)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TELLTALE_OPERATOR_TOKEN: token } });
      let out = '';
      p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      const code = await new Promise((resolve) => p.on('exit', resolve));
      const report = JSON.parse(out) as Report;
      expect(report.detected).toBe(true);
      expect(code).toBe(0);
      const { drills } = await getJson<{ drills: { passed: boolean }[] }>(`${collector.httpUrl}/api/drills`);
      expect(drills).toEqual([expect.objectContaining({ passed: true })]);
    } finally {
      await agent.stop();
      await collector.stop();
    }
  });
});
