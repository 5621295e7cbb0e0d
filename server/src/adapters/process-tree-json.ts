// A build's process tree as the API nests it: children under parents, unknown parents as roots.
import type { ProcessNode } from '@telltale/proto';
import type { ProcessTree } from '../core/process-tree.js';
import { usToIso } from './store-rows.js';

export function toTree(tree: ProcessTree): ProcessNode[] {
  const nodes = new Map<number, ProcessNode>();
  for (const p of tree.all()) {
    nodes.set(p.pid, {
      pid: p.pid, ppid: p.ppid, exe: p.exe, argv: p.argv, cwd: p.cwd, startedAt: usToIso(p.startTimeUs),
      exitCode: p.exitCode, buildScript: p.buildScriptKind, children: [],
    });
  }
  const roots: ProcessNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.pid === tree.rootPid ? undefined : nodes.get(n.ppid);
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}
