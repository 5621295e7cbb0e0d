// Joins ARGV/ARGE lines to the EXEC that ran with them. The EXEC names its argv set by
// (old tid, T of the execve entry), so failed PATH-search attempts never match; it can
// arrive before its argv lines when exec migrated the task to another CPU, so it may wait.
import type { ArgvEndRecord, ArgvRecord, ExecRecord } from './bpftrace-record.js';
import { countDrop, type DropReason, type Drops } from './drops.js';

export interface ExecJoin {
  exec: ExecRecord;
  argv: string[];
  argvTruncated: boolean;
}

interface ArgvSet {
  t: bigint;
  args: (string | undefined)[];
  /** Lines the script sent, known once ARGE arrives. */
  count: number | null;
  truncated: boolean;
}

const key = (tid: number, t: bigint): string => `${tid}:${t}`;

export class ArgvJoiner {
  private readonly sets = new Map<string, ArgvSet>();
  private readonly waiting = new Map<string, ExecRecord>();

  constructor(
    private readonly drops: Drops,
    private readonly maxPending: number,
    /** An argument this long may have been cut by str() (BPFTRACE_STRLEN - 1). */
    private readonly strMaxBytes: number,
  ) {}

  argv(r: ArgvRecord): ExecJoin[] {
    const set = this.setFor(r.tid, r.t);
    set.args[r.index] = r.arg;
    if (r.argBytes >= this.strMaxBytes) set.truncated = true;
    return [...this.tryJoin(key(r.tid, r.t)), ...this.bound()];
  }

  end(r: ArgvEndRecord): ExecJoin[] {
    const set = this.setFor(r.tid, r.t);
    set.count = r.count;
    if (r.more) set.truncated = true;
    return [...this.tryJoin(key(r.tid, r.t)), ...this.bound()];
  }

  exec(r: ExecRecord): ExecJoin[] {
    if (r.argvT === 0n) {
      // The execve entry predates the script, or its @execat slot was lost.
      countDrop(this.drops, 'argv_missing');
      return [{ exec: r, argv: [], argvTruncated: true }];
    }
    const k = key(r.oldTid, r.argvT);
    this.waiting.set(k, r);
    return [...this.tryJoin(k), ...this.bound()];
  }

  /** Gives up on everything older than `before` (monotonic ns); null: on everything. */
  expire(before: bigint | null): ExecJoin[] {
    const out: ExecJoin[] = [];
    for (const [k, set] of this.sets) {
      if (before !== null && set.t >= before) break;
      this.sets.delete(k);
      // No exec waiting means a failed execve attempt: not a loss.
      const exec = this.waiting.get(k);
      if (exec !== undefined) out.push(this.partial(k, exec, set, null));
    }
    for (const [k, exec] of this.waiting) {
      if (before !== null && exec.t >= before) break;
      out.push(this.partial(k, exec, this.sets.get(k), null));
    }
    return out;
  }

  private setFor(tid: number, t: bigint): ArgvSet {
    const k = key(tid, t);
    let set = this.sets.get(k);
    if (set === undefined) {
      set = { t, args: [], count: null, truncated: false };
      this.sets.set(k, set);
    }
    return set;
  }

  private tryJoin(k: string): ExecJoin[] {
    const set = this.sets.get(k);
    const exec = this.waiting.get(k);
    if (set === undefined || exec === undefined || set.count === null) return [];
    for (let i = 0; i < set.count; i++) if (set.args[i] === undefined) return [];
    this.sets.delete(k);
    this.waiting.delete(k);
    return [{ exec, argv: set.args.slice(0, set.count) as string[], argvTruncated: set.truncated }];
  }

  private partial(k: string, exec: ExecRecord, set: ArgvSet | undefined, reason: DropReason | null): ExecJoin {
    this.waiting.delete(k);
    this.sets.delete(k);
    countDrop(this.drops, reason ?? (set === undefined ? 'argv_missing' : 'argv_incomplete'));
    const argv: string[] = [];
    for (const a of set?.args ?? []) {
      if (a === undefined) break;
      argv.push(a);
    }
    return { exec, argv, argvTruncated: true };
  }

  /** Lets the oldest pending state go once either map passes its bound. */
  private bound(): ExecJoin[] {
    const out: ExecJoin[] = [];
    while (this.sets.size > this.maxPending || this.waiting.size > this.maxPending) {
      const [k] = this.sets.size > this.maxPending ? this.sets.keys() : this.waiting.keys();
      if (k === undefined) break;
      const exec = this.waiting.get(k);
      if (exec !== undefined) out.push(this.partial(k, exec, this.sets.get(k), 'pending_overflow'));
      else {
        this.sets.delete(k);
        countDrop(this.drops, 'pending_overflow');
      }
    }
    return out;
  }
}
