// The agent killed with SIGKILL in the middle of a stream, while its source file is rotated:
// after a restart every event reaches the collector exactly once. The source is a Tetragon
// JSON export the test writes (no kernel tracing needed), the agent and collector are the
// real processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, startCollector, startDaemon, type Daemon } from '../support/telltale-procs.js';

/** Tetragon export lines for one short process (exec then exit) whose parent is pid 1. */
function processLines(i: number): string {
  const pid = 3_000_000 + i;
  const t = new Date(Date.UTC(2026, 10, 23, 3, 0, 0) + i).toISOString().replace('Z', '123456Z');
  const execId = Buffer.from(`node-1:${1000 + i}:${pid}`).toString('base64');
  const proc = `"exec_id":"${execId}","pid":${pid},"uid":1000,"cwd":"/src","binary":"/usr/bin/true","arguments":"step ${i}","flags":"execve clone","start_time":"${t}","parent_exec_id":"${Buffer.from('node-1:1:1').toString('base64')}"`;
  const parent = `"parent":{"exec_id":"${Buffer.from('node-1:1:1').toString('base64')}","pid":1,"binary":"/sbin/init"}`;
  return `{"process_exec":{"process":{${proc}},${parent}},"node_name":"node-1","time":"${t}"}\n`
    + `{"process_exit":{"process":{${proc}},${parent},"time":"${t}"},"node_name":"node-1","time":"${t}"}\n`;
}
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => processLines(from + k)).join('');

describe('agent crash and source rotation', () => {
  let dir: string;
  let collector: Daemon & { httpUrl: string; grpcAddress: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-agent-crash-'));
    collector = await startCollector(join(dir, 'collector'));
  });
  const agents: Daemon[] = [];
  afterAll(async () => {
    // A failed expectation must not leave an agent running.
    for (const a of agents) await a.stop('SIGKILL');
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const startAgent = () => startDaemon(['agent', '--data-dir', join(dir, 'agent'), '--grpc', collector.grpcAddress, '--watch-host', '--no-ci-jobs',
    '--source', 'tetragon', '--tetragon-export', join(dir, 'tetragon.log')], /telltale agent ready/, 30_000).then((a) => { agents.push(a); return a; });
  const hostBuild = async () => (await getJson<{ builds: { id: string; counts: { processes: number } }[] }>(`${collector.httpUrl}/api/builds`)).builds[0];

  it('stores every process exactly once after kill -9s mid-stream and a rotation while the agent was down', async () => {
    const N1 = 15_000;
    const N2 = 4_000;
    const N3 = 4_000;
    writeFileSync(join(dir, 'tetragon.log'), lines(0, N1));
    // Killed three times, each as soon as the collector has more of the stream: the agent is
    // mid-read and mid-batch.
    let atKill = 0;
    for (let kill = 0; kill < 3; kill++) {
      const agent = await startAgent();
      const before = atKill;
      await expect.poll(async () => (await hostBuild())?.counts.processes ?? 0, { timeout: 20_000, interval: 10 }).toBeGreaterThan(before + 50);
      await agent.stop('SIGKILL');
      atKill = (await hostBuild())!.counts.processes;
    }
    // While it is down, more lines land in the old file, which is then rotated away (lumberjack style).
    appendFileSync(join(dir, 'tetragon.log'), lines(N1, N1 + N2));
    renameSync(join(dir, 'tetragon.log'), join(dir, 'tetragon-2026-11-23T03-00-00.000.log'));
    writeFileSync(join(dir, 'tetragon.log'), lines(N1 + N2, N1 + N2 + N3));
    const agent = await startAgent();
    const expected = N1 + N2 + N3;
    await expect.poll(async () => (await hostBuild())!.counts.processes, { timeout: 60_000, interval: 200 }).toBe(expected);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await hostBuild())!.counts.processes, `killed at ${atKill}`).toBe(expected);
    await agent.stop();
    expect(atKill).toBeLessThan(N1);
  });
});
