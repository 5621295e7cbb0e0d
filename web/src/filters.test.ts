import { describe, it, expect } from 'vitest';
import { buildMatches, alertMatches } from './filters';
import type { Alert, BuildSummary } from './api-types';

describe('filters', () => {
  it('matches builds by pipeline and state; empty means any', () => {
    const b = { pipeline: 'p', state: 'running' } as BuildSummary;
    expect(buildMatches(b, { pipeline: '', state: '' })).toBe(true);
    expect(buildMatches(b, { pipeline: 'p', state: 'running' })).toBe(true);
    expect(buildMatches(b, { pipeline: 'q', state: '' })).toBe(false);
    expect(buildMatches(b, { pipeline: '', state: 'failed' })).toBe(false);
  });
  it('matches alerts on every set field', () => {
    const a = { status: 'open', severity: 'high', kind: 'k', pipeline: 'p' } as Alert;
    expect(alertMatches(a, { status: 'open', severity: '', kind: '', pipeline: '' })).toBe(true);
    expect(alertMatches(a, { status: 'resolved', severity: '', kind: '', pipeline: '' })).toBe(false);
    expect(alertMatches(a, { status: '', severity: 'high', kind: 'k', pipeline: 'p' })).toBe(true);
  });
});
