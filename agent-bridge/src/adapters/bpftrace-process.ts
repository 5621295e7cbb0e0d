// Runs bpftrace with the shipped telltale.bt and hands its stdout, line by line, to the
// record parser. Reports readiness once every probe is attached (the script's READY canary),
// and a start that fails (not root, no tracefs, bad script) as a typed error in bpftrace's words.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseBpftraceLine, type BpftraceRecord } from '../core/bpftrace-record.js';
import { countDrop, type Drops } from '../core/drops.js';
import { AgentError } from '../core/errors.js';
import { LineSplitter } from '../core/line-splitter.js';

export interface BpftraceProcessOptions {
  scriptPath: string;
  /** DNS ports besides 53 (at most 4; 53 itself is always watched and may be listed). */
  dnsPorts?: readonly number[];
  bpftracePath?: string;
  tracefsPath?: string;
  maxLineBytes?: number;
  /** BPFTRACE_PERF_RB_PAGES: a bigger ring loses fewer events in a burst. */
  perfPagesPerCpu?: number;
  /** BPFTRACE_MAP_KEYS_MAX: every map of the script gets this many slots. */
  mapKeysMax?: number;
  attachTimeoutMs?: number;
  onRecord: (record: BpftraceRecord) => void;
  onReject?: (error: AgentError, line: string) => void;
  onStderr?: (line: string) => void;
}

export interface BpftraceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last stderr lines, the harmless RLIMIT_MEMLOCK complaint left out. */
  stderr: string[];
}

export interface BpftraceProcess {
  /** Resolves with the number of probes once all are live; rejects with an AgentError. */
  readonly ready: Promise<number>;
  readonly exited: Promise<BpftraceExit>;
  /** line_too_long and line_rejected counts. */
  readonly drops: Drops;
  stop(): Promise<BpftraceExit>;
}

// The kernel charges BPF memory to the cgroup, so the failed rlimit raise does not matter.
const HARMLESS_STDERR = /couldn't set RLIMIT_MEMLOCK/;
const NOT_ROOT = /only supports running as the root user/;
const STDERR_KEEP = 50;
/** The script's last probe prints READY for kill(CANARY_PID, 0); no process has this pid. */
const CANARY_PID = 0x7ffffff0;
const CANARY_EVERY_MS = 50;

