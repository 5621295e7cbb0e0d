// A CI job in a Kubernetes runner pod, seen through Tetragon: the agent (reading Tetragon's
// JSON export) finds the job from its real executor process (a stand-in Runner.Worker) and
// names the build with the job's CI variables and with the pod and container Tetragon reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dnsPacket } from '../../../server/src/core/test-events.js';
import { getJson, startCollector, startDaemon, type Daemon } from '../support/telltale-procs.js';

const LEAK = 'mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpi2dk.nrxw4zlbmjrwmzjq.exfil-drill.test';
const POD = { namespace: 'ci-runners', name: 'arc-runner-7x2kq', container: { id: 'containerd://0f3a', name: 'runner' } };
const execId = (pid: number) => Buffer.from(`node-1:${pid}`).toString('base64');
const t = () => new Date().toISOString().replace('Z', '000000Z');
const proc = (pid: number, binary: string, args: string, extra: object = {}) =>
  ({ exec_id: execId(pid), pid, uid: 1001, cwd: '/home/runner/_work', binary, arguments: args, flags: 'execve clone', start_time: t(), pod: POD, ...extra });

describe('a CI job in a Kubernetes pod, through Tetragon', () => {
  let dir: string;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  let agent: Daemon;
  let worker: ChildProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-tetragon-pod-'));
    collector = await startCollector(join(dir, 'collector'));
    writeFileSync(join(dir, 'tetragon.log'), '');
    agent = await startDaemon(['agent', '--data-dir', join(dir, 'agent'), '--grpc', collector.grpcAddress,
      '--source', 'tetragon', '--tetragon-export', join(dir, 'tetragon.log')], /telltale agent ready/, 30_000);
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await agent?.stop();
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the build from the job\'s variables and Tetragon\'s pod fields, and alerts on its leak', async () => {
    // The executor is real (the agent reads its image and its step's environment in /proc).
    const runner = join(dir, 'Runner.Worker');
    copyFileSync('/bin/bash', runner);
    worker = spawn(runner, ['-c', 'sleep 30; true'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/payments', GITHUB_RUN_ID: '77',
        GITHUB_JOB: 'build', GITHUB_SHA: 'feedbeef', GITHUB_WORKFLOW_REF: 'acme/payments/.github/workflows/ci.yml@refs/heads/main', GITHUB_TOKEN: 'ghs_secret' },
    });
    const workerPid = worker.pid!;
    let stepPid = 0;
    await expect.poll(() => {
      stepPid = Number(readFileSync(`/proc/${workerPid}/task/${workerPid}/children`, 'utf8').trim().split(' ')[0] || 0);
      return stepPid;
    }).toBeGreaterThan(0);
    // What Tetragon would export: the step's exec (with its parent, the executor), its DNS
    // query (the payload of a sendto to 127.0.0.53:53), and the executor's exit.
    const packet = Buffer.from(dnsPacket(LEAK)).toString('base64');
    const lines = [
      { process_exec: { process: proc(stepPid, '/usr/bin/sleep', '30', { parent_exec_id: execId(workerPid) }), parent: proc(workerPid, runner, '-c "sleep 30; true"') } },
      { process_kprobe: { process: proc(stepPid, '/usr/bin/sleep', '30', { parent_exec_id: execId(workerPid) }), function_name: 'security_socket_sendmsg', policy_name: 'telltale-dns-payload',
        args: [{ sock_arg: { family: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP', saddr: '10.1.2.3', daddr: '0.0.0.0' } },
          { bytes_arg: packet }, { sockaddr_arg: { family: 'AF_INET', addr: '127.0.0.53', port: 53 } }] } },
    ];
    appendFileSync(join(dir, 'tetragon.log'), lines.map((l) => JSON.stringify({ ...l, node_name: 'node-1', time: t() })).join('\n') + '\n');
    const pipeline = 'acme/payments:.github/workflows/ci.yml';
    const builds = async () => (await getJson<{ builds: { id: string; runId: string; state: string; k8s: unknown }[] }>(`${collector.httpUrl}/api/builds?pipeline=${encodeURIComponent(pipeline)}`)).builds;
    await expect.poll(async () => (await builds()).length, { timeout: 15_000 }).toBe(1);
    const [build] = await builds();
    expect(build).toMatchObject({ runId: '77', state: 'running', k8s: { namespace: 'ci-runners', pod: 'arc-runner-7x2kq', container: 'runner' } });
    await expect.poll(async () => (await getJson<{ alerts: { kind: string; qname: string }[] }>(`${collector.httpUrl}/api/alerts?buildId=${build!.id}`)).alerts
      .map((a) => [a.kind, a.qname]), { timeout: 10_000 }).toContainEqual(['encoded_dns_label', LEAK]);
    // The executor's exit, as Tetragon reports it, ends the job's build.
    appendFileSync(join(dir, 'tetragon.log'), JSON.stringify({ process_exit: { process: proc(workerPid, runner, '-c "sleep 30; true"'), status: 0 }, node_name: 'node-1', time: t() }) + '\n');
    await expect.poll(async () => (await builds())[0]!.state, { timeout: 10_000 }).toBe('succeeded');
    expect(JSON.stringify(await getJson(`${collector.httpUrl}/api/builds/${build!.id}`))).not.toContain('ghs_secret');
  });
});
