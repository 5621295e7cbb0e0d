import { describe, it, expect } from 'vitest';
import { relativeTime, formatDuration, formatOffset, buildDurationMs } from './time-format';

const now = Date.parse('2025-01-01T12:00:00Z');

describe('relativeTime', () => {
  it('says how long ago', () => {
    expect(relativeTime('2025-01-01T11:59:58Z', now)).toBe('just now');
    expect(relativeTime('2025-01-01T11:59:30Z', now)).toBe('30 s ago');
    expect(relativeTime('2025-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime('2025-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2024-12-25T12:00:00Z', now)).toBe('7 d ago');
  });
  it('treats the future (clock skew) as just now and bad input as a dash', () => {
    expect(relativeTime('2025-01-01T12:00:30Z', now)).toBe('just now');
    expect(relativeTime('yesterday', now)).toBe('—');
    expect(relativeTime(null, now)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('scales units', () => {
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(2 * 3_600_000 + 3 * 60_000)).toBe('2h 03m');
    expect(formatDuration(26 * 3_600_000)).toBe('1d 02h');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatOffset', () => {
  it('keeps millisecond precision', () => {
    expect(formatOffset(0)).toBe('+0:00.000');
    expect(formatOffset(1_234_567)).toBe('+0:01.234');
    expect(formatOffset(62_005_000)).toBe('+1:02.005');
    expect(formatOffset(3_723_004_000)).toBe('+1:02:03.004');
  });
});

describe('buildDurationMs', () => {
  it('uses now for running builds', () => {
    expect(buildDurationMs('2025-01-01T11:59:00Z', null, now)).toBe(60_000);
    expect(buildDurationMs('2025-01-01T11:00:00Z', '2025-01-01T11:00:05Z', now)).toBe(5000);
    expect(buildDurationMs('nope', null, now)).toBeNull();
  });
});
