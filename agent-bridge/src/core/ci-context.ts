// Build context from the CI environment (GitHub Actions, GitLab CI, Jenkins, Buildkite);
// flags given to `telltale run` override what the environment says.

export interface CiContext {
  ciProvider: string;
  pipeline: string;
  runId: string;
  job: string;
  repo: string;
  commit: string;
}

type Env = Record<string, string | undefined>;

const v = (env: Env, ...names: string[]): string => {
  for (const n of names) {
    const value = env[n];
    if (value) return value.slice(0, 512);
  }
  return '';
};

export function ciContextFromEnv(env: Env): CiContext {
  if (env.GITHUB_ACTIONS === 'true') {
    const repo = v(env, 'GITHUB_REPOSITORY');
    const attempt = v(env, 'GITHUB_RUN_ATTEMPT');
    return {
      ciProvider: 'github', repo, commit: v(env, 'GITHUB_SHA'), job: v(env, 'GITHUB_JOB'),
      pipeline: `${repo}:${v(env, 'GITHUB_WORKFLOW_REF', 'GITHUB_WORKFLOW').replace(/^[^/]+\/[^/]+\//, '').replace(/@.*$/, '')}`,
      runId: attempt ? `${v(env, 'GITHUB_RUN_ID')}.${attempt}` : v(env, 'GITHUB_RUN_ID'),
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      ciProvider: 'gitlab', repo: v(env, 'CI_PROJECT_PATH'), commit: v(env, 'CI_COMMIT_SHA'), job: v(env, 'CI_JOB_NAME'),
      pipeline: `${v(env, 'CI_PROJECT_PATH')}:${v(env, 'CI_CONFIG_PATH') || '.gitlab-ci.yml'}`, runId: v(env, 'CI_PIPELINE_ID'),
    };
  }
  if (env.BUILDKITE === 'true') {
    return {
      ciProvider: 'buildkite', repo: v(env, 'BUILDKITE_REPO'), commit: v(env, 'BUILDKITE_COMMIT'),
      job: v(env, 'BUILDKITE_STEP_KEY', 'BUILDKITE_LABEL'),
      pipeline: `${v(env, 'BUILDKITE_ORGANIZATION_SLUG')}/${v(env, 'BUILDKITE_PIPELINE_SLUG')}`, runId: v(env, 'BUILDKITE_BUILD_NUMBER', 'BUILDKITE_BUILD_ID'),
    };
  }
  if (env.JENKINS_URL) {
    return {
      ciProvider: 'jenkins', repo: v(env, 'GIT_URL'), commit: v(env, 'GIT_COMMIT'), job: v(env, 'STAGE_NAME', 'JOB_BASE_NAME'),
      pipeline: v(env, 'JOB_NAME'), runId: v(env, 'BUILD_NUMBER', 'BUILD_ID'),
    };
  }
  return { ciProvider: 'local', pipeline: 'local', runId: '', job: '', repo: '', commit: '' };
}
