// A drain barrier across every CPU's perf buffer. bpftrace reads per-CPU buffers in turn, so
// a build command's exit can be read before the exits (or DNS packets) its children wrote on
// another CPU just before. Making the script's canary syscall once on each CPU and waiting
// for all of those READY lines proves every earlier event of every CPU has been read.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The pid no process has; the script prints READY for kill(CANARY_PID, 0). */
const CANARY_PID = 0x7ffffff0;

export class CpuBarrier {
  private readonly waiting = new Map<number, () => void>();

  /** Feed every READY record's pid here. */
  ready(pid: number): void {
    const done = this.waiting.get(pid);
    if (done) {
      this.waiting.delete(pid);
      done();
    }
  }

  /** Resolves true once a canary from every CPU has come through, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const cpus = availableParallelism();
    const seen: Promise<boolean>[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) {
      // `sh -c 'kill -0 …'` makes the syscall from the shell itself, pinned to `cpu`.
      const child = spawn('taskset', ['-c', String(cpu), 'sh', '-c', `kill -0 ${CANARY_PID} 2>/dev/null; exit 0`], { stdio: 'ignore' });
      const pid = child.pid;
      if (pid === undefined) return false;
      seen.push(new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(pid);
          resolve(false);
        }, timeoutMs);
        this.waiting.set(pid, () => {
          clearTimeout(timer);
          resolve(true);
        });
        child.on('error', () => {
          clearTimeout(timer);
          this.waiting.delete(pid);
          resolve(false);
        });
      }));
    }
    return (await Promise.all(seen)).every(Boolean);
  }
}
