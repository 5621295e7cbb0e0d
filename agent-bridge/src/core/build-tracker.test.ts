import { describe, expect, it } from 'vitest';
import { BuildTracker } from './build-tracker.js';
import type { HostEvent } from './host-event.js';

const fork = (ppid: number, pid: number, timeUs = 0): HostEvent => ({ kind: 'fork', timeUs, pid, ppid });
const exit = (pid: number, timeUs = 0): HostEvent => ({ kind: 'exit', timeUs, pid, exitCode: 0, signal: 0 });
const exec = (pid: number, ppid: number): HostEvent => ({
  kind: 'exec', timeUs: 0, pid, ppid, exe: '/bin/x', argv: [], cwd: '', uid: 0, startTimeUs: 0, argvTruncated: false,
});
const connect = (pid: number, timeUs = 0): HostEvent =>
  ({ kind: 'connect', timeUs, pid, family: 'inet', protocol: 'tcp', address: '1.2.3.4', port: 443 });

/** A fake /proc: parents of processes that were running before the tracker started. */
function procTable(parents: Record<number, number>) {
  const calls: number[] = [];
  return { calls, lookupParent: (pid: number) => { calls.push(pid); return parents[pid] ?? null; } };
}

describe('BuildTracker', () => {
  it('assigns the root and its descendants, with or without exec', () => {
    const t = new BuildTracker(procTable({ 100: 1 }));
    t.register('b1', 100);
    expect(t.assign(connect(100))).toBe('b1');
    expect(t.assign(fork(100, 101))).toBe('b1');
    expect(t.assign(fork(101, 102))).toBe('b1');
    expect(t.assign(exec(102, 101))).toBe('b1');
    expect(t.assign(connect(102))).toBe('b1');
    expect(t.assign(fork(101, 103))).toBe('b1'); // forked, never execs
    expect(t.assign(connect(103))).toBe('b1');
    expect(t.assign(fork(1, 200))).toBeNull();
    expect(t.assign(connect(200))).toBeNull();
    expect(t.assign({ kind: 'loss', timeUs: 0, source: 'bpftrace', reason: 'x', count: 1 })).toBeNull();
  });

  it('keeps separate builds apart', () => {
    const t = new BuildTracker(procTable({ 100: 1, 300: 1 }));
    t.register('b1', 100);
    t.register('b2', 300);
    t.assign(fork(100, 101));
    t.assign(fork(300, 301));
    expect([t.assign(connect(101)), t.assign(connect(301))]).toEqual(['b1', 'b2']);
  });

  it('keeps the fork parent when exec reports the reaper after the parent died', () => {
    const t = new BuildTracker(procTable({ 100: 1 }));
    t.register('b1', 100);
    t.assign(fork(100, 101));
    t.assign(fork(101, 102));
    t.assign(exit(101));
    expect(t.assign(exec(102, 1))).toBe('b1');
  });

  it('asks lookupParent about pids it never saw, once each', () => {
    const proc = procTable({ 100: 1, 150: 100, 200: 150, 400: 1 });
    const t = new BuildTracker(proc);
    t.register('b1', 100);
    expect(t.assign(connect(200))).toBe('b1');
    expect(t.assign(connect(200))).toBe('b1');
    expect(t.assign(connect(400))).toBeNull();
    expect(t.assign(connect(999))).toBeNull(); // gone before we could look
    expect(proc.calls.filter((p) => p === 200 || p === 150)).toEqual([200, 150]);
  });

  it('finds descendants that existed before the build was registered', () => {
    const t = new BuildTracker(procTable({ 100: 1 }));
    t.assign(fork(100, 101));
    expect(t.assign(connect(101))).toBeNull();
    t.register('b1', 100);
    expect(t.assign(connect(101))).toBe('b1');
  });

  it('does not give a reused pid the old process build', () => {
    const t = new BuildTracker({ ...procTable({ 100: 1 }), exitGraceUs: 1_000 });
    t.register('b1', 100);
    t.assign(fork(100, 101, 10));
    t.assign(exit(101, 20));
    // Reused at once (within the grace period) by an unrelated process.
    expect(t.assign(fork(1, 101, 30))).toBeNull();
    expect(t.assign(connect(101, 40))).toBeNull();
    // Exec without a fork seen, after the old one exited: also a new process.
    t.assign(fork(100, 102, 50));
    t.assign(exit(102, 60));
    expect(t.assign(exec(102, 1))).toBeNull();
  });

  it('does not treat a reused root pid as the root', () => {
    const t = new BuildTracker(procTable({ 100: 1 }));
    t.register('b1', 100);
    t.assign(exit(100));
    expect(t.assign(fork(1, 100))).toBeNull();
    expect(t.assign(connect(100))).toBeNull();
  });

  it('stops assigning after unregister', () => {
    const t = new BuildTracker(procTable({ 100: 1 }));
    t.register('b1', 100);
    t.assign(fork(100, 101));
    t.unregister('b1');
    expect(t.assign(connect(101))).toBeNull();
    expect(t.assign(connect(100))).toBeNull();
  });

  it('survives a parent cycle from a racing /proc', () => {
    const t = new BuildTracker(procTable({ 300: 301, 301: 300 }));
    t.register('b1', 100);
    expect(t.assign(connect(300))).toBeNull();
  });

  it('forgets exited processes after the grace period and bounds memory', () => {
    const t = new BuildTracker({ ...procTable({ 100: 1 }), maxProcesses: 100, exitGraceUs: 1_000 });
    t.register('b1', 100);
    for (let pid = 1000; pid < 1500; pid++) t.assign(fork(1, pid, pid));
    expect(t.size).toBeLessThanOrEqual(100);
    expect(t.evictedLive).toBeGreaterThan(0);
    expect(t.assign(connect(100))).toBe('b1'); // the root survives eviction
    t.assign(fork(100, 2000, 10_000));
    t.assign(exit(2000, 10_001));
    t.assign(exit(100, 10_002));
    t.assign(exit(1499, 20_000));
    const size = t.size;
    t.assign(exit(1498, 30_000));
    expect(t.size).toBeLessThan(size);
  });

  describe('over the bound', () => {
    it('keeps a live build member whose parent exited through a fork flood', () => {
      // Once 101 exits, /proc says 102's parent is PID 1: forgetting 102 would let it leave b1.
      const t = new BuildTracker({ ...procTable({ 100: 1, 102: 1 }), maxProcesses: 100 });
      t.register('b1', 100);
      t.assign(fork(100, 101));
      t.assign(fork(101, 102));
      t.assign(exit(101));
      for (let pid = 1000; pid < 1500; pid++) t.assign(fork(1, pid, pid));
      expect(t.size).toBeLessThanOrEqual(100);
      expect(t.assign(connect(102))).toBe('b1');
      expect(t.assign(fork(102, 103))).toBe('b1');
      expect(t.evictedLive).toBeGreaterThan(0);
      expect(t.evictedLiveMembers).toBe(0);
    });

    it('keeps a member when the build itself floods with short-lived children, forgetting exited ones first', () => {
      const t = new BuildTracker({ ...procTable({ 100: 1, 102: 1 }), maxProcesses: 100 });
      t.register('b1', 100);
      t.assign(fork(100, 101));
      t.assign(fork(101, 102));
      t.assign(exit(101));
      for (let pid = 200; pid < 250; pid++) t.assign(fork(1, pid)); // live, in no build
      for (let pid = 1000; pid < 3000; pid++) {
        t.assign(fork(100, pid, pid));
        t.assign(exit(pid, pid));
      }
      expect(t.size).toBeLessThanOrEqual(100);
      expect(t.assign(connect(102))).toBe('b1');
      expect(t.evictedLive).toBe(0); // exited processes were enough
    });

    it('forgets live processes in no build before members, even members of an unregistered build', () => {
      const t = new BuildTracker({ ...procTable({ 100: 1, 300: 1 }), maxProcesses: 100 });
      t.register('b1', 100);
      t.register('b2', 300);
      for (let pid = 1000; pid < 1040; pid++) t.assign(fork(100, pid));
      for (let pid = 2000; pid < 2040; pid++) t.assign(fork(300, pid));
      t.unregister('b1');
      for (let pid = 3000; pid < 3100; pid++) t.assign(fork(1, pid));
      expect(t.size).toBeLessThanOrEqual(100);
      expect(t.evictedLiveMembers).toBe(0);
      for (let pid = 2000; pid < 2040; pid++) expect(t.assign(connect(pid))).toBe('b2');
    });

    it('evicts live members only as a last resort, and counts them', () => {
      const t = new BuildTracker({ ...procTable({ 100: 1 }), maxProcesses: 100 });
      t.register('b1', 100);
      for (let pid = 1000; pid < 1150; pid++) t.assign(fork(100, pid));
      expect(t.size).toBeLessThanOrEqual(100);
      expect(t.evictedLiveMembers).toBe(51); // 151 processes, the root kept
      expect(t.evictedLive).toBe(51);
      expect(t.assign(connect(100))).toBe('b1');
      expect(t.assign(connect(1149))).toBe('b1');
    });

    it('evicts in O(1) amortized when a flood fills the table with live members', () => {
      // A scan of the table per eviction would take 80k x 20k steps here, far past the test timeout.
      const t = new BuildTracker({ ...procTable({ 100: 1 }), maxProcesses: 20_000 });
      t.register('b1', 100);
      for (let pid = 1000; pid < 101_000; pid++) t.assign(fork(100, pid));
      expect(t.size).toBe(20_000);
      expect(t.evictedLiveMembers).toBe(100_000 + 1 - 20_000);
    });

    it('does not grow its bookkeeping with processes that came and went under the bound', () => {
      const t = new BuildTracker({ ...procTable({ 100: 1 }), maxProcesses: 100, exitGraceUs: 0 });
      t.register('b1', 100);
      for (let pid = 1000; pid < 21_000; pid++) {
        t.assign(fork(100, pid, pid));
        t.assign(exit(pid, pid));
      }
      expect(t.size).toBeLessThanOrEqual(2);
      expect((t as unknown as { learned: unknown[] }).learned.length).toBeLessThan(2000);
      expect(t.evictedLive).toBe(0);
    });
  });
});