export async function startBpftrace(opts: BpftraceProcessOptions): Promise<BpftraceProcess> {
  const ports = [...new Set(opts.dnsPorts ?? [])].filter((p) => p !== 53);
  if (ports.length > 4 || !ports.every((p) => Number.isInteger(p) && p > 0 && p <= 65535)) {
    throw new AgentError('BPFTRACE_BAD_OPTIONS', `dnsPorts must be at most 4 ports in 1..65535, got ${ports.join(',')}`);
  }
  await ensureTracefs(opts.tracefsPath ?? '/sys/kernel/tracing');
  const args = ['--no-warnings', '-f', 'json', opts.scriptPath, ...[0, 1, 2, 3].map((i) => String(ports[i] ?? 0))];
  const child = spawn(opts.bpftracePath ?? 'bpftrace', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BPFTRACE_STRLEN: '200',
      BPFTRACE_MAP_KEYS_MAX: String(opts.mapKeysMax ?? 65_536),
      BPFTRACE_PERF_RB_PAGES: String(opts.perfPagesPerCpu ?? 256),
    },
  });

  const drops: Drops = new Map();
  const stderr: string[] = [];
  let resolveReady: (probes: number) => void = () => {};
  let rejectReady: (e: AgentError) => void = () => {};
  const ready = new Promise<number>((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => {}); // the caller may never await it; a failed start shows in `exited` too
  let attached = false;
  let probes = 0;
  let canary: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    clearInterval(canary);
    rejectReady(new AgentError('BPFTRACE_ATTACH_TIMEOUT', `probes not live after ${opts.attachTimeoutMs ?? 60_000} ms`));
    child.kill('SIGKILL');
  }, opts.attachTimeoutMs ?? 60_000);

  const onLine = (line: string): void => {
    const result = parseBpftraceLine(line);
    if (!result.ok) {
      countDrop(drops, 'line_rejected');
      opts.onReject?.(result.error, line);
      return;
    }
    const r = result.record;
    if (r.type === 'attached' && canary === undefined && !attached) {
      // Printed before attaching: poke the canary until the last probe answers.
      probes = r.probes;
      canary = setInterval(pokeCanary, CANARY_EVERY_MS);
    } else if (r.type === 'ready' && r.pid === process.pid && !attached) {
      attached = true;
      clearInterval(canary);
      clearTimeout(timer);
      resolveReady(probes);
    }
    opts.onRecord(r);
  };
  const splitter = new LineSplitter(opts.maxLineBytes ?? 16_384);
  child.stdout.on('data', (chunk: Buffer) => {
    const before = splitter.oversized;
    for (const line of splitter.push(chunk)) onLine(line);
    if (splitter.oversized > before) countDrop(drops, 'line_too_long', splitter.oversized - before);
  });
  child.stdout.on('end', () => { for (const line of splitter.end()) onLine(line); });

  const errSplitter = new LineSplitter(64 * 1024);
  const onErrLine = (line: string): void => {
    if (HARMLESS_STDERR.test(line)) return;
    stderr.push(line);
    if (stderr.length > STDERR_KEEP) stderr.shift();
    opts.onStderr?.(line);
  };
  child.stderr.on('data', (chunk: Buffer) => { for (const line of errSplitter.push(chunk)) onErrLine(line); });
  child.stderr.on('end', () => { for (const line of errSplitter.end()) onErrLine(line); });

  const exited = new Promise<BpftraceExit>((resolve) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      clearInterval(canary);
      rejectReady(new AgentError('BPFTRACE_SPAWN_FAILED', `cannot run bpftrace: ${err.message}`));
      resolve({ code: null, signal: null, stderr: [...stderr, err.message] });
    });
    // 'close' waits for stdout and stderr to drain, so no line is lost.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(canary);
      if (!attached) rejectReady(earlyExitError(code, signal, stderr));
      resolve({ code, signal, stderr: [...stderr] });
    });
  });

  let stopping: Promise<BpftraceExit> | null = null;
  const stop = (): Promise<BpftraceExit> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT lets the END block run (it clears the maps JSON mode would print).
        child.kill('SIGINT');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        const result = await exited;
        clearTimeout(kill);
        return result;
      }
      return exited;
    })();
    return stopping;
  };

  return { ready, exited, drops, stop };
}

function pokeCanary(): void {
  try {
    process.kill(CANARY_PID, 0);
  } catch {
    // ESRCH, as intended: only the syscall matters.
  }
}

function earlyExitError(code: number | null, signal: NodeJS.Signals | null, stderr: string[]): AgentError {
  const said = stderr.filter((l) => l.trim() !== '').slice(-5).join(' | ');
  const how = signal !== null ? `signal ${signal}` : `code ${code}`;
  if (NOT_ROOT.test(said)) return new AgentError('BPFTRACE_NOT_ROOT', `bpftrace needs root (${how}): ${said}`);
  return new AgentError('BPFTRACE_EARLY_EXIT', `bpftrace exited before attaching (${how}): ${said}`);
}

async function ensureTracefs(path: string): Promise<void> {
  if (existsSync(`${path}/events`)) return;
  try {
    await promisify(execFile)('mount', ['-t', 'tracefs', 'nodev', path]);
  } catch (err) {
    throw new AgentError('BPFTRACE_TRACEFS_MISSING', `tracefs is not mounted at ${path} and mounting it failed: ${String(err)}`);
  }
  if (!existsSync(`${path}/events`)) {
    throw new AgentError('BPFTRACE_TRACEFS_MISSING', `tracefs mounted at ${path} but has no events/`);
  }
}

/**
 * Wall-clock ns minus CLOCK_MONOTONIC ns (bpftrace's nsecs and process.hrtime share that
 * clock). Sampled right after Date.now() ticks, so the ms clock's error is under ~1 µs.
 */
export function measureClockOffsetNs(): bigint {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return BigInt(now) * 1_000_000n - process.hrtime.bigint();
}
