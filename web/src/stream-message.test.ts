import { describe, it, expect } from 'vitest';
import { parseStreamMessage, reconnectDelay } from './stream-message';

const build = {
  id: 'b1', pipeline: 'acme/app', runId: 'r1', job: 'build', repo: 'acme/app', commit: 'abc', agentHost: 'h', ciProvider: 'local',
  rootPid: 10, state: 'running', startedAt: '2025-01-01T00:00:00Z', startedAtUs: 1, endedAt: null, exitCode: null,
  counts: { processes: 1, dnsQueries: 0, connects: 0, alerts: 0, lostEvents: 0 }, coverageIncomplete: false,
};
const alert = {
  id: 'a1', kind: 'encoded_dns_label', severity: 'high', status: 'open', statusChangedAt: null, pipeline: 'p', runId: 'r', buildId: 'b1',
  qname: 'x.example', domain: 'example', address: null, pid: 3, chain: [], evidence: {}, eventAt: 'x', eventAtUs: 1,
  createdAt: 'x', createdAtUs: 1, incidentId: null,
};
const drill = {
  id: 'd1', at: '2025-01-01T00:00:00.000Z', variant: { encoding: 'base32', chunk: 'labels:3', paceMs: 0, qtype: 'A', channel: 'build-script', control: false },
  passed: true, detected: true, timeToDetectMs: 412, maxTtdMs: 5000, detectors: ['encoded_dns_label'], chainNamesCrate: true,
  layers: { limit: 'not_configured', canaryReachedServer: true, canaryReconstructed: true, exposed: true }, queries: 7, buildExitCode: 0,
};

describe('parseStreamMessage', () => {
  it('accepts well-formed messages', () => {
    expect(parseStreamMessage(JSON.stringify({ type: 'hello', version: 1 }))).toEqual({ type: 'hello', version: 1 });
    expect(parseStreamMessage(JSON.stringify({ type: 'build', build }))?.type).toBe('build');
    expect(parseStreamMessage(JSON.stringify({ type: 'alert', alert }))?.type).toBe('alert');
    expect(parseStreamMessage(JSON.stringify({ type: 'alert_updated', alert }))?.type).toBe('alert_updated');
    expect(parseStreamMessage(JSON.stringify({ type: 'drill', drill }))).toEqual({ type: 'drill', drill });
    expect(parseStreamMessage(JSON.stringify({ type: 'drill', drill: { ...drill, timeToDetectMs: null } }))?.type).toBe('drill');
    expect(parseStreamMessage(JSON.stringify({ type: 'stats', tick: { at: 'x', atMs: 1, events: 2, alerts: 0, openBuilds: 1 } }))?.type).toBe('stats');
  });
  it('ignores malformed frames and unknown types', () => {
    for (const frame of ['', 'not json', 'null', '[]', '42', '{"type":"nope"}', '{"type":"build"}',
      JSON.stringify({ type: 'build', build: { ...build, counts: null } }),
      JSON.stringify({ type: 'alert', alert: { ...alert, chain: 'x' } }),
      JSON.stringify({ type: 'stats', tick: { at: 'x' } }),
      JSON.stringify({ type: 'drill' }),
      JSON.stringify({ type: 'drill', drill: { ...drill, variant: { ...drill.variant, paceMs: '0' } } }),
      JSON.stringify({ type: 'drill', drill: { ...drill, layers: null } }),
      JSON.stringify({ type: 'drill', drill: { ...drill, detectors: [1] } }),
      JSON.stringify({ type: 'drill', drill: { ...drill, timeToDetectMs: undefined } })]) {
      expect(parseStreamMessage(frame)).toBeNull();
    }
    expect(parseStreamMessage(new ArrayBuffer(2))).toBeNull();
  });
});

describe('reconnectDelay', () => {
  it('doubles from 0.5 s up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});
