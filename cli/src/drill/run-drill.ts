// Runs one fire drill: a drill DNS server on loopback, a collector and agent (this machine's,
// or a remote collector with the agent already here), the drill project built under
// `telltale run` with the chosen attack variant, and the alert stream followed to measure
// the time from the first leaking query to the first alert naming it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startDnsServer, type DnsServer } from './drill-dns-server.js';
import { judgeDrill, type DrillAlert, type DrillReport, type DrillVariant } from './drill-report.js';
import { rebuildCanary } from './canary.js';

/** drill/project, from cli/{src,dist}/drill. */
export const DRILL_PROJECT = fileURLToPath(new URL('../../../drill/project', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/telltale.js', import.meta.url));

export interface DrillTarget {
  /** The collector's HTTP API (its WebSocket stream is followed). */
  httpUrl: string;
  /** The local agent's control socket (`telltale run` registers the build there). */
  controlSocket: string;
  /** A DNS port the agent watches, for the drill DNS server. */
  dnsPort: number;
  /** Sent as a bearer token when the collector's reads need one. */
  operatorToken?: string;
}

export interface DrillOptions {
  variant: DrillVariant;
  /** Where to drill; absent: a collector and agent of its own on this machine, kept in `dataDir`. */
  target?: DrillTarget;
  /** The own collector's data directory (its database keeps the drill history). */
  dataDir: string;
  /** Also time the console: a headless Chromium on the alerts page until the leak's alert shows. */
  console: boolean;
  maxTtdMs: number;
  /** How long to keep listening for alerts after the build ended. */
  settleMs: number;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  /** Put the DNS guard in the build's path (Limit): the build asks it, it forwards to the drill DNS server. */
  guard?: 'audit' | 'enforce';
}

interface OwnStack {
  target: DrillTarget;
  close(): Promise<void>;
}

/** A collector and agent of the drill's own, on loopback, in a scratch directory. */
async function startOwnStack(dir: string, dnsPort: number, env: Record<string, string | undefined>): Promise<OwnStack> {
  const { startServer, serverConfig, createLogger } = await import('@telltale/server');
  const { startAgent, agentConfig } = await import('@telltale/agent-bridge');
  const quiet = createLogger('drill', () => undefined);
  const server = await startServer(serverConfig({ dataDir: join(dir, 'collector'), http: '127.0.0.1:0', grpc: '127.0.0.1:0' }, {}), quiet);
  const operatorToken = server.operatorToken.token;
  try {
    const controlSocket = join(dir, 'agent.sock');
    const agent = await startAgent(agentConfig({
      dataDir: join(dir, 'agent'), grpc: server.grpcAddress, control: controlSocket, dnsPort: [String(dnsPort)], ciJobs: false,
    }, env), quiet);
    return {
      target: { httpUrl: server.httpUrl, controlSocket, dnsPort, operatorToken },
      async close() {
        try {
          await agent.close();
        } finally {
          await server.close();
        }
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * Follows the collector's stream and keeps every alert with the moment it first arrived. An
 * alert updated later (the guard's, moved onto the build once the agent's events land) keeps
 * that moment and takes its latest content.
 */
function followAlerts(target: DrillTarget): Promise<{ alerts: { atNs: bigint; alert: Record<string, unknown> }[]; close(): void }> {
  const url = target.httpUrl.replace(/^http/, 'ws') + '/api/stream';
  const protocols = target.operatorToken ? ['telltale.v1', `telltale-token.${target.operatorToken}`] : ['telltale.v1'];
  const ws = new WebSocket(url, protocols);
  const alerts: { atNs: bigint; alert: Record<string, unknown> }[] = [];
  ws.on('message', (data) => {
    const atNs = process.hrtime.bigint();
    try {
      const m = JSON.parse(String(data)) as { type?: string; alert?: Record<string, unknown> };
      if ((m.type === 'alert' || m.type === 'alert_updated') && m.alert) {
        const known = alerts.find((a) => a.alert['id'] === m.alert!['id']);
        if (known) known.alert = m.alert;
        else alerts.push({ atNs, alert: m.alert });
      }
    } catch {
      // Not ours to judge: the stream only ever sends JSON.
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ alerts, close: () => ws.close() }));
    ws.once('error', (err) => reject(new Error(`cannot follow ${url}: ${err.message}`)));
  });
}

function variantEnv(v: DrillVariant, canary: string, domain: string, dnsAddress: string): Record<string, string> {
  if (v.control) return { TELLTALE_DRILL_DNS: dnsAddress };
  return {
    TELLTALE_DRILL_CANARY: canary, TELLTALE_DRILL_DNS: dnsAddress, TELLTALE_DRILL_DOMAIN: domain, TELLTALE_DRILL_ENCODING: v.encoding,
    TELLTALE_DRILL_CHUNK: v.chunk, TELLTALE_DRILL_PACE_MS: String(v.paceMs), TELLTALE_DRILL_QTYPE: v.qtype, TELLTALE_DRILL_CHANNEL: v.channel,
    TELLTALE_DRILL_SPAWN: '1',
  };
}

interface DrillGuard {
  address: string;
  /** What the guard does with new names: enforce needs a ready baseline of the drill pipeline. */
  mode: 'audit' | 'enforce';
  modeReason: string | null;
  /** Leaking names the guard refused, in order, and when it refused the first. */
  refusedNames: string[];
  firstRefusalNs: bigint | null;
  close(): Promise<void>;
}

/** The DNS guard between the build and the drill DNS server, reporting to the drill's collector. */
async function startDrillGuard(mode: 'audit' | 'enforce', port: number, dns: DnsServer, target: DrillTarget, domain: string): Promise<DrillGuard> {
  const { guardConfig, startGuardDaemon, createLogger } = await import('@telltale/server');
  const refusedNames: string[] = [];
  let firstRefusalNs: bigint | null = null;
  const config = guardConfig({
    listen: [`127.0.0.1:${port}`], upstream: [dns.address], mode, pipeline: DRILL_PIPELINE, collector: target.httpUrl, name: 'drill',
  }, { TELLTALE_OPERATOR_TOKEN: target.operatorToken }, { readText: () => '', hostname: () => 'drill' });
  const running = await startGuardDaemon(config, createLogger('drill-guard', () => undefined), {
    observe: (f) => {
      if (f.verdict === 'forwarded_new' || !f.qname.toLowerCase().endsWith(`.${domain}`)) return;
      firstRefusalNs ??= process.hrtime.bigint();
      refusedNames.push(f.qname);
    },
  });
  return {
    address: `127.0.0.1:${port}`,
    mode: running.mode,
    modeReason: running.modeReason,
    refusedNames,
    get firstRefusalNs() { return firstRefusalNs; },
    close: () => running.close(),
  };
}

function earliest(a: bigint | null, b: bigint | null): bigint | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

/** A UDP port free on loopback right now (the guard binds it next, before the build starts). */
async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const DRILL_PIPELINE = 'telltale/drill';

/** Builds the drill project under `telltale run`; resolves with run's exit code and verdict. */
function buildUnderTelltale(o: DrillOptions, target: DrillTarget, scratch: string, extraEnv: Record<string, string>) {
  const home = o.env.HOME ?? '/root';
  const cargoHome = o.env.CARGO_HOME ?? join(home, '.cargo');
  const cargoBin = join(cargoHome, 'bin');
  const path = [o.env.PATH ?? '/usr/bin:/bin', ...(existsSync(cargoBin) ? [cargoBin] : [])].join(':');
  const report = join(scratch, 'run-report.json');
  const args = [BIN, 'run', '--control', target.controlSocket, '--pipeline', DRILL_PIPELINE, '--job', o.variant.control ? 'control' : 'drill',
    '--report', report, '--', 'cargo', 'build', '--offline', '--locked', '--quiet',
    // The control build: the same project without the typosquatted crate in its tree.
    ...(o.variant.control ? ['--no-default-features'] : [])];
  // Only what cargo needs and the drill's own variables: no secret of the caller's
  // environment is handed to the "malicious" build, and its HOME is a scratch directory
  // (the toolchain is found through CARGO_HOME / RUSTUP_HOME instead).
  const env: Record<string, string> = {
    PATH: path, HOME: join(scratch, 'home'), CARGO_HOME: cargoHome, RUSTUP_HOME: o.env.RUSTUP_HOME ?? join(home, '.rustup'),
    ...(o.env.RUSTUP_TOOLCHAIN ? { RUSTUP_TOOLCHAIN: o.env.RUSTUP_TOOLCHAIN } : {}), CARGO_TARGET_DIR: join(scratch, 'target'), ...extraEnv,
  };
  return new Promise<{ exitCode: number; verdict: { complete: boolean; buildId: string | null } | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: DRILL_PROJECT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('exit', (code) => {
      let verdict: { complete: boolean; buildId: string | null } | null = null;
      try {
        verdict = JSON.parse(readFileSync(report, 'utf8')) as { complete: boolean; buildId: string | null };
      } catch {
        verdict = null;
      }
      resolve({ exitCode: code ?? 1, verdict, output });
    });
  });
}

/**
 * Headless Chromium (Debian's, through playwright-core when installed) on the console's alert
 * list, noting when a row naming the drill domain appears. Resolves the moment, or null.
 */
async function watchConsole(target: DrillTarget, domain: string, log: (line: string) => void) {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    log('telltale drill: --console needs playwright-core (npm install) and chromium; console time not measured');
    return null;
  }
  const collectorHost = new URL(target.httpUrl).hostname;
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  let page;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      // Nothing but the collector is resolved: Chromium asks the machine's resolver for Google
      // hosts otherwise, even with background networking off.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ${collectorHost}`],
    });
  } catch (err) {
    log(`telltale drill: --console: cannot start chromium (${(err as Error).message.split('\n')[0]}); console time not measured`);
    return null;
  }
  try {
    page = await browser.newPage();
    const token = target.operatorToken ? `#token=${target.operatorToken}` : '';
    await page.goto(`${target.httpUrl}/alerts${token}`);
  } catch (err) {
    log(`telltale drill: --console: cannot open the console (${(err as Error).message.split('\n')[0]}); console time not measured`);
    await browser.close();
    return null;
  }
  let shown: bigint | null = null;
  const seen = page.locator('[data-testid="alert-row"]', { hasText: domain }).first().waitFor({ timeout: 120_000 })
    .then(() => { shown = process.hrtime.bigint(); }, () => undefined);
  return {
    async shownAt(graceMs: number): Promise<bigint | null> {
      await Promise.race([seen, new Promise((r) => setTimeout(r, graceMs))]);
      return shown;
    },
    close: () => browser.close(),
  };
}

