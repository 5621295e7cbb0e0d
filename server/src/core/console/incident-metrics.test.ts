import { describe, expect, it } from 'vitest';
import { incidentTimes } from './incident-metrics.js';

describe('incidentTimes', () => {
  it('measures detection from the earliest suspicious event to the first alert, resolution from there to closing', () => {
    const t = incidentTimes([{ eventUs: 5_000_000, createdUs: 5_004_000 }, { eventUs: 4_000_000, createdUs: 6_000_000 }], 65_004_000);
    expect(t).toEqual({ firstActivityUs: 4_000_000, detectedUs: 5_004_000, timeToDetectMs: 1004, timeToResolveMs: 60_000 });
  });
  it('has nothing to say without alerts, no resolution while open, and never a negative time under clock skew', () => {
    expect(incidentTimes([], null).timeToDetectMs).toBeNull();
    expect(incidentTimes([{ eventUs: 10, createdUs: 20 }], null).timeToResolveMs).toBeNull();
    expect(incidentTimes([{ eventUs: 9_000, createdUs: 1_000 }], null).timeToDetectMs).toBe(0);
  });
});
