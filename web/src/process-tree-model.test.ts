import { describe, it, expect } from 'vitest';
import type { ProcessNode } from './api-types';
import { indexByPid, markAlertPaths, descendsFromBuildScript, visibleRows, defaultExpanded, alertTargetPid, groupByFirstPid } from './process-tree-model';

const p = (pid: number, ppid: number, children: ProcessNode[] = [], buildScript: string | null = null): ProcessNode => ({
  pid, ppid, exe: `/bin/p${pid}`, argv: [`p${pid}`], cwd: '/', startedAt: '2025-01-01T00:00:00Z', exitCode: null, buildScript, children,
});

// 1 ─┬─ 2 ─── 3 (build script) ─── 4
//    └─ 5 ─── 6
const tree = [p(1, 0, [p(2, 1, [p(3, 2, [p(4, 3)], 'cargo_build_script')]), p(5, 1, [p(6, 5)])])];

describe('indexByPid', () => {
  it('records parent and depth', () => {
    const ix = indexByPid(tree);
    expect(ix.size).toBe(6);
    expect(ix.get(4)).toMatchObject({ parentPid: 3, depth: 3 });
    expect(ix.get(1)).toMatchObject({ parentPid: null, depth: 0 });
  });
  it('survives a very deep chain and repeated pids', () => {
    let node = p(100000, 0);
    for (let i = 99999; i > 90000; i--) node = p(i, i - 1, [node]);
    const ix = indexByPid([node, p(90001, 0)]);
    expect(ix.size).toBe(10000);
  });
});

describe('markAlertPaths', () => {
  const ix = indexByPid(tree);
  it('marks the path from the root to the alerting process', () => {
    expect([...markAlertPaths(ix, [{ pid: 4, chain: [] }])].sort()).toEqual([1, 2, 3, 4]);
  });
  it('falls back to the chain when alert.pid is not in the tree', () => {
    const alert = { pid: 999, chain: [{ pid: 1, exe: '', argv: [], cwd: '' }, { pid: 6, exe: '', argv: [], cwd: '' }] };
    expect(alertTargetPid(alert, ix)).toBe(6);
    expect([...markAlertPaths(ix, [alert])].sort()).toEqual([1, 5, 6]);
  });
  it('unions several alerts and ignores unknown processes', () => {
    expect([...markAlertPaths(ix, [{ pid: 4, chain: [] }, { pid: 6, chain: [] }, { pid: 77, chain: [] }])].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('descendsFromBuildScript', () => {
  it('marks build scripts and their descendants only', () => {
    expect([...descendsFromBuildScript(tree)].sort()).toEqual([3, 4]);
  });
});

describe('visibleRows', () => {
  it('lists expanded nodes depth first', () => {
    const rows = visibleRows(tree, new Set([1, 2]));
    expect(rows.map((r) => r.node.pid)).toEqual([1, 2, 3, 5]);
    expect(rows.map((r) => r.depth)).toEqual([0, 1, 2, 1]);
    expect(rows[2]).toMatchObject({ hasChildren: true, expanded: false });
  });
  it('expands roots and alert paths by default', () => {
    const ix = indexByPid(tree);
    const open = defaultExpanded(ix, markAlertPaths(ix, [{ pid: 4, chain: [] }]));
    expect(visibleRows(tree, open).map((r) => r.node.pid)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('groupByFirstPid', () => {
  it('groups rows by the process that made them first', () => {
    const g = groupByFirstPid([{ firstPid: 3, q: 'a' }, { firstPid: 4, q: 'b' }, { firstPid: 3, q: 'c' }]);
    expect(g.get(3)?.map((r) => r.q)).toEqual(['a', 'c']);
    expect(g.get(5)).toBeUndefined();
  });
});
