import { describe, it, expect } from 'vitest';
import { sparklinePath, niceMax } from './sparkline-path';

describe('sparklinePath', () => {
  it('scales time to x and value to y (top is max)', () => {
    const d = sparklinePath([{ t: 0, v: 0 }, { t: 50, v: 10 }, { t: 100, v: 5 }], 0, 100, 10, 100, 21);
    expect(d).toBe('M0,20.5L50,0.5L100,10.5');
  });
  it('breaks the line across gaps and skips points outside the window', () => {
    const d = sparklinePath([{ t: -5, v: 1 }, { t: 0, v: 1 }, { t: 1000, v: 1 }, { t: 9000, v: 1 }], 0, 10000, 1, 100, 11);
    expect(d).toBe('M0,0.5L10,0.5M90,0.5');
  });
  it('is empty without points', () => {
    expect(sparklinePath([], 0, 1, 1, 10, 10)).toBe('');
  });
});

describe('niceMax', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax([])).toBe(1);
    expect(niceMax([0.3])).toBe(0.5);
    expect(niceMax([3])).toBe(5);
    expect(niceMax([120, 7])).toBe(200);
    expect(niceMax([1000])).toBe(1000);
  });
});
