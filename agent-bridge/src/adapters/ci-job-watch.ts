// Finds CI jobs on this host without `telltale run`: when a runner's job executor starts a
// process, that job becomes a build, named from the process's allowlisted CI variables.
// GitHub's Runner.Worker and Buildkite's `bootstrap` live for one job: the executor is the
// build's root and its exit ends the build. GitLab's and Jenkins's executors serve many jobs:
// each process they start is a build's root, ended by its own exit. A per-job executor's later
// children are the job's next steps: their environments (step-level `env:`) hold secrets too.
import type { CiContext } from '../core/ci-context.js';
import { jobContext, jobExecutorKind, allowlistedEnv, workspaceFromEnv, type RunnerKind } from '../core/ci-runner.js';
import { readEnviron, readImage } from './proc-reader.js';

export interface FoundJob {
  kind: 'job';
  context: CiContext;
  rootPid: number;
  /** The checkout the job's CI names (its lockfiles are there); null when it names none. */
  workspace: string | null;
}

/** A later step of a job already found: `pid`'s environment belongs to the build rooted at `rootPid`. */
export interface FoundStep {
  kind: 'step';
  rootPid: number;
  pid: number;
}

const PER_JOB_EXECUTOR: ReadonlySet<RunnerKind> = new Set(['github', 'buildkite']);

export class CiJobWatch {
  /** Executors seen (pid → runner kind, null when the pid is no executor), forgotten at exit. */
  private readonly executors = new Map<number, RunnerKind | null>();
  /** Roots of the builds this watch started. */
  private readonly roots = new Set<number>();

  constructor(private readonly io: { image: typeof readImage; environ: typeof readEnviron } = { image: readImage, environ: readEnviron }) {}

  /** A process started: a new CI job, a later step of one, or null. Reads /proc once per parent. */
  started(pid: number, ppid: number): FoundJob | FoundStep | null {
    let kind = this.executors.get(ppid);
    if (kind === undefined) {
      const image = this.io.image(ppid);
      kind = image ? jobExecutorKind(image) : null;
      // Bounded: a host that forks a lot must not grow this without end.
      if (this.executors.size >= 4096) this.executors.clear();
      this.executors.set(ppid, kind);
    }
    if (!kind) return null;
    const rootPid = PER_JOB_EXECUTOR.has(kind) ? ppid : pid;
    if (this.roots.has(rootPid)) return rootPid === ppid ? { kind: 'step', rootPid, pid } : null;
    const environ = this.io.environ(pid);
    if (environ === null) return null;
    const env = allowlistedEnv(environ);
    const context = jobContext(kind, env);
    if (!context) return null;
    this.roots.add(rootPid);
    return { kind: 'job', context, rootPid, workspace: workspaceFromEnv(env) };
  }

  /** A process exited; true when it was the root of a build this watch started. */
  exited(pid: number): boolean {
    this.executors.delete(pid);
    return this.roots.delete(pid);
  }
}
