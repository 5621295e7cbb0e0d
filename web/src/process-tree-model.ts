// Pure helpers over a build's process tree: index by pid, alert paths, build-script descent, and the visible rows.
// Iterative walks throughout: an attacker can fork a chain thousands deep, and recursion would overflow.
import type { Alert, ProcessNode } from './api-types';

export interface IndexedProcess {
  node: ProcessNode;
  parentPid: number | null;
  depth: number;
}

export function indexByPid(roots: ProcessNode[]): Map<number, IndexedProcess> {
  const index = new Map<number, IndexedProcess>();
  const stack: IndexedProcess[] = roots.map((node) => ({ node, parentPid: null, depth: 0 })).reverse();
  while (stack.length) {
    const item = stack.pop()!;
    // The first sighting wins, so a malformed tree that repeats a pid cannot loop.
    if (index.has(item.node.pid)) continue;
    index.set(item.node.pid, item);
    for (let i = item.node.children.length - 1; i >= 0; i--) {
      stack.push({ node: item.node.children[i]!, parentPid: item.node.pid, depth: item.depth + 1 });
    }
  }
  return index;
}

/** The process an alert is about, as found in the tree: alert.pid, else the chain from its last element back. */
export function alertTargetPid(alert: Pick<Alert, 'pid' | 'chain'>, index: Map<number, IndexedProcess>): number | null {
  const candidates = [alert.pid, ...alert.chain.map((c) => c.pid).reverse()];
  return candidates.find((pid) => index.has(pid)) ?? null;
}

/** Every pid on a path from a root to a process that raised an alert (the alerting process included). */
export function markAlertPaths(index: Map<number, IndexedProcess>, alerts: Pick<Alert, 'pid' | 'chain'>[]): Set<number> {
  const marked = new Set<number>();
  for (const alert of alerts) {
    let pid = alertTargetPid(alert, index);
    while (pid !== null && !marked.has(pid)) {
      marked.add(pid);
      pid = index.get(pid)?.parentPid ?? null;
    }
  }
  return marked;
}

/** Pids of processes that are build scripts or descend from one. */
export function descendsFromBuildScript(roots: ProcessNode[]): Set<number> {
  const out = new Set<number>();
  const seen = new Set<number>();
  const stack: { node: ProcessNode; inherited: boolean }[] = roots.map((node) => ({ node, inherited: false }));
  while (stack.length) {
    const { node, inherited } = stack.pop()!;
    if (seen.has(node.pid)) continue;
    seen.add(node.pid);
    const marked = inherited || node.buildScript !== null;
    if (marked) out.add(node.pid);
    for (const child of node.children) stack.push({ node: child, inherited: marked });
  }
  return out;
}

export interface TreeRow {
  node: ProcessNode;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
}

/** The rows shown for a tree, depth first in order, descending only into expanded nodes. */
export function visibleRows(roots: ProcessNode[], expanded: ReadonlySet<number>): TreeRow[] {
  const rows: TreeRow[] = [];
  const seen = new Set<number>();
  const stack: { node: ProcessNode; depth: number }[] = roots.map((node) => ({ node, depth: 0 })).reverse();
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (seen.has(node.pid)) continue;
    seen.add(node.pid);
    const open = expanded.has(node.pid);
    rows.push({ node, depth, hasChildren: node.children.length > 0, expanded: open });
    if (!open) continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, depth: depth + 1 });
  }
  return rows;
}

/** Expanded at first: the roots and their children's parents up to `depth`, plus every alert path. */
export function defaultExpanded(index: Map<number, IndexedProcess>, alertPath: Set<number>, depth = 1): Set<number> {
  const out = new Set<number>(alertPath);
  for (const [pid, item] of index) if (item.depth < depth) out.add(pid);
  return out;
}

export function allPids(index: Map<number, IndexedProcess>): Set<number> {
  return new Set(index.keys());
}

/** Rows grouped by the process that first made them (DNS names and connections per process). */
export function groupByFirstPid<T extends { firstPid: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.firstPid);
    if (list) list.push(r);
    else out.set(r.firstPid, [r]);
  }
  return out;
}
