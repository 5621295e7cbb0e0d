import { describe, expect, it } from 'vitest';
import { ciContextFromEnv } from './ci-context.js';

describe('ciContextFromEnv', () => {
  it('reads GitHub Actions variables, run attempt included', () => {
    const c = ciContextFromEnv({
      GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/pay', GITHUB_WORKFLOW_REF: 'acme/pay/.github/workflows/ci.yml@refs/heads/main',
      GITHUB_RUN_ID: '991', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'build', GITHUB_SHA: 'abc123',
    });
    expect(c).toEqual({ ciProvider: 'github', repo: 'acme/pay', commit: 'abc123', job: 'build', pipeline: 'acme/pay:.github/workflows/ci.yml', runId: '991.2' });
  });
  it('reads GitLab CI variables', () => {
    const c = ciContextFromEnv({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'g/p', CI_COMMIT_SHA: 'f00', CI_JOB_NAME: 'test', CI_PIPELINE_ID: '77' });
    expect(c).toMatchObject({ ciProvider: 'gitlab', pipeline: 'g/p:.gitlab-ci.yml', runId: '77', job: 'test', commit: 'f00' });
  });
  it('reads Jenkins and Buildkite variables', () => {
    expect(ciContextFromEnv({ JENKINS_URL: 'http://j', JOB_NAME: 'folder/app', BUILD_NUMBER: '12', GIT_COMMIT: 'c1' }))
      .toMatchObject({ ciProvider: 'jenkins', pipeline: 'folder/app', runId: '12', commit: 'c1' });
    expect(ciContextFromEnv({ BUILDKITE: 'true', BUILDKITE_ORGANIZATION_SLUG: 'acme', BUILDKITE_PIPELINE_SLUG: 'app', BUILDKITE_BUILD_NUMBER: '5', BUILDKITE_COMMIT: 'c2' }))
      .toMatchObject({ ciProvider: 'buildkite', pipeline: 'acme/app', runId: '5', commit: 'c2' });
  });
  it('falls back to a local context and bounds hostile lengths', () => {
    expect(ciContextFromEnv({}).ciProvider).toBe('local');
    expect(ciContextFromEnv({ JENKINS_URL: 'x', JOB_NAME: 'j'.repeat(10_000) }).pipeline.length).toBe(512);
  });
});
