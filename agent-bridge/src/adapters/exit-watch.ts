// Lets `end build` wait until the build command's exit has come through the event stream.
// Pure bookkeeping; the caller supplies exits as they arrive and bounds the wait.

export class ExitWatch {
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];
  private readonly waiters = new Map<number, (() => void)[]>();

  constructor(private readonly remember = 4096) {}

  exited(pid: number): void {
    if (!this.seen.has(pid)) {
      this.seen.add(pid);
      this.order.push(pid);
      if (this.order.length > this.remember) this.seen.delete(this.order.shift()!);
    }
    const ws = this.waiters.get(pid);
    if (ws) {
      this.waiters.delete(pid);
      for (const w of ws) w();
    }
  }

  /** Resolves true once `pid` has exited (or had already), false after `timeoutMs`. */
  waitFor(pid: number, timeoutMs: number): Promise<boolean> {
    if (this.seen.has(pid)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); resolve(true); };
      const timer = setTimeout(() => {
        const ws = this.waiters.get(pid)?.filter((w) => w !== done) ?? [];
        if (ws.length) this.waiters.set(pid, ws); else this.waiters.delete(pid);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(pid, [...(this.waiters.get(pid) ?? []), done]);
    });
  }
}
