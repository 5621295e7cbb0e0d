import { describe, expect, it } from 'vitest';
import { emptyPerBuild, entryFor, touchBuild } from './per-build.js';

describe('per-build state', () => {
  it('forgets the least recently active build over the cap and counts it, in place', () => {
    const state = emptyPerBuild<{ n: number }>();
    const builds = state.builds;
    const a = touchBuild(state, 'a', () => ({ n: 1 }), 2);
    touchBuild(state, 'b', () => ({ n: 2 }), 2);
    expect(touchBuild(state, 'a', () => ({ n: 9 }), 2)).toBe(a); // a is now the most recent, and kept
    touchBuild(state, 'c', () => ({ n: 4 }), 2);
    expect([...state.builds]).toEqual([['a', { n: 1 }], ['c', { n: 4 }]]);
    expect(state.evictedBuilds).toBe(1);
    expect(state.builds).toBe(builds);
  });

  it('clears a map that would grow past its cap, in place', () => {
    const m = new Map([['x', 1], ['y', 2]]);
    expect(entryFor(m, 'x', () => 9, 2)).toEqual({ value: 1, cleared: false });
    expect(m).toEqual(new Map([['x', 1], ['y', 2]]));
    expect(entryFor(m, 'z', () => 3, 2)).toEqual({ value: 3, cleared: true });
    expect(m).toEqual(new Map([['z', 3]]));
  });
});
