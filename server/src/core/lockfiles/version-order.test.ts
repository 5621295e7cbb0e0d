import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareVersions, compatibilityClass } from './version-order.js';

describe('compareVersions', () => {
  it.each([
    ['1.0.0', '1.0.1'], ['1.9.0', '1.10.0'], ['0.4.8', '1.0.1'], ['2.1.0', '2.1.1'],
    ['1.0.0-alpha', '1.0.0'], ['1.0.0-alpha', '1.0.0-alpha.1'], ['1.0.0-alpha.1', '1.0.0-beta'], ['1.0.0-beta.2', '1.0.0-beta.11'],
    ['1.0.0-rc.1', '1.0.0'], ['v0.23.0', 'v0.24.0'], ['v0.0.0-20190620200207-3b0461eec859', 'v0.0.1'],
    ['v0.0.0-20190620200207-3b0461eec859', 'v0.0.0-20200101000000-aaaaaaaaaaaa'],
    ['1.0a1', '1.0'], ['1.0rc1', '1.0'], ['1.0.dev1', '1.0'], ['1.0', '1.0.post1'], ['1.0', '1.0.1'], ['1!0.1', '2!0.0.1'],
    ['2024.1', '2024.2.2'], ['99999999999999999999999.0', '100000000000000000000000.0'],
  ])('%s < %s', (older, newer) => {
    expect(compareVersions(older, newer)).toBeLessThan(0);
    expect(compareVersions(newer, older)).toBeGreaterThan(0);
  });

  it('ignores build metadata in the rank, and is a total order', () => {
    expect(compareVersions('v3.5.1+incompatible', 'v3.5.2')).toBeLessThan(0);
    expect(compareVersions('1.0.0+a', '1.0.0+b')).toBeLessThan(0);
    expect(compareVersions('1.0', '1.0')).toBe(0);
    fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
      const ab = compareVersions(a, b);
      expect(Math.sign(ab) + Math.sign(compareVersions(b, a))).toBe(0);
      if (ab === 0) expect(a).toBe(b);
    }), { numRuns: 1000 });
  });
});

describe('compatibilityClass', () => {
  it('follows the caret rule', () => {
    expect(['1.2.3', '1.0.0', '0.2.5', '0.0.3', 'v2.3.0', '0.0.0'].map(compatibilityClass)).toEqual(['1', '1', '0.2', '0.0.3', '2', '0.0.0']);
  });
});
