import { describe, expect, it } from 'vitest';
import { formatDrill, judgeDrill, type DrillObservation } from './drill-report.js';

const base: DrillObservation = {
  drillId: 'ab12', domain: 'drill-ab12.test', canary: 'TTDRILLx', startedAt: '2026-11-23T04:00:00.000Z',
  variant: { encoding: 'base32', chunk: 'one', paceMs: 0, qtype: 'A', channel: 'build-script', control: false },
  queryNames: ['0-1.krkeiusjjrgc2m3g.drill-ab12.test'], rebuiltCanary: 'TTDRILLx', buildExitCode: 0, verdictComplete: true, maxTtdMs: 1000,
  consoleAfterFirstQueryMs: null, buildId: 'b-1', guard: null, reachedServer: 1,
  alerts: [
    { kind: 'unexpected_tool', qname: null, domain: null, chainExes: ['/x/url-parsr-1/build-script-build', '/bin/sh'], afterFirstQueryMs: -5 },
    { kind: 'encoded_dns_label', qname: '0-1.krkeiusjjrgc2m3g.drill-ab12.test', domain: 'drill-ab12.test', chainExes: ['cargo', '/t/build/url-parsr-9/build-script-build'], afterFirstQueryMs: 12.5 },
  ],
};

describe('judgeDrill', () => {
  it('detects by the alerts naming the drill domain, times the first, and checks every layer', () => {
    const r = judgeDrill(base);
    expect(r).toMatchObject({
      detected: true, timeToDetectMs: 12.5, withinBound: true, detectors: ['encoded_dns_label', 'unexpected_tool'], chainNamesCrate: true, passed: true,
      layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: true, exposed: true },
    });
    expect(formatDrill(r)).toMatch(/time to detect .*12\.5 ms[\s\S]*drill PASSED/);
  });

  it('fails a drill detected too late, or not at all, and a control build that alerted', () => {
    expect(judgeDrill({ ...base, maxTtdMs: 10 })).toMatchObject({ detected: true, withinBound: false, passed: false });
    expect(judgeDrill({ ...base, alerts: [base.alerts[0]!] })).toMatchObject({ detected: false, timeToDetectMs: null, passed: false });
    expect(judgeDrill({ ...base, rebuiltCanary: null }).layers.canaryReconstructed).toBe(false);
    const control = { ...base, variant: { ...base.variant, control: true }, queryNames: [], rebuiltCanary: null };
    expect(judgeDrill({ ...control, alerts: [] }).passed).toBe(true);
    // A control nobody watched, or whose build failed or was judged incompletely, proves nothing.
    expect(judgeDrill({ ...control, alerts: [], buildId: null }).passed).toBe(false);
    expect(judgeDrill({ ...control, alerts: [], buildExitCode: 127 }).passed).toBe(false);
    expect(judgeDrill({ ...control, alerts: [], verdictComplete: false }).passed).toBe(false);
    expect(judgeDrill(control).passed).toBe(false);
    expect(formatDrill(judgeDrill(control))).toMatch(/drill FAILED/);
  });

  it('with the DNS guard in the path: passes only when the guard refused the leak and none of it got past', () => {
    const guarded = { ...base, guard: { mode: 'audit' as const, asked: 'audit' as const, refused: 1 }, reachedServer: 0 };
    const blocked = judgeDrill(guarded);
    expect(blocked).toMatchObject({ passed: true, layers: { limit: 'blocked', canaryReachedServer: false, canaryReconstructed: true } });
    expect(formatDrill(blocked)).toMatch(/blocked \(Limit\): yes: the DNS guard \(audit\) refused 1 leaking query, 0 got past/);
    const leaked = judgeDrill({ ...guarded, reachedServer: 2 });
    expect(leaked).toMatchObject({ passed: false, layers: { limit: 'leaked', canaryReachedServer: true } });
    expect(formatDrill(leaked)).toMatch(/blocked \(Limit\): NO[\s\S]*drill FAILED/);
    expect(judgeDrill({ ...guarded, guard: { mode: 'enforce', asked: 'enforce', refused: 0 }, reachedServer: 0 }).layers.limit).toBe('leaked');
    // Enforce asked of a guard whose baseline is not ready: it says it audited.
    expect(formatDrill(judgeDrill({ ...guarded, guard: { mode: 'audit', asked: 'enforce', refused: 1 } })))
      .toMatch(/the DNS guard \(audit; enforce was asked, the drill pipeline's baseline is not ready\)/);
    expect(formatDrill(judgeDrill(base))).toMatch(/blocked \(Limit\): not configured \(run with --guard/);
  });
});
