import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rfc3339ToUs } from './rfc3339.js';

describe('rfc3339ToUs', () => {
  it('reads protojson timestamps to the microsecond, nanoseconds truncated, without float loss', () => {
    expect(rfc3339ToUs('2026-03-14T09:20:00Z')).toBe(1_773_480_000_000_000);
    expect(rfc3339ToUs('2026-03-14T09:20:00.100Z')).toBe(1_773_480_000_100_000);
    expect(rfc3339ToUs('2026-03-14T09:20:00.100120411Z')).toBe(1_773_480_000_100_120);
    expect(rfc3339ToUs('2026-03-14T09:20:00.999999999Z')).toBe(1_773_480_000_999_999);
    expect(rfc3339ToUs('1970-01-01T00:00:00Z')).toBe(0);
  });

  it('applies offsets and accepts 1 to 9 fraction digits', () => {
    expect(rfc3339ToUs('2026-03-14T10:20:00.5+01:00')).toBe(1_773_480_000_500_000);
    expect(rfc3339ToUs('2026-03-14T08:50:00-00:30')).toBe(1_773_480_000_000_000);
  });

  it('agrees with Date for whole milliseconds', () => {
    fc.assert(fc.property(fc.date({ min: new Date(0), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
      expect(rfc3339ToUs(d.toISOString())).toBe(d.getTime() * 1000);
    }));
  });

  it('refuses what is not a valid time', () => {
    for (const bad of ['yesterday', '2026-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2026-03-14T24:00:00Z',
      '2026-03-14T09:20:60Z', '2026-03-14T09:20:00', '2026-03-14T09:20:00.1234567890Z', '1969-12-31T23:59:59Z',
      '9999-12-31T23:59:59Z', '2026-03-14 09:20:00Z', '2026-03-14T09:20:00+24:00', `2026-03-14T09:20:00.${'1'.repeat(40)}Z`]) {
      expect(rfc3339ToUs(bad), bad).toBeNull();
    }
    expect(rfc3339ToUs('2024-02-29T00:00:00Z')).not.toBeNull();
    expect(rfc3339ToUs('2100-02-29T00:00:00Z')).toBeNull();
  });
});
