// Starts telltale daemons as child processes for benchmarks, so the client under test and
// the collector do not share one event loop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/telltale.js', import.meta.url));

function start(args, ready, timeoutMs = 60_000) {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`not ready: ${out}`)); }, timeoutMs);
    const onData = (c) => {
      out += c;
      // Keep only the tail: the collector logs every alert.
      if (out.length > 100_000) out = out.slice(-50_000);
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({
          match: m, proc,
          stop: () => new Promise((r) => { if (proc.exitCode !== null) return r(); proc.once('exit', r); proc.kill('SIGTERM'); }),
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out}`)); });
  });
}

export async function startCollectorProcess(dataDir, extra = []) {
  const d = await start(['server', '--data-dir', dataDir, '--http', '127.0.0.1:0', '--grpc', '127.0.0.1:0', ...extra], /API (http:\/\/\S+)\s+gRPC (\S+)/);
  return { ...d, httpUrl: d.match[1], grpcAddress: d.match[2] };
}

export async function startAgentProcess(dataDir, grpcAddress, extra = []) {
  return start(['agent', '--data-dir', dataDir, '--grpc', grpcAddress, ...extra], /telltale agent ready/);
}

export { BIN };

export function startNullIngest() {
  const proc = spawn(process.execPath, [fileURLToPath(new URL('./null-ingest-server.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/ready on (\S+)/);
      if (m) resolve({ address: m[1], stop: () => proc.kill('SIGTERM') });
    });
    proc.once('exit', (code) => reject(new Error(`null ingest server exited ${code}`)));
  });
}
