// The fire drill's time to detect, repeated: one collector and one agent (real processes),
// and `telltale drill --against` run again and again, each a real offline cargo build whose
// build script leaks a canary. Figures: p50 and p99 from the first leaking query reaching the
// drill DNS server to the first alert naming it on the WebSocket (target p99 < 1 s), beside
// the drill build's own duration in the same run.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, startAgentProcess, startCollectorProcess } from './procs.mjs';

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

function drillOnce(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [BIN, 'drill', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { err += c; });
    p.on('exit', (code) => {
      try {
        if (code !== 0 && code !== 5) throw new Error(`exit ${code}`);
        resolve({ report: JSON.parse(out), wallMs: performance.now() - t0 });
      } catch {
        reject(new Error(`drill failed: ${err}`));
      }
    });
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function drillTtd(dir, line, rounds = Number(process.env.BENCH_DRILLS ?? 12)) {
  const dnsPort = await freePort();
  const collector = await startCollectorProcess(join(dir, 'drill-collector'));
  const agent = await startAgentProcess(join(dir, 'drill-agent'), collector.grpcAddress, ['--dns-port', String(dnsPort), '--control', join(dir, 'drill-agent.sock')]);
  try {
    const args = ['--against', collector.httpUrl, '--control-socket', join(dir, 'drill-agent.sock'), '--dns-port', String(dnsPort)];
    await drillOnce(args); // warm-up: page cache, JIT, cargo's own caches
    const ttd = [];
    const wall = [];
    let missed = 0;
    for (let i = 0; i < rounds; i++) {
      const { report, wallMs } = await drillOnce(args);
      if (report.timeToDetectMs === null) missed++;
      else ttd.push(report.timeToDetectMs);
      wall.push(wallMs);
    }
    ttd.sort((a, b) => a - b);
    wall.sort((a, b) => a - b);
    line('drill_detected', `${rounds - missed}/${rounds}`, 'drills (base32 burst)');
    if (ttd.length) {
      line('drill_time_to_detect_p50', pct(ttd, 50).toFixed(1), 'ms (first leaking query → alert on the WebSocket)');
      line('drill_time_to_detect_p99', pct(ttd, 99).toFixed(1), `ms (target < 1000; ${ttd.length} drills)`);
    }
    line('drill_round_p50', pct(wall, 50).toFixed(0), 'ms (reference: a whole drill, cargo build included)');
  } finally {
    await agent.stop();
    await collector.stop();
  }
}