/** What the collector keeps of a report: no canary, no query names, no process chains. */
function drillRecord(r: DrillReport) {
  return {
    drillId: r.drillId, startedAt: r.startedAt, variant: r.variant, passed: r.passed, detected: r.detected, timeToDetectMs: r.timeToDetectMs,
    maxTtdMs: r.maxTtdMs, detectors: r.detectors, chainNamesCrate: r.chainNamesCrate, layers: r.layers, queries: r.queryNames.length, guard: r.guard,
    buildExitCode: r.buildExitCode,
  };
}

/** Hands the report to the collector, which keeps the drill history the console shows. */
async function storeReport(target: DrillTarget, report: DrillReport, log: (line: string) => void): Promise<void> {
  if (!target.operatorToken) {
    log('telltale drill: report not stored (set TELLTALE_OPERATOR_TOKEN to the collector\'s operator token)');
    return;
  }
  try {
    const res = await fetch(`${target.httpUrl}/api/drills`, {
      method: 'POST', body: JSON.stringify(drillRecord(report)),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.operatorToken}` },
    });
    if (res.status !== 201) log(`telltale drill: the collector did not store the report (${res.status}: ${await res.text()})`);
  } catch (err) {
    log(`telltale drill: could not store the report: ${(err as Error).message}`);
  }
}

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const drillId = randomBytes(4).toString('hex');
  // Shaped like the secret the textbook attack steals (an AWS secret access key: 40 characters
  // of a base64 alphabet), so the drill leaks what a real leak would carry, no more, no less.
  const canary = `TTDRILL${randomBytes(25).toString('base64url').slice(0, 33)}`;
  // The drill domain is a registrable name of its own under the reserved .test suffix.
  const domain = `drill-${drillId}.test`;
  // With a guard, the guard takes the port the agent watches and the drill DNS server is its upstream.
  const dns = await startDnsServer({ host: '127.0.0.1', port: o.guard ? 0 : o.target?.dnsPort ?? 0 });
  const scratch = mkdtempSync(join(tmpdir(), 'telltale-drill-'));
  let own: OwnStack | null = null;
  let stream: Awaited<ReturnType<typeof followAlerts>> | null = null;
  let watcher: Awaited<ReturnType<typeof watchConsole>> = null;
  let guard: DrillGuard | null = null;
  try {
    const watchedPort = o.guard ? o.target?.dnsPort ?? await freeUdpPort() : dns.port;
    if (!o.target) {
      o.log('telltale drill: starting a collector and an agent of its own on loopback');
      own = await startOwnStack(o.dataDir, watchedPort, o.env);
    }
    const target = o.target ?? own!.target;
    if (o.guard) {
      o.log(`telltale drill: the DNS guard (${o.guard}) on 127.0.0.1:${watchedPort}, forwarding to the drill DNS server`);
      guard = await startDrillGuard(o.guard, watchedPort, dns, target, domain);
      if (guard.modeReason !== null) o.log(`telltale drill: the guard is not enforcing: ${guard.modeReason}`);
    }
    const buildDns = guard?.address ?? dns.address;
    stream = await followAlerts(target);
    watcher = o.console ? await watchConsole(target, domain, o.log) : null;
    const startedAt = new Date().toISOString();
    o.log(`telltale drill: building drill/project (canary ${canary}, domain ${domain})`);
    const build = await buildUnderTelltale(o, target, scratch, variantEnv(o.variant, canary, domain, buildDns));
    if (build.exitCode !== 0 && build.exitCode !== 3) o.log(`telltale drill: the drill build exited ${build.exitCode}:\n${build.output.slice(-2000)}`);
    // Late alerts still count while they can be within the bound: wait for the first one
    // naming the leak, or until the bound has passed since the first leaking query.
    const buildId = build.verdict?.buildId ?? null;
    const namesLeak = (a: Record<string, unknown>) => a['buildId'] === buildId && (a['domain'] === domain || String(a['qname'] ?? '').endsWith(`.${domain}`));
    // The leak starts when its first query reaches the guard (when there is one) or the drill DNS server.
    const firstQuery = () => earliest(guard?.firstRefusalNs ?? null, dns.queries.find((q) => q.name.toLowerCase().endsWith(`.${domain}`))?.receivedAtNs ?? null);
    const settleUntil = Date.now() + o.settleMs;
    for (;;) {
      const first = firstQuery();
      const boundPassed = first !== null && Number(process.hrtime.bigint() - first) / 1e6 > o.maxTtdMs;
      if (stream.alerts.some(({ alert }) => namesLeak(alert)) || boundPassed || (first === null && Date.now() > settleUntil)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, Math.min(o.settleMs, 500)));
    // The guard's own alert reaches the drill build once the agent's events have landed.
    const guardAlertOnBuild = () => stream!.alerts.some(({ alert }) => alert['kind'] === 'dns_guard_block' && namesLeak(alert));
    for (const until = Date.now() + 3000; guard !== null && guard.refusedNames.length > 0 && !guardAlertOnBuild() && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const consoleAtNs = watcher ? await watcher.shownAt(5000) : null;
    const leaking = dns.queries.filter((q) => q.name.toLowerCase().endsWith(`.${domain}`));
    const firstNs = firstQuery();
    // Only the drill build's alerts: a shared collector streams every build's.
    const alerts: DrillAlert[] = stream.alerts.filter(({ alert }) => buildId !== null && alert['buildId'] === buildId).map(({ atNs, alert }) => ({
      kind: String(alert['kind']), qname: (alert['qname'] as string | null) ?? null, domain: (alert['domain'] as string | null) ?? null,
      chainExes: Array.isArray(alert['chain']) ? (alert['chain'] as { exe?: unknown }[]).map((p) => String(p.exe ?? '')) : [],
      afterFirstQueryMs: firstNs === null ? null : Number(atNs - firstNs) / 1e6,
    }));
    // What the build sent: the names the guard refused and those that reached the server.
    const names = [...(guard?.refusedNames ?? []), ...leaking.map((q) => q.name)];
    const report = judgeDrill({
      drillId, variant: o.variant, domain, canary, startedAt, queryNames: names,
      guard: o.guard ? { mode: guard?.mode ?? o.guard, asked: o.guard, refused: guard?.refusedNames.length ?? 0 } : null, reachedServer: leaking.length,
      consoleAfterFirstQueryMs: consoleAtNs !== null && firstNs !== null ? Number(consoleAtNs - firstNs) / 1e6 : null,
      rebuiltCanary: o.variant.control ? null : rebuildCanary(names, domain, o.variant.encoding).canary,
      alerts, buildExitCode: build.exitCode, verdictComplete: build.verdict?.complete ?? false, maxTtdMs: o.maxTtdMs,
      buildId,
    });
    await storeReport(target, report, o.log);
    return report;
  } finally {
    // Everything is closed whatever failed: a drill on a schedule must not leave processes behind.
    stream?.close();
    await watcher?.close().catch(() => undefined);
    await guard?.close().catch(() => undefined);
    await own?.close().catch((err: Error) => o.log(`telltale drill: stopping its collector and agent: ${err.message}`));
    await dns.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
