import { describe, it, expect } from 'vitest';
import type { DrillRecord } from './api-types';
import { drillLayers, drillNamesCrate, drillVariantText } from './drill-format';

const drill = (over: Partial<DrillRecord> = {}, variant: Partial<DrillRecord['variant']> = {}): DrillRecord => ({
  id: 'd1', at: '2025-01-01T00:00:00.000Z',
  variant: { encoding: 'base32', chunk: 'labels:3', paceMs: 0, qtype: 'A', channel: 'build-script', control: false, ...variant },
  passed: true, detected: true, timeToDetectMs: 400, maxTtdMs: 5000, detectors: ['encoded_dns_label'], chainNamesCrate: true, guard: null,
  layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: true, exposed: true }, queries: 7, buildExitCode: 0,
  ...over,
});

describe('drillVariantText', () => {
  it('names encoding, chunking, pacing, qtype and channel', () => {
    expect(drillVariantText(drill().variant)).toBe('base32 · labels:3 · burst · A · build-script');
    expect(drillVariantText(drill({}, { paceMs: 250, qtype: 'TXT', channel: 'tool' }).variant)).toBe('base32 · labels:3 · paced 250 ms · TXT · tool');
    expect(drillVariantText(drill({}, { control: true }).variant)).toBe('control');
  });
});

describe('drillLayers', () => {
  it('lists each layer of a leak in order', () => {
    expect(drillLayers(drill())).toEqual([
      { label: 'canary reached the drill server', state: 'yes' },
      { label: 'canary rebuilt from the queries', state: 'yes' },
      { label: 'Expose: detected by encoded_dns_label', state: 'yes' },
      { label: 'Limit not configured', state: 'off' },
    ]);
  });
  it('marks a missed leak', () => {
    const d = drill({ detected: false, detectors: [], layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: false, exposed: false } });
    expect(drillLayers(d).map((l) => l.state)).toEqual(['yes', 'off', 'no', 'off']);
    expect(drillNamesCrate(d)).toBeNull();
  });
  it('judges a control by whether anything was flagged', () => {
    expect(drillLayers(drill({ detectors: [] }, { control: true }))).toEqual([{ label: 'nothing flagged', state: 'yes' }]);
    expect(drillLayers(drill({}, { control: true }))[0]?.state).toBe('no');
    expect(drillNamesCrate(drill({}, { control: true }))).toBeNull();
  });

  it('shows the DNS guard\'s part: blocked is a layer that acted, leaked one that should have', () => {
    const blocked = drillLayers(drill({ layers: { limit: 'blocked', canaryReachedServer: false, canaryReconstructed: true, exposed: true } }));
    expect(blocked.at(-1)).toEqual({ label: 'Limit: blocked by the DNS guard', state: 'yes' });
    const leaked = drillLayers(drill({ layers: { limit: 'leaked', canaryReachedServer: true, canaryReconstructed: true, exposed: true } }));
    expect(leaked.at(-1)).toEqual({ label: 'Limit: the leak got past the DNS guard', state: 'no' });
  });
});
