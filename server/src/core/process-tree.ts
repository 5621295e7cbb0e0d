// One build's processes, keyed by pid: built from exec/fork/exit events, answering
// "what is the chain from the build's root to this process" and "which build script is above it".
import type { BuildScriptAncestor, BuildScriptKind, ProcessInfo } from './observation.js';
import { classifyBuildScript } from './build-script.js';

export interface ProcessNode extends ProcessInfo {
  uid: number;
  exitCode: number | null;
  exitedUs: number | null;
  buildScriptKind: BuildScriptKind | null;
}

const MAX_CHAIN = 256;

export class ProcessTree {
  private readonly nodes = new Map<number, ProcessNode>();

  constructor(readonly rootPid: number, readonly maxProcesses = 200_000) {}

  get size(): number {
    return this.nodes.size;
  }

  get(pid: number): ProcessNode | undefined {
    return this.nodes.get(pid);
  }

  all(): IterableIterator<ProcessNode> {
    return this.nodes.values();
  }

  /** Adds or replaces a node as loaded from storage (no classification rerun). */
  restore(node: ProcessNode): void {
    this.nodes.set(node.pid, node);
  }

  /** Returns the node, or null when the tree is full (the caller counts the drop). */
  exec(e: { pid: number; ppid: number; exe: string; argv: string[]; cwd: string; uid: number; startTimeUs: number }): ProcessNode | null {
    const previous = this.nodes.get(e.pid);
    // A pid that exited and came back is a new process: the old node is replaced.
    const ppid = previous && previous.exitedUs === null && e.ppid === 0 ? previous.ppid : e.ppid;
    if (!previous && this.nodes.size >= this.maxProcesses) return null;
    const node: ProcessNode = {
      pid: e.pid, ppid, exe: e.exe, argv: e.argv, cwd: e.cwd, uid: e.uid, startTimeUs: e.startTimeUs,
      exitCode: null, exitedUs: null, buildScriptKind: null,
    };
    node.buildScriptKind = classifyBuildScript(node, this.nodes.get(ppid));
    this.nodes.set(e.pid, node);
    return node;
  }

  /** A forked child runs its parent's image until it execs. */
  fork(pid: number, ppid: number, timeUs: number): ProcessNode | null {
    if (!this.nodes.has(pid) && this.nodes.size >= this.maxProcesses) return null;
    const parent = this.nodes.get(ppid);
    const node: ProcessNode = {
      pid, ppid, exe: parent?.exe ?? '', argv: parent?.argv ?? [], cwd: parent?.cwd ?? '', uid: parent?.uid ?? 0,
      startTimeUs: timeUs, exitCode: null, exitedUs: null, buildScriptKind: null,
    };
    this.nodes.set(pid, node);
    return node;
  }

  exit(pid: number, exitCode: number, timeUs: number): ProcessNode | undefined {
    const node = this.nodes.get(pid);
    if (node) {
      node.exitCode = exitCode;
      node.exitedUs = timeUs;
    }
    return node;
  }

  /** Root first, `pid` last. A pid never seen gives a one-element chain of what is known. */
  chain(pid: number): ProcessNode[] {
    const out: ProcessNode[] = [];
    const seen = new Set<number>();
    let current = this.nodes.get(pid);
    while (current && !seen.has(current.pid) && out.length < MAX_CHAIN) {
      out.push(current);
      seen.add(current.pid);
      if (current.pid === this.rootPid) break;
      current = this.nodes.get(current.ppid);
    }
    return out.reverse();
  }

  buildScriptOf(chain: ProcessNode[]): BuildScriptAncestor | null {
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = chain[i]!;
      if (node.buildScriptKind) return { kind: node.buildScriptKind, process: node };
    }
    return null;
  }
}

export function unknownProcess(pid: number): ProcessNode {
  return { pid, ppid: 0, exe: '', argv: [], cwd: '', uid: 0, startTimeUs: 0, exitCode: null, exitedUs: null, buildScriptKind: null };
}
