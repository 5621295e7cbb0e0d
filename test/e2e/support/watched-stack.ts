// The stack most e2e scenarios watch a build with: a DNS server of the test's own on loopback,
// a collector and a bpftrace agent (as real processes) watching that server's port, the
// collector's live stream followed; and the cargo-exfil workspace built offline under
// `telltale run` against it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.js';
import { CARGO_EXFIL_WORKSPACE, findCargo, minimalEnv } from './cargo.js';
import { runTracked, startAgent, startCollector, type Daemon } from './telltale-procs.js';

export interface StreamedMessage {
  type: string;
  alert?: Record<string, unknown> & { id?: string };
  /** Date.now() when it arrived. */
  at: number;
}

export interface WatchedStack {
  dir: string;
  dns: DnsServer;
  collector: Daemon & { httpUrl: string; grpcAddress: string };
  agent: Daemon;
  /** Every message of the collector's stream, in order. */
  streamed: StreamedMessage[];
  close(): Promise<void>;
}

export async function startWatchedStack(opts: { prefix: string; answer?: DnsServerOptions['answer']; collectorArgs?: string[] }): Promise<WatchedStack> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const dns = await startDnsServer({ host: '127.0.0.1', port: 0, ...(opts.answer ? { answer: opts.answer } : {}) });
  const collector = await startCollector(join(dir, 'collector'), opts.collectorArgs ?? []);
  const agent = await startAgent(join(dir, 'agent'), collector.grpcAddress, [dns.port]);
  const streamed: StreamedMessage[] = [];
  const ws = new WebSocket(collector.httpUrl.replace('http', 'ws') + '/api/stream');
  ws.on('message', (data) => streamed.push({ ...(JSON.parse(String(data)) as Omit<StreamedMessage, 'at'>), at: Date.now() }));
  await new Promise((resolve) => ws.once('open', resolve));
  return {
    dir, dns, collector, agent, streamed,
    async close() {
      ws.close();
      await agent.stop();
      await collector.stop();
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CargoBuildRun {
  code: number | null;
  output: string;
  report: { buildId: string; alerts: { kind: string; domain: string | null }[]; complete: boolean };
}

/**
 * Builds the cargo-exfil workspace offline under `telltale run` (a fresh target directory, so
 * build scripts run), its fixture DNS pointed at the stack's server; `env` adds the fixture's
 * switches. Exit codes are `telltale run`'s (3: an alert under --fail-on-alert).
 */
export async function cargoExfilBuild(stack: WatchedStack, opts: {
  pipeline: string; env?: Record<string, string>; runId?: string; failOnAlert?: boolean; cargoArgs?: string[];
}): Promise<CargoBuildRun> {
  const cargo = findCargo();
  if (!cargo) throw new Error('cargo is required for this test');
  const env = {
    ...minimalEnv(), CARGO_TARGET_DIR: mkdtempSync(join(stack.dir, 'target-')), TELLTALE_FIXTURE_DNS: `127.0.0.1:${stack.dns.port}`, ...opts.env,
  };
  const report = join(stack.dir, `${opts.pipeline.replace(/\W/g, '_')}-${opts.runId ?? '1'}.json`);
  const r = await runTracked(['--data-dir', join(stack.dir, 'agent'), '--pipeline', opts.pipeline, '--run-id', opts.runId ?? '1', '--report', report,
    ...(opts.failOnAlert === false ? [] : ['--fail-on-alert']), '--',
    cargo, 'build', '--offline', '--locked', '--quiet', '--manifest-path', join(CARGO_EXFIL_WORKSPACE, 'Cargo.toml'), ...(opts.cargoArgs ?? [])], env,
  // Run from the workspace, as CI does: the agent reports its Cargo.lock.
  CARGO_EXFIL_WORKSPACE);
  return { ...r, report: JSON.parse(readFileSync(report, 'utf8')) as CargoBuildRun['report'] };
}
