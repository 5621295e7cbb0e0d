import { describe, it, expect } from 'vitest';
import { visibleRange } from './visible-range';

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    expect(visibleRange(0, 300, 30, 10000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3000, 300, 30, 10000, 5)).toEqual({ start: 95, end: 116 });
  });
  it('clamps at the end and for empty lists', () => {
    expect(visibleRange(1e9, 300, 30, 100, 5)).toEqual({ start: 94, end: 100 });
    expect(visibleRange(0, 300, 30, 0)).toEqual({ start: 0, end: 0 });
  });
});
