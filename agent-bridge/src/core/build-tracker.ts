// Decides which tracked build a host event belongs to: a process is in a build when the
// build's root pid (itself included) is among its ancestors. A child inherits its build when
// it is forked, so ancestors that exit, or whose pid is later reused, do not change it.
// Over the bound, exited processes are forgotten first and live build members last: a member
// forgotten after its parent died would be found again through /proc under PID 1, outside its build.
import type { HostEvent } from './host-event.js';

export interface BuildTrackerOptions {
  /** Parent of a live process the tracker never saw (the adapter reads /proc/<pid>/stat). */
  lookupParent: (pid: number) => number | null;
  /** Bound on remembered processes. */
  maxProcesses?: number;
  /** How long an exited process is kept for late events and for its children's sake. */
  exitGraceUs?: number;
}

interface Proc {
  ppid: number | null;
  serial: number;
  /** Cached answer: a build id, or null meaning "none" as of `epoch`. */
  build: string | null;
  epoch: number;
  exitedAtUs: number | null;
}

const MAX_DEPTH = 256;

export class BuildTracker {
  private readonly procs = new Map<number, Proc>();
  private readonly roots = new Map<string, { pid: number; serial: number }>();
  /** Exits in arrival order; `exitHead` is the first not yet forgotten. */
  private exited: { pid: number; serial: number; atUs: number }[] = [];
  private exitHead = 0;
  /**
   * Processes in the order they were learned (stale once forgotten or relearned). Before
   * `othersAt` every live entry is a root or a build member (until an unregister); before
   * `membersAt` every entry is forgotten or a root. So each eviction is O(1) amortized.
   */
  private learned: { pid: number; proc: Proc }[] = [];
  private othersAt = 0;
  private membersAt = 0;
  private epoch = 0;
  private serials = 0;
  private readonly maxProcesses: number;
  private readonly exitGraceUs: number;
  private liveEvictions = 0;
  private liveMemberEvictions = 0;

  constructor(private readonly opts: BuildTrackerOptions) {
    this.maxProcesses = opts.maxProcesses ?? 65_536;
    this.exitGraceUs = opts.exitGraceUs ?? 30_000_000;
  }

  register(buildId: string, rootPid: number): void {
    const root = this.procs.get(rootPid) ?? this.learn(rootPid, this.opts.lookupParent(rootPid));
    this.roots.set(buildId, { pid: rootPid, serial: root.serial });
    root.build = buildId;
    // Processes cached as "in no build" must look again: the new root may be their ancestor.
    this.epoch++;
    this.bound();
  }

  unregister(buildId: string): void {
    this.roots.delete(buildId);
    this.othersAt = 0; // its members are now evictable like any other process
  }

  get size(): number {
    return this.procs.size;
  }

  /** Live processes forgotten because of the bound (members included): their events may go unassigned. */
  get evictedLive(): number {
    return this.liveEvictions;
  }

  /** Live members of a registered build forgotten because of the bound, the last resort: they may leave their build. */
  get evictedLiveMembers(): number {
    return this.liveMemberEvictions;
  }

  assign(event: HostEvent): string | null {
    const build = this.place(event);
    this.bound(); // after placing, so a child just forked into a build is known as a member
    return build;
  }

  private place(event: HostEvent): string | null {
    switch (event.kind) {
      case 'loss': return null;
      case 'fork': {
        // A fork of a pid we still hold means the pid was reused: start afresh.
        const child = this.learn(event.pid, event.ppid);
        child.build = this.resolve(event.ppid);
        child.epoch = this.epoch;
        return this.valid(child.build);
      }
      case 'exec': {
        const known = this.procs.get(event.pid);
        // The fork's parent beats exec's ppid, which is the reaper once a parent has died.
        if (known === undefined || known.exitedAtUs !== null) this.learn(event.pid, event.ppid);
        return this.resolve(event.pid);
      }
      case 'exit': {
        const build = this.resolve(event.pid);
        const p = this.procs.get(event.pid);
        if (p !== undefined && p.exitedAtUs === null) {
          p.exitedAtUs = event.timeUs;
          this.exited.push({ pid: event.pid, serial: p.serial, atUs: event.timeUs });
        }
        this.forgetExited(event.timeUs);
        return build;
      }
      case 'connect':
      case 'dns':
        return this.resolve(event.pid);
    }
  }

  private learn(pid: number, ppid: number | null): Proc {
    this.procs.delete(pid);
    const p: Proc = { ppid, serial: ++this.serials, build: null, epoch: -1, exitedAtUs: null };
    this.procs.set(pid, p);
    this.learned.push({ pid, proc: p });
    return p;
  }

