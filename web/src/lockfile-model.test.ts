import { describe, expect, it } from 'vitest';
import type { BuildLockfileRow, LockfileChange } from './api-types';
import { changeCounts, flaggedCount, leftOut, lockfileCards, lockfileStatusText } from './lockfile-model';

const change = (over: Partial<LockfileChange> = {}): LockfileChange => ({
  first: false, previousBuildId: 'b-1',
  counts: { added: 0, removed: 0, upgraded: 0, downgraded: 0, changedInPlace: 0, newWithScripts: 0, scriptsGained: 0 },
  added: [], flagged: [], flaggedPathsShown: 20, removed: [], upgraded: [], downgraded: [], changedInPlace: [], scriptsGained: [], ...over,
});
const row = (path: string, sha256: string, c: LockfileChange | null = null): BuildLockfileRow => ({
  path, kind: 'cargo-lock', sha256, size: 10, reportedAt: '2025-01-01T00:00:00Z', status: 'parsed', detail: null, format: 'Cargo.lock v4', packages: 3, change: c,
});

describe('lockfileCards', () => {
  it('keeps the latest snapshot of each path, in first-reported order, and counts the snapshots', () => {
    const cards = lockfileCards([row('Cargo.lock', 'a'), row('web/package-lock.json', 'b'), row('Cargo.lock', 'c')]);
    expect(cards.map((c) => [c.row.path, c.row.sha256, c.snapshots])).toEqual([['Cargo.lock', 'c', 2], ['web/package-lock.json', 'b', 1]]);
  });
  it('reads nothing from what is not a list of rows', () => {
    expect(lockfileCards(undefined)).toEqual([]);
    expect(lockfileCards([null, { path: 3 }])).toEqual([]);
  });
});

describe('lockfile texts', () => {
  it('says what a status means, and keeps unknown ones as they are', () => {
    expect(lockfileStatusText('too_large')).toMatch(/only its hash/);
    expect(lockfileStatusText('content_unknown')).toBe('content never received');
    expect(lockfileStatusText('mystery')).toBe('mystery');
  });
  it('counts a change in one line', () => {
    expect(changeCounts(change())).toBe('no change');
    const c = change({ counts: { added: 1, removed: 0, upgraded: 1200, downgraded: 0, changedInPlace: 1, newWithScripts: 1, scriptsGained: 2 } });
    expect(changeCounts(c)).toBe('1 added, 1,200 upgraded, 1 changed in place, 2 gained a build script');
  });
  it('counts the flagged look-alikes and what a capped list left out', () => {
    const flagged = change({ flagged: [{ name: 'reqwests', version: '0.1.0', typosquat: [], dependencyPaths: [] }] });
    expect(flaggedCount(lockfileCards([row('Cargo.lock', 'a', flagged), row('go.sum', 'b')]))).toBe(1);
    expect(leftOut(501, 500)).toBe(1);
    expect(leftOut(3, 3)).toBe(0);
  });
});
