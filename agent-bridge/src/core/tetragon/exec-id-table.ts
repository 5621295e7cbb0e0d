// exec_id -> pid for the processes the decoder has seen, so a child whose event names only its
// parent_exec_id still gets a ppid. Bounded: past the cap the oldest exited entry goes first,
// then the oldest live one (counted by the caller, since a later child then loses its ppid).

export class ExecIdTable {
  /** Insertion order is age. */
  private readonly live = new Map<string, number>();
  private readonly exited = new Map<string, number>();

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`exec_id table cap ${cap}`);
  }

  get size(): number {
    return this.live.size + this.exited.size;
  }

  has(execId: string): boolean {
    return this.live.has(execId) || this.exited.has(execId);
  }

  pid(execId: string): number | undefined {
    return this.live.get(execId) ?? this.exited.get(execId);
  }

  /** Records a process; returns how many live entries were evicted to make room. */
  add(execId: string, pid: number): number {
    this.exited.delete(execId);
    this.live.delete(execId);
    this.live.set(execId, pid);
    let evictedLive = 0;
    while (this.size > this.cap) {
      const oldExited = this.exited.keys().next();
      if (!oldExited.done) {
        this.exited.delete(oldExited.value);
        continue;
      }
      const oldLive = this.live.keys().next();
      if (oldLive.done) break;
      this.live.delete(oldLive.value);
      evictedLive++;
    }
    return evictedLive;
  }

  /** The process exited: kept (its children may still report it as parent) but evicted first. */
  exit(execId: string): void {
    const pid = this.live.get(execId);
    if (pid === undefined) return;
    this.live.delete(execId);
    this.exited.set(execId, pid);
  }
}
