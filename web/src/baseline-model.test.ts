import { describe, expect, it } from 'vitest';
import type { BaselineEntry } from './api-types';
import { describeCounts, diffRange, entryKey, entryStatus, groupEntries, pickVersion, pruneSelection, selectedRefs, toggled } from './baseline-model';

const entry = (kind: BaselineEntry['kind'], value: string, state: BaselineEntry['state'] = 'active', version: number | null = 1): BaselineEntry => ({
  kind, value, state, version, buildId: 'b1', firstSeenAt: '2025-01-01T00:00:00.000Z', lastUsedAt: '2025-01-01T00:00:00.000Z',
});

describe('baseline model', () => {
  it('tells active, learning and pending entries apart', () => {
    expect(entryStatus(entry('name', 'a.test'))).toBe('active');
    expect(entryStatus(entry('name', 'a.test', 'active', null))).toBe('learning');
    expect(entryStatus(entry('name', 'a.test', 'pending', null))).toBe('pending');
  });

  it('groups entries by kind, pending first, then by value, and drops unknown kinds', () => {
    const g = groupEntries([
      entry('name', 'b.test'), entry('name', 'z.test', 'pending', null), entry('name', 'a.test'),
      entry('tool', 'cargo_build_script:cc'), { ...entry('name', 'x'), kind: 'bogus' as never },
    ]);
    expect(g.name.map((e) => e.value)).toEqual(['z.test', 'a.test', 'b.test']);
    expect(g.tool).toHaveLength(1);
    expect(g.domain).toEqual([]);
    expect(g.destination).toEqual([]);
  });

  it('picks the selected entries of one state as API refs, and prunes a selection after a refetch', () => {
    const entries = [entry('name', 'a.test'), entry('name', 'p.test', 'pending', null), entry('domain', 'p.test', 'pending', null)];
    const selected = new Set(entries.map(entryKey));
    expect(selectedRefs(entries, selected, 'pending')).toEqual([{ kind: 'name', value: 'p.test' }, { kind: 'domain', value: 'p.test' }]);
    expect(selectedRefs(entries, selected, 'active')).toEqual([{ kind: 'name', value: 'a.test' }]);
    expect(pruneSelection(selected, [entries[0]!])).toEqual(new Set([entryKey(entries[0]!)]));
  });

  it('toggles set members', () => {
    expect(toggled(new Set(['a']), 'a')).toEqual(new Set());
    expect(toggled(new Set(['a']), 'b')).toEqual(new Set(['a', 'b']));
  });

  it('compares one version with the one before it, two oldest to newest', () => {
    expect(diffRange([])).toBeNull();
    expect(diffRange([1])).toEqual({ from: 0, to: 1 });
    expect(diffRange([3])).toEqual({ from: 2, to: 3 });
    expect(diffRange([4, 2])).toEqual({ from: 2, to: 4 });
    expect(diffRange([1, 2, 3])).toBeNull();
  });

  it('keeps at most two picked versions, the newest picks', () => {
    expect(pickVersion([], 2)).toEqual([2]);
    expect(pickVersion([2], 2)).toEqual([]);
    expect(pickVersion([2, 3], 5)).toEqual([3, 5]);
  });

  it('describes counts by kind', () => {
    expect(describeCounts({ name: 1, destination: 2 })).toBe('1 name, 2 destinations');
    expect(describeCounts({ name: 0 })).toBe('nothing');
  });
});