  private resolve(pid: number): string | null {
    const path: Proc[] = [];
    let answer: string | null = null;
    let cur: number | null = pid;
    for (let depth = 0; cur !== null && cur > 0 && depth < MAX_DEPTH; depth++) {
      const rootOf = this.rootOf(cur);
      if (rootOf !== null) { answer = rootOf; break; }
      let p = this.procs.get(cur);
      if (p !== undefined && this.cacheValid(p)) { answer = p.build; break; }
      if (p === undefined) {
        const ppid = this.opts.lookupParent(cur);
        if (ppid === null) break;
        p = this.learn(cur, ppid);
      }
      if (path.includes(p)) break;
      path.push(p);
      cur = p.ppid;
    }
    for (const p of path) {
      p.build = answer;
      p.epoch = this.epoch;
    }
    return answer;
  }

  private rootOf(pid: number): string | null {
    for (const [buildId, root] of this.roots) {
      if (root.pid === pid && this.procs.get(pid)?.serial === root.serial) return buildId;
    }
    return null;
  }

  private cacheValid(p: Proc): boolean {
    return p.build !== null ? this.roots.has(p.build) : p.epoch === this.epoch;
  }

  private valid(build: string | null): string | null {
    return build !== null && this.roots.has(build) ? build : null;
  }

  private forgetExited(nowUs: number): void {
    for (; this.exitHead < this.exited.length; this.exitHead++) {
      const e = this.exited[this.exitHead];
      if (e === undefined || e.atUs + this.exitGraceUs >= nowUs) break;
      if (this.procs.get(e.pid)?.serial === e.serial) this.procs.delete(e.pid);
    }
    this.compactExited();
  }

  private compactExited(): void {
    if (this.exitHead > 1024 && this.exitHead * 2 > this.exited.length) {
      this.exited = this.exited.slice(this.exitHead);
      this.exitHead = 0;
    }
  }

  /**
   * Keeps at most `maxProcesses`, never forgetting a build's root. First exited processes
   * (oldest exit first), then live processes in no registered build, and only then, counted
   * apart, live build members (oldest first).
   */
  private bound(): void {
    if (this.procs.size > this.maxProcesses) this.evict();
    this.compactLearned();
  }

  private evict(): void {
    const rootSerials = new Set([...this.roots.values()].map((r) => r.serial));
    const isRoot = (p: Proc) => rootSerials.has(p.serial);
    const isMember = (p: Proc) => p.build !== null && this.roots.has(p.build);
    const current = (e: { pid: number; proc: Proc }) => this.procs.get(e.pid) === e.proc;

    for (const end = this.exited.length; this.procs.size > this.maxProcesses && this.exitHead < end;) {
      const e = this.exited[this.exitHead++]!;
      const p = this.procs.get(e.pid);
      if (p?.serial !== e.serial) continue;
      if (isRoot(p)) this.exited.push(e); // kept; forgotten once past its grace period
      else this.procs.delete(e.pid);
    }
    this.compactExited();

    for (; this.procs.size > this.maxProcesses && this.othersAt < this.learned.length; this.othersAt++) {
      const e = this.learned[this.othersAt]!;
      if (!current(e) || e.proc.exitedAtUs !== null || isRoot(e.proc) || isMember(e.proc)) continue;
      this.procs.delete(e.pid);
      this.liveEvictions++;
    }

    for (; this.procs.size > this.maxProcesses && this.membersAt < this.learned.length; this.membersAt++) {
      const e = this.learned[this.membersAt]!;
      if (!current(e) || isRoot(e.proc)) continue;
      this.procs.delete(e.pid);
      if (e.proc.exitedAtUs === null) this.liveEvictions++;
      if (e.proc.exitedAtUs === null && isMember(e.proc)) this.liveMemberEvictions++;
    }
  }

  /** Drops forgotten entries once they are most of `learned`, keeping both cursors in place. */
  private compactLearned(): void {
    if (this.learned.length <= 2 * this.procs.size + 1024) return;
    const kept: { pid: number; proc: Proc }[] = [];
    let othersAt = 0;
    let membersAt = 0;
    this.learned.forEach((e, i) => {
      if (this.procs.get(e.pid) !== e.proc) return;
      if (i < this.othersAt) othersAt++;
      if (i < this.membersAt) membersAt++;
      kept.push(e);
    });
    this.learned = kept;
    this.othersAt = othersAt;
    this.membersAt = membersAt;
  }
}
