// secret_match events from the agent become one critical secret_leak alert per build and
// variable, naming the variable only; more coverage later updates that alert's evidence.
import { describe, expect, it } from 'vitest';
import type { SecretMatchEvent } from '@telltale/proto';
import { IngestCore } from './ingest-core.js';
import { compileDetectors } from './detectors/index.js';
import { BuildScript } from './test-events.js';

const core = () => new IngestCore({ learningBuilds: 3, external: [], dnsPorts: new Set([53]), maxOpenBuilds: 100 }, compileDetectors({}));
const match = (b: BuildScript, coveredBytes: number, variable = 'AWS_SECRET_ACCESS_KEY'): SecretMatchEvent => ({
  kind: 'secret_match', timeUs: b.tick(), buildId: b.buildId, pid: 102, variable, encoding: 'base32', coveredBytes, valueBytes: 40,
});

describe('IngestCore: secret_leak', () => {
  it('raises one critical alert naming the variable, with the chain of the process that sent the query', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    b.events.push(match(b, 10), match(b, 40));
    const r = c.apply(b.events, 0);
    expect(r.findings).toHaveLength(1);
    const [alert] = r.findings;
    expect(alert!.finding).toMatchObject({ kind: 'secret_leak', severity: 'critical', dedupeKey: 'secret_leak:b1:AWS_SECRET_ACCESS_KEY', pid: 102, domain: null });
    // Raised and grown in one batch: the alert is stored with the larger coverage.
    expect(alert!.finding.evidence).toEqual({ variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 40, valueBytes: 40, fraction: 1 });
    expect(alert!.chain.map((p) => p.pid)).toEqual([100, 101, 102]);
    expect(alert!.chain.at(-1)!.exe).toMatch(/build-script-build$/);
    expect(r.alertUpdates).toBeUndefined();
    expect(c.build('b1')!.counts.alerts).toBe(1);
  });

  it('names the query that carried it, and its domain is never learnt, even by a learning build', () => {
    const c = core();
    const b = new BuildScript('b2', 'acme/app').cargoBuildScript();
    // A raw-form leak: a plain label the encoded-label detector has no reason to flag.
    b.dns(102, 'index.crates.test').dns(102, 'hunter2-password-value.exfil.test');
    b.events.push(match(b, 22, 'DB_PASSWORD'));
    const r = c.apply(b.end().events, 0);
    expect(r.findings.map((f) => [f.finding.kind, f.finding.qname, f.finding.domain])).toEqual([
      ['secret_leak', 'hunter2-password-value.exfil.test', 'exfil.test'],
    ]);
    expect(c.baseline('acme/app').domains.has('exfil.test')).toBe(false);
    expect(c.baseline('acme/app').poisoned.has('exfil.test')).toBe(true);
    expect(c.baseline('acme/app').domains.has('crates.test')).toBe(true);
  });

  it('updates the stored alert when a later batch reports more coverage, and never goes back', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    b.events.push(match(b, 9));
    expect(c.apply(b.events, 0).findings[0]!.finding.evidence).toMatchObject({ coveredBytes: 9, fraction: 0.23 });
    const later = c.apply([match(b, 31)], 0);
    expect(later.findings).toEqual([]);
    expect(later.alertUpdates).toEqual([{
      dedupeKey: 'secret_leak:b1:AWS_SECRET_ACCESS_KEY', buildId: 'b1', coveredBytes: 31,
      evidence: { variable: 'AWS_SECRET_ACCESS_KEY', encoding: 'base32', coveredBytes: 31, valueBytes: 40, fraction: 0.78 },
    }]);
    expect(c.apply([match(b, 20)], 0).alertUpdates).toBeUndefined();
    expect(c.build('b1')!.counts.alerts).toBe(1);
  });

  it('keeps variables and builds apart, and drops matches of an unknown build', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    b.events.push(match(b, 12), match(b, 12, 'GITHUB_TOKEN'));
    expect(c.apply(b.events, 0).findings.map((f) => f.finding.dedupeKey)).toEqual(['secret_leak:b1:AWS_SECRET_ACCESS_KEY', 'secret_leak:b1:GITHUB_TOKEN']);
    const stray = c.apply([{ ...match(b, 40), buildId: 'nope' }], 0);
    expect(stray.findings).toEqual([]);
    expect(stray.drops.get('unknown_build')).toBe(1);
  });
});
