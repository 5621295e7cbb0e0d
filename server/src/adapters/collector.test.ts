// The ingest loop's promises: a sequence applies once and in order, and a failed commit
// leaves nothing in memory that would make the agent's resend look already seen.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBatch, type TelltaleEvent } from '@telltale/proto';
import { Collector, SequenceError } from './collector.js';
import { Store } from './store.js';
import { collectorMetrics } from './metrics.js';
import { StreamHub } from './stream-hub.js';
import { IngestCore } from '../core/ingest-core.js';
import { compileDetectors } from '../core/detectors/index.js';
import type { LockfilePort } from '../core/attribution/build-lockfiles.js';
import { createLogger } from '../logger.js';
import { base32, BuildScript } from '../core/test-events.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function collector() {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-collector-'));
  dirs.push(dir);
  const store = new Store(join(dir, 'db.sqlite'));
  const metrics = collectorMetrics();
  const load = () => new IngestCore({ learningBuilds: 3, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}),
    { baselines: store.loadBaselines(), openBuilds: store.loadOpenBuilds(100) });
  return { store, metrics, c: new Collector(load, store, metrics, new StreamHub(metrics), createLogger('test', () => undefined)) };
}
const batch = (sequence: number, events: TelltaleEvent[]) => encodeBatch({ agentId: 'agent-1', sequence, events });
const leak = `${base32('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').slice(0, 60)}.exfil-drill.test`;

describe('Collector', () => {
  it('counts what each source lost, per source and reason, and marks the build incomplete', () => {
    const { c, store, metrics } = collector();
    const b = new BuildScript('b-loss', 'acme/app').cargoBuildScript();
    b.events.push({ kind: 'loss', timeUs: b.tick(), buildId: 'b-loss', source: 'tetragon', reason: 'throttled', count: 7 });
    b.events.push({ kind: 'loss', timeUs: b.tick(), buildId: 'b-loss', source: 'forged-source', reason: 'forged-reason', count: 1 });
    c.ingest(batch(1, b.end().events));
    const text = metrics.render();
    expect(text).toContain('telltale_source_events_lost_total{reason="throttled",source="tetragon"} 7');
    // Values an agent makes up do not become labels.
    expect(text).toContain('telltale_source_events_lost_total{reason="other",source="other"} 1');
    expect(store.getBuild('b-loss')).toMatchObject({ coverageIncomplete: true, counts: { lostEvents: 8 } });
  });

  it('refuses a sequence that skips ahead, and takes the missing one next', () => {
    const { c, store } = collector();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    expect(c.ingest(batch(1, b.events)).duplicate).toBe(false);
    const later = new BuildScript('b1', 'acme/app');
    later.events.length = 0;
    later.dns(102, leak);
    expect(() => c.ingest(batch(3, later.events))).toThrow(SequenceError);
    expect(c.ingest(batch(2, later.events))).toMatchObject({ sequence: 2, duplicate: false });
    expect(c.ingest(batch(2, later.events)).duplicate).toBe(true);
    expect(store.listAlerts({ limit: 10 }).map((a) => a.kind)).toEqual(['encoded_dns_label']);
  });

  it('judges a resent batch afresh after its commit failed', () => {
    const { c, store } = collector();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript().dns(102, leak);
    const real = store.commitBatch.bind(store);
    let failures = 1;
    store.commitBatch = (...args: Parameters<Store['commitBatch']>) => {
      if (failures-- > 0) throw new Error('SQLITE_BUSY: database is locked');
      return real(...args);
    };
    expect(() => c.ingest(batch(1, b.events))).toThrow(/SQLITE_BUSY/);
    expect(store.listAlerts({ limit: 10 })).toEqual([]);
    c.ingest(batch(1, b.events));
    expect(store.listAlerts({ limit: 10 }).map((a) => [a.kind, a.qname])).toEqual([['encoded_dns_label', leak]]);
    expect(store.getBuild('b1')).not.toBeNull();
    // The exfiltration domain is remembered as poisoned across restarts.
    expect([...store.loadBaselines().find((b) => b.pipeline === 'acme/app')!.poisoned]).toEqual(['exfil-drill.test']);
  });

  it('a failure while applying (the lockfile ledger threw) reloads the core too: the resend stores the build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-collector-'));
    dirs.push(dir);
    const store = new Store(join(dir, 'db.sqlite'));
    const metrics = collectorMetrics();
    let failures = 1;
    const ledger: LockfilePort = {
      snapshot: (...args) => {
        if (failures-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
        return store.lockfiles.snapshot(...args);
      },
      resolve: (ref) => store.lockfiles.resolve(ref),
      judge: (eco, name) => store.lockfiles.judge(eco, name),
    };
    let loads = 0;
    const load = () => {
      loads++;
      return new IngestCore({ learningBuilds: 3, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}),
        { baselines: store.loadBaselines(), openBuilds: store.loadOpenBuilds(100) }, ledger);
    };
    const logged: string[] = [];
    const c = new Collector(load, store, metrics, new StreamHub(metrics), createLogger('test', (line) => { logged.push(line); }));
    const b = new BuildScript('b1', 'acme/app');
    const text = '# Cargo.lock\nversion = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n';
    b.events.push({ kind: 'lockfile', timeUs: b.tick(), buildId: 'b1', path: 'Cargo.lock', workspace: '/src', sha256: createHash('sha256').update(text).digest('hex'),
      size: text.length, content: Buffer.from(text), omitted: null, scanIncomplete: false });
    b.cargoBuildScript().dns(102, leak);
    expect(() => c.ingest(batch(1, b.events))).toThrow(/SQLITE_FULL/);
    expect(loads).toBe(2);
    expect(logged.join('')).toContain('storing a batch failed; reloading state from the store');
    expect(store.getBuild('b1')).toBeNull();
    expect(c.ingest(batch(1, b.events))).toMatchObject({ duplicate: false, accepted: b.events.length });
    expect(store.getBuild('b1')).toMatchObject({ counts: { alerts: 1 } });
    expect(store.listAlerts({ limit: 10 }).map((a) => a.kind)).toEqual(['encoded_dns_label']);
    expect(store.lockfiles.rowsOf('b1').map((r) => r.status)).toEqual(['parsed']);
  });

  it('prunes raw batches past retention but keeps those of open builds, and every alert', () => {
    const { c, store } = collector();
    const open = new BuildScript('open', 'acme/app').cargoBuildScript();
    const done = new BuildScript('done', 'acme/app').cargoBuildScript().dns(102, leak).end();
    c.ingest(batch(1, open.events));
    c.ingest(batch(2, done.events));
    expect(store.pruneBatches(Date.now() * 1000 + 1)).toBe(1);
    expect(store.pruneBatches(Date.now() * 1000 + 1)).toBe(0);
    expect(store.count('batches')).toBe(1);
    expect(store.processTreeOf('open', 100).size).toBe(3);
    expect(store.processTreeOf('done', 100).size).toBe(0);
    expect(store.listAlerts({ limit: 10 })).toHaveLength(1);
    expect(store.getBuild('done')).not.toBeNull();
  });
});
