// `telltale run -- CMD`: runs CMD as a tracked build. Registers with the local agent first
// (so no early event is missed), passes CMD's exit code through, prints the build's alerts.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { AlertSummary } from '@telltale/proto';
import { ciContextFromEnv, controlRequest } from '@telltale/agent-bridge/client';
import { one, UsageError, type FlagSpec, type ParsedFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { formatAlert } from './format-alert.js';

export const runFlags: readonly FlagSpec[] = [
  { name: 'pipeline', value: 'P', help: 'pipeline name (default from the CI environment, else "local")' },
  { name: 'run-id', value: 'ID', help: 'CI run id (default from the CI environment)' },
  { name: 'job', value: 'J', help: 'job name (default from the CI environment)' },
  { name: 'repo', value: 'R', help: 'repository (default from the CI environment)' },
  { name: 'commit', value: 'C', help: 'commit (default from the CI environment)' },
  { name: 'data-dir', value: 'DIR', help: 'the agent\'s data directory, to find its socket (default ./.telltale)' },
  { name: 'control', value: 'PATH', help: 'the agent\'s control socket (default DATA_DIR/agent.sock, env TELLTALE_AGENT_SOCKET)' },
  { name: 'fail-on-alert', help: 'exit 3 when the build raised an alert, 4 when no complete verdict could be had (a failing CMD keeps its own exit code)' },
  { name: 'report', value: 'FILE', help: 'write the build id, exit code and alerts as JSON to FILE' },
  { name: 'wait', value: 'MS', help: 'how long to wait for the collector\'s verdict after CMD ends (default 15000)' },
];

export async function runCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const [cmd, ...args] = flags.rest;
  if (!cmd) throw new UsageError('nothing to run: telltale run [options] -- CMD [ARG...]');
  const waitMs = Number(one(flags, 'wait') ?? '15000');
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 120_000) throw new UsageError('--wait must be 0 to 120000 milliseconds');
  const socket = one(flags, 'control') ?? io.env.TELLTALE_AGENT_SOCKET ?? join(one(flags, 'data-dir') ?? io.env.TELLTALE_DATA_DIR ?? '.telltale', 'agent.sock');
  const ci = ciContextFromEnv(io.env);
  const context = {
    pipeline: one(flags, 'pipeline') ?? ci.pipeline, runId: one(flags, 'run-id') ?? ci.runId, job: one(flags, 'job') ?? ci.job,
    repo: one(flags, 'repo') ?? ci.repo, commit: one(flags, 'commit') ?? ci.commit, ciProvider: ci.ciProvider,
  };

  let buildId: string | null = null;
  try {
    const r = await controlRequest(socket, 'POST', '/v1/builds', { rootPid: process.pid, ...context }, 5000);
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    buildId = (r.body as { buildId: string }).buildId;
    io.stderr(`telltale: tracking build ${buildId} (pipeline ${context.pipeline})\n`);
  } catch (err) {
    io.stderr(`telltale: WARNING: no telltale agent answered at ${socket} (${(err as Error).message}); the build runs UNMONITORED\n`);
  }

  const child = spawn(cmd, args, { stdio: ['inherit', 'inherit', 'inherit'], env: io.env as NodeJS.ProcessEnv, cwd: io.cwd });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      io.stderr(`telltale: cannot run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    // A command killed by a signal exits like a shell reports it: 128 + the signal's number.
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  });
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);

  let alerts: AlertSummary[] = [];
  let complete = false;
  let lostEvents = 0;
  let lingeringProcesses = 0;
  if (buildId) {
    try {
      const r = await controlRequest(socket, 'POST', `/v1/builds/${buildId}/end`, { exitCode, commandPid: child.pid ?? 0, waitMs }, waitMs + 10_000);
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      ({ alerts, complete, lostEvents, lingeringProcesses } = r.body as { alerts: AlertSummary[]; complete: boolean; lostEvents: number; lingeringProcesses: number });
      if (!complete) io.stderr('telltale: WARNING: the collector had not received every event of this build in time; alerts may be missing\n');
      if (lostEvents > 0) io.stderr(`telltale: WARNING: ${lostEvents} event(s) of this build were lost or could not be judged; coverage is incomplete\n`);
      if (lingeringProcesses > 0) io.stderr(`telltale: WARNING: ${lingeringProcesses} process(es) of this build outlived it; what they do is still reported\n`);
    } catch (err) {
      io.stderr(`telltale: WARNING: could not get this build's verdict from the agent: ${(err as Error).message}\n`);
    }
    io.stderr(alerts.length ? `telltale: ${alerts.length} alert(s) in build ${buildId}:\n${alerts.map(formatAlert).join('')}` : `telltale: no alerts in build ${buildId}\n`);
  }
  const report = one(flags, 'report');
  if (report) writeFileSync(report, JSON.stringify({ buildId, monitored: buildId !== null, complete, lostEvents, lingeringProcesses, exitCode, alerts }, null, 2));
  if (exitCode !== 0) return exitCode;
  if (!flags.booleans.has('fail-on-alert')) return 0;
  if (alerts.length > 0) return 3;
  // A gate fails closed: a build nobody watched, or whose events did not all reach the
  // collector, is not a clean build.
  if (!complete || lostEvents > 0 || lingeringProcesses > 0) {
    io.stderr('telltale: --fail-on-alert: no complete verdict for this build (unwatched, events lost, or processes still running); failing closed (exit 4)\n');
    return 4;
  }
  return 0;
}
