import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, alertKindLabel } from './alert-kinds';

describe('alert kinds', () => {
  it('lists the look-alike package finding with a label, and keeps unknown kinds as they are', () => {
    expect(ALERT_KINDS).toContain('typosquat_package');
    expect(alertKindLabel('typosquat_package')).toBe('look-alike package');
    expect(alertKindLabel('brand_new_detector')).toBe('brand_new_detector');
    expect(alertKindLabel('toString')).toBe('toString');
  });
});
