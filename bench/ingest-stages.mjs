// Where an ingested event's time goes, in-process and without gRPC: decoding (protobuf +
// fromProto), the ingest core (process trees, DNS, detectors) and the SQLite commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBatch } from '@telltale/proto';
import { IngestCore } from '../server/dist/core/ingest-core.js';
import { compileDetectors } from '../server/dist/core/detectors/index.js';
import { Store } from '../server/dist/adapters/store.js';
import { buildEvents, toBatches } from './stream.mjs';

export function ingestStages(line, events = 200_000, batchSize = 1000) {
  const batches = toBatches('stages-agent', buildEvents('stages-build', events, Date.now() * 1000), batchSize);
  const dir = mkdtempSync(join(tmpdir(), 'telltale-stages-'));
  const store = new Store(join(dir, 'telltale.db'));
  const core = new IngestCore({ learningBuilds: 3, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}));
  let decode = 0n;
  let apply = 0n;
  let commit = 0n;
  let sequence = 0;
  for (const bytes of batches) {
    const t0 = process.hrtime.bigint();
    const batch = decodeBatch(bytes);
    const t1 = process.hrtime.bigint();
    const result = core.apply(batch.events, Date.now() * 1000);
    const t2 = process.hrtime.bigint();
    store.commitBatch('stages-agent', ++sequence, bytes, result, (id) => core.build(id), Date.now() * 1000);
    const t3 = process.hrtime.bigint();
    decode += t1 - t0;
    apply += t2 - t1;
    commit += t3 - t2;
  }
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const perEvent = (ns) => (Number(ns) / 1000 / events).toFixed(2);
  line('ingest_stage_decode', perEvent(decode), 'µs/event (protobuf decode + fromProto)');
  line('ingest_stage_core', perEvent(apply), 'µs/event (process trees, DNS, detectors)');
  line('ingest_stage_store', perEvent(commit), 'µs/event (SQLite commit per batch)');
}
