import { describe, expect, it } from 'vitest';
import { emptyPerBuild, withBuild, withEntry } from './per-build.js';

describe('per-build state', () => {
  it('forgets the least recently active build over the cap, counts it, and leaves old states alone', () => {
    const a = withBuild(emptyPerBuild<number>(), 'a', 1, 2);
    const ab = withBuild(a, 'b', 2, 2);
    const ba = withBuild(ab, 'a', 3, 2); // a is now the most recent
    const bac = withBuild(ba, 'c', 4, 2);
    expect([...bac.builds]).toEqual([['a', 3], ['c', 4]]);
    expect(bac.evictedBuilds).toBe(1);
    expect([...ab.builds]).toEqual([['a', 1], ['b', 2]]);
  });

  it('clears a map that would grow past its cap', () => {
    const m = new Map([['x', 1], ['y', 2]]);
    expect(withEntry(m, 'x', 9, 2)).toEqual({ map: new Map([['x', 9], ['y', 2]]), cleared: false });
    expect(withEntry(m, 'z', 3, 2)).toEqual({ map: new Map([['z', 3]]), cleared: true });
    expect(m.size).toBe(2);
  });
});
