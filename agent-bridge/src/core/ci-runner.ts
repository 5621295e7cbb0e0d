// Builds found without `telltale run`: a process started by a CI runner's job executor is a
// job's root. Its CI variables are read once, from an allowlist of names that carry no
// secrets, and name the build (pipeline, run, job, repo, commit).
import { ciContextFromEnv, type CiContext } from './ci-context.js';

export type RunnerKind = 'github' | 'gitlab' | 'jenkins' | 'buildkite';

export interface ProcessImage {
  exe: string;
  argv: readonly string[];
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The runner whose job executor `parent` is, if any: GitHub's Runner.Worker, GitLab's
 * gitlab-runner, Jenkins's remoting agent (java -jar agent.jar / remoting.jar, or
 * hudson.remoting.Launcher), Buildkite's `buildkite-agent bootstrap`.
 */
export function jobExecutorKind(parent: ProcessImage): RunnerKind | null {
  const name = base(parent.exe);
  const argv0 = base(parent.argv[0] ?? '');
  if (name === 'Runner.Worker' || argv0 === 'Runner.Worker') return 'github';
  if (name === 'gitlab-runner' || argv0 === 'gitlab-runner') return 'gitlab';
  if ((name === 'buildkite-agent' || argv0 === 'buildkite-agent') && parent.argv.includes('bootstrap')) return 'buildkite';
  if (name === 'java' || name.startsWith('java')) {
    if (parent.argv.some((a) => /(^|\/)(agent|remoting|slave)\.jar$/.test(a) || a === 'hudson.remoting.Launcher' || a === 'hudson.remoting.jnlp.Main')) return 'jenkins';
  }
  return null;
}

/** Where each CI system checks the repository out (the job's workspace, where its lockfiles are). */
const WORKSPACE_VARIABLES = ['GITHUB_WORKSPACE', 'CI_PROJECT_DIR', 'BUILDKITE_BUILD_CHECKOUT_PATH', 'WORKSPACE'] as const;

/** The job's checkout directory from its allowlisted environment; null when none is named (or not absolute). */
export function workspaceFromEnv(env: Record<string, string>): string | null {
  for (const name of WORKSPACE_VARIABLES) {
    const dir = env[name];
    if (dir && dir.startsWith('/') && dir.length < 512) return dir;
  }
  return null;
}

/** The only variables read from a job's environment: names and ids, never tokens or keys. */
export const CI_ENV_ALLOWLIST: ReadonlySet<string> = new Set([
  'GITHUB_ACTIONS', 'GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_JOB', 'GITHUB_WORKFLOW', 'GITHUB_WORKFLOW_REF', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT',
  'GITLAB_CI', 'CI_PROJECT_PATH', 'CI_COMMIT_SHA', 'CI_JOB_NAME', 'CI_CONFIG_PATH', 'CI_PIPELINE_ID',
  'BUILDKITE', 'BUILDKITE_REPO', 'BUILDKITE_COMMIT', 'BUILDKITE_STEP_KEY', 'BUILDKITE_LABEL', 'BUILDKITE_ORGANIZATION_SLUG',
  'BUILDKITE_PIPELINE_SLUG', 'BUILDKITE_BUILD_NUMBER', 'BUILDKITE_BUILD_ID',
  'JENKINS_URL', 'GIT_URL', 'GIT_COMMIT', 'STAGE_NAME', 'JOB_BASE_NAME', 'JOB_NAME', 'BUILD_NUMBER', 'BUILD_ID',
  ...WORKSPACE_VARIABLES,
]);

/** A URL's user:password@ part (up to the last @ before the path), which repository URLs sometimes carry. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i;

/**
 * Picks the allowlisted variables out of a process's environment block (NUL-separated
 * NAME=value, as /proc/<pid>/environ holds it). Everything else is skipped without being
 * copied; credentials in URL values are cut out.
 */
export function allowlistedEnv(environ: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let start = 0;
  while (start < environ.length) {
    let end = environ.indexOf('\0', start);
    if (end < 0) end = environ.length;
    const eq = environ.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = environ.slice(start, eq);
      // Credentials are cut from the whole value before it is shortened: a long token must not
      // survive as its first 500 characters.
      if (CI_ENV_ALLOWLIST.has(name)) out[name] = environ.slice(eq + 1, end).replace(USERINFO, '$1').slice(0, 512);
    }
    start = end + 1;
  }
  return out;
}

/** The build context of a job root from its allowlisted environment; null when it names no CI build. */
export function jobContext(kind: RunnerKind, env: Record<string, string>): CiContext | null {
  const context = ciContextFromEnv(env);
  return context.ciProvider === kind ? context : null;
}
