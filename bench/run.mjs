#!/usr/bin/env node
// `npm run bench`: prints one line per figure, `name: value unit`, each next to a reference
// measured in the same run. Uses the built packages (npm run build) and real processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { telltale } from '../proto/gen/telltale.js';
import '../proto/dist/long-as-number.js';
import { buildEvents, toBatches } from './stream.mjs';
import { connect, sendAll } from './ingest-client.mjs';
import { startCollectorProcess, startNullIngest } from './procs.mjs';
import { alertLatency } from './alert-latency.mjs';
import { buildOverhead } from './build-overhead.mjs';
import { ingestStages } from './ingest-stages.mjs';
import { consoleRender } from './console-render.mjs';
import { drillTtd } from './drill-ttd.mjs';
import { guardLatency } from './guard.mjs';

const only = process.argv[2];
const line = (name, value, unit) => console.log(`${name}: ${value} ${unit}`);
const dir = mkdtempSync(join(tmpdir(), 'telltale-bench-'));

async function ingestThroughput() {
  const EVENTS = 200_000;
  const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
  const events = buildEvents('bench-build-1', EVENTS, Date.now() * 1000);
  const batches = toBatches('bench-agent', events, BATCH);

  // Reference: the same bytes through the bare generated decoder, best of 3.
  let decodeRate = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (const b of batches) n += telltale.v1.EventBatch.decode(b).events.length;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    decodeRate = Math.max(decodeRate, n / s);
  }

  const collector = await startCollectorProcess(join(dir, 'ingest'));
  try {
    const client = connect(collector.grpcAddress);
    // Warm-up on another agent id so JIT and SQLite pages are warm.
    await sendAll(client, toBatches('bench-warmup', buildEvents('bench-warm', 20_000, Date.now() * 1000), BATCH));
    const t0 = process.hrtime.bigint();
    await sendAll(client, batches);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const ingestRate = EVENTS / s;
    client.close();
    line('ingest_grpc_pipeline_sqlite', Math.round(ingestRate), 'events/s');
    line('bare_protobuf_decode', Math.round(decodeRate), 'events/s');
    line('ingest_vs_bare_decode', (ingestRate / decodeRate * 100).toFixed(1), '% (target >= 50)');
  } finally {
    await collector.stop();
  }
  // Reference: the same batches to a server that only acknowledges them.
  const nullServer = await startNullIngest();
  try {
    const client = connect(nullServer.address);
    await sendAll(client, batches.slice(0, 40));
    const t0 = process.hrtime.bigint();
    await sendAll(client, batches);
    const transportRate = EVENTS / (Number(process.hrtime.bigint() - t0) / 1e9);
    client.close();
    line('grpc_transport_only', Math.round(transportRate), 'events/s (reference: acks without decoding)');
    line('transport_vs_bare_decode', (transportRate / decodeRate * 100).toFixed(1), '%');
  } finally {
    nullServer.stop();
  }
}

try {
  if (!only || only === 'ingest') {
    await ingestThroughput();
    ingestStages(line);
  }
  if (!only || only === 'latency') await alertLatency(dir, line);
  if (!only || only === 'overhead') await buildOverhead(dir, line);
  if (!only || only === 'console') await consoleRender(dir, line);
  if (!only || only === 'drill') await drillTtd(dir, line);
  if (!only || only === 'guard') await guardLatency(dir, line);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
