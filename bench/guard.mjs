// The DNS guard's cost per query: one client asks a loopback upstream directly, then the
// same questions through `telltale guard` (a real CLI process) in front of that upstream,
// in alternating rounds of the same run. Names are allowed by the guard's allowlist, so
// every query is judged by the detector, matched against the baseline and forwarded.
// Figures: p50 and p99 of each path and what the guard adds (target: p99 under 1 ms).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { BIN } from './procs.mjs';

const UPSTREAM = new URL('../server/dist/adapters/guard/test-upstream.js', import.meta.url).href;

function startProc(args, ready) {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`not ready: ${out}`)); }, 30_000);
    const onData = (c) => {
      out = (out + c).slice(-20_000);
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop: () => new Promise((r) => { if (proc.exitCode !== null) return r(); proc.once('exit', r); proc.kill('SIGTERM'); }) });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out}`)); });
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function client() {
  const socket = dgram.createSocket('udp4');
  let waiting = null;
  socket.on('message', (m) => { const w = waiting; waiting = null; w?.(m); });
  return {
    ready: new Promise((r) => socket.bind(0, '127.0.0.1', r)),
    ask(port, msg) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiting = null; reject(new Error('no answer in 2 s')); }, 2000);
        waiting = (m) => { clearTimeout(timer); resolve(m); };
        socket.send(msg, port, '127.0.0.1');
      });
    },
    close: () => socket.close(),
  };
}

export async function guardLatency(dir, line, rounds = Number(process.env.BENCH_GUARD_ROUNDS ?? 10), perRound = 2000) {
  const allowlist = join(dir, 'guard-allowlist.json');
  writeFileSync(allowlist, JSON.stringify({ pipeline: 'bench/app', version: 1, readiness: 'ready', names: [], domains: ['bench.example'] }));
  const upstream = await startProc(['--input-type=module', '-e',
    `const { startTestUpstream } = await import(${JSON.stringify(UPSTREAM)}); const u = await startTestUpstream({ keep: 10 }); console.log('upstream ready on ' + u.port);`,
  ], /upstream ready on (\d+)/);
  const guard = await startProc([fileURLToPath(new URL(BIN, import.meta.url)), 'guard', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstream.port}`, '--allowlist', allowlist, '--mode', 'enforce'],
    /DNS on 127\.0\.0\.1:(\d+)/);
  const c = client();
  await c.ready;
  // Names a build resolves (registries, mirrors, APIs): random-looking ones would be judged
  // as data by the detector and blocked, which is not what this measures.
  const hosts = ['index', 'static', 'registry', 'api', 'codeload', 'objects', 'files', 'download', 'proxy', 'sum', 'repo', 'auth', 'pipelines', 'uploads', 'cdn', 'mirror'];
  const names = hosts.flatMap((h) => [`${h}.bench.example`, `${h}.eu.bench.example`]);
  const packets = Array.from({ length: perRound }, (_, i) => dnsPacket.encode({
    type: 'query', id: i & 0xffff, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: i % 2 ? 'AAAA' : 'A', name: names[i % names.length] }],
  }));
  const direct = [];
  const via = [];
  const run = async (port, into) => {
    for (const p of packets) {
      const t0 = process.hrtime.bigint();
      const answer = await c.ask(port, p);
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if ((answer[3] & 0xf) !== 0) throw new Error(`rcode ${answer[3] & 0xf}`);
      into?.push(us);
    }
  };
  try {
    await run(upstream.port); // warm-up: JIT in all three processes
    await run(guard.port);
    for (let r = 0; r < rounds; r++) {
      await run(upstream.port, direct);
      await run(guard.port, via);
    }
  } finally {
    c.close();
    await guard.stop();
    await upstream.stop();
  }
  direct.sort((a, b) => a - b);
  via.sort((a, b) => a - b);
  const n = `${direct.length} queries each, UDP, loopback, allowed names`;
  line('guard_direct_p50', pct(direct, 50).toFixed(0), `µs (reference: client → upstream; ${n})`);
  line('guard_direct_p99', pct(direct, 99).toFixed(0), 'µs');
  line('guard_via_p50', pct(via, 50).toFixed(0), 'µs (client → telltale guard → upstream)');
  line('guard_via_p99', pct(via, 99).toFixed(0), 'µs');
  line('guard_added_p50', (pct(via, 50) - pct(direct, 50)).toFixed(0), 'µs');
  line('guard_added_p99', (pct(via, 99) - pct(direct, 99)).toFixed(0), 'µs (target < 1000)');
}
