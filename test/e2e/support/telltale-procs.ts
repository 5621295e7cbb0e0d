// Starts telltale's own daemons as real processes for e2e tests (the built CLI under
// bin/telltale.js) and waits for their "ready" lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TELLTALE_BIN = fileURLToPath(new URL('../../../bin/telltale.js', import.meta.url));

export interface Daemon {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startDaemon(args: string[], readyPattern: RegExp, timeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Promise<Daemon & { match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, [TELLTALE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const daemon: Daemon = {
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
      proc.once('exit', (code) => resolve(code));
      proc.kill(signal);
    }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`telltale ${args[0]} not ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(readyPattern);
      if (m) {
        clearTimeout(timer);
        resolve({ ...daemon, match: m });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`telltale ${args[0]} exited with ${code} before ready:\n${out}`));
    });
  });
}

export async function startCollector(dataDir: string, extra: string[] = [], httpPort = 0, grpcPort = 0) {
  const d = await startDaemon(['server', '--data-dir', dataDir, '--http', `127.0.0.1:${httpPort}`, '--grpc', `127.0.0.1:${grpcPort}`, ...extra],
    /API (http:\/\/\S+)\s+gRPC (\S+)/);
  return { ...d, httpUrl: d.match[1]!, grpcAddress: d.match[2]! };
}

export async function startAgent(dataDir: string, grpcAddress: string, dnsPorts: number[]) {
  const d = await startDaemon(['agent', '--data-dir', dataDir, '--grpc', grpcAddress, ...dnsPorts.flatMap((p) => ['--dns-port', String(p)])],
    /telltale agent ready/, 60_000);
  return d;
}

export function runTracked(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [TELLTALE_BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    proc.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    proc.on('exit', (code) => resolve({ code, output }));
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
