// A secret_leak's evidence grows in the store, by dedupe key, in the batch's transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretMatchEvent } from '@telltale/proto';
import { Store } from './store.js';
import { IngestCore } from '../core/ingest-core.js';
import { compileDetectors } from '../core/detectors/index.js';
import { BuildScript } from '../core/test-events.js';
import type { StoredAlert } from './store-rows.js';

describe('Store: alert evidence updates', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('stores the first secret_leak, then takes only larger coverage, and reports what it updated', () => {
    const d = mkdtempSync(join(tmpdir(), 'telltale-evidence-'));
    dirs.push(d);
    const store = new Store(join(d, 'db'));
    const core = new IngestCore({ learningBuilds: 3, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}));
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    const match = (coveredBytes: number): SecretMatchEvent => ({
      kind: 'secret_match', timeUs: b.tick(), buildId: 'b1', pid: 102, variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'hex', coveredBytes, valueBytes: 40,
    });
    let seq = 0;
    const ingest = (events: typeof b.events) => {
      const updated: StoredAlert[] = [];
      const alerts = store.commitBatch('agent', ++seq, new Uint8Array(1), core.apply(events, 0), (id) => core.build(id), 0, updated);
      return { alerts, updated };
    };
    const first = ingest([...b.events, match(8)]);
    expect(first.alerts.map((a) => [a.kind, a.severity, a.evidence.coveredBytes])).toEqual([['secret_leak', 'critical', 8]]);
    const grown = ingest([match(40)]);
    expect(grown.alerts).toEqual([]);
    expect(grown.updated.map((a) => [a.id, a.evidence])).toEqual([[first.alerts[0]!.id,
      { variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'hex', coveredBytes: 40, valueBytes: 40, fraction: 1 }]]);
    // A stale update (a replay, a reloaded core without coverage) does not take it back.
    expect(store.updateAlertEvidence('secret_leak:b1:AWS_SECRET_ACCESS_KEY', 'b1', { coveredBytes: 10 }, 10)).toBeNull();
    expect(store.alertSummaries('b1').find((a) => a.kind === 'secret_leak')!.evidence).toMatchObject({ coveredBytes: 40, fraction: 1 });
    store.close();
  });
});
