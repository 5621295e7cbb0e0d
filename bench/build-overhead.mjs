// The cost of watching a real build: wall time of the same offline cargo build (serde +
// serde_json from Debian's crate sources, real build scripts) with the agent and bpftrace
// running and the build under `telltale run`, against the build alone, in alternating pairs.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';
import { BIN, startAgentProcess, startCollectorProcess } from './procs.mjs';

const WORKSPACE = fileURLToPath(new URL('./fixtures/cargo-real', import.meta.url));
const PAIRS = 6;
/** bpftrace keeps a core busy for a moment after it attaches; the watched build starts after. */
const SETTLE_MS = 3000;

function cargoPath() {
  for (const c of ['cargo', join(homedir(), '.cargo/bin/cargo')]) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch { /* next */ }
  }
  return null;
}

function timedBuild(dir, wrap) {
  const target = mkdtempSync(join(dir, 'target-'));
  const cargo = cargoPath();
  const args = ['build', '--offline', '--quiet', '--manifest-path', join(WORKSPACE, 'Cargo.toml')];
  const [cmd, argv] = wrap ? wrap(cargo, args) : [cargo, args];
  const t0 = process.hrtime.bigint();
  // cargo finds .cargo/config.toml (the offline source replacement) from its working directory.
  const r = spawnSync(cmd, argv, { cwd: WORKSPACE, env: { ...process.env, CARGO_TARGET_DIR: target }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  rmSync(target, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`build failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function buildOverhead(dir, line) {
  const why = !cargoPath() ? 'cargo not found' : process.getuid?.() !== 0 ? 'not root' :
    !existsSync('/usr/share/cargo/registry/serde_json-1.0.87') && !spawnSync('sh', ['-c', 'ls -d /usr/share/cargo/registry/serde_json-*']).stdout.length
      ? 'librust-serde-json-dev not installed' : null;
  if (why) {
    line('build_overhead', 'not measured', `(${why})`);
    return;
  }
  const collector = await startCollectorProcess(join(dir, 'overhead-collector'));
  timedBuild(dir); // warm the page cache and rustc
  const plain = [];
  const watched = [];
  try {
    for (let i = 0; i < PAIRS; i++) {
      plain.push(timedBuild(dir));
      const agentDir = join(dir, `overhead-agent-${i}`);
      const agent = await startAgentProcess(agentDir, collector.grpcAddress);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      try {
        const watch = (cargo, args) => [process.execPath, [BIN, 'run', '--data-dir', agentDir, '--pipeline', 'bench/overhead', '--', cargo, ...args]];
        // A build agent runs for days: one watched build first warms its JIT, unmeasured.
        timedBuild(dir, watch);
        watched.push(timedBuild(dir, watch));
      } finally {
        await agent.stop();
      }
    }
  } finally {
    await collector.stop();
  }
  const a = median(plain);
  const b = median(watched);
  // Pair by pair (each watched build against the plain one just before it), so a machine
  // whose speed drifts during the run does not masquerade as overhead.
  const ratios = watched.map((w, i) => ((w - plain[i]) / plain[i]) * 100);
  line('build_wall_plain_median', a.toFixed(0), 'ms (reference)');
  line('build_wall_watched_median', b.toFixed(0), 'ms');
  line('build_monitoring_overhead', median(ratios).toFixed(1), `% median of ${PAIRS} pairs (min ${Math.min(...ratios).toFixed(1)}, max ${Math.max(...ratios).toFixed(1)}; target <= 5)`);
}
