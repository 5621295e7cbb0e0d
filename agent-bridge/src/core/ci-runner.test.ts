import { describe, expect, it } from 'vitest';
import { allowlistedEnv, jobContext, jobExecutorKind, workspaceFromEnv } from './ci-runner.js';

const environ = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\0') + '\0';

describe('CI runner job roots', () => {
  it('recognises each runner\'s job executor by its image, and nothing else', () => {
    expect(jobExecutorKind({ exe: '/home/runner/actions-runner/bin/Runner.Worker', argv: ['/home/runner/actions-runner/bin/Runner.Worker', 'spawnclient', '103', '106'] })).toBe('github');
    expect(jobExecutorKind({ exe: '/usr/bin/gitlab-runner', argv: ['gitlab-runner', 'run'] })).toBe('gitlab');
    expect(jobExecutorKind({ exe: '/usr/bin/buildkite-agent', argv: ['buildkite-agent', 'bootstrap'] })).toBe('buildkite');
    expect(jobExecutorKind({ exe: '/usr/bin/buildkite-agent', argv: ['buildkite-agent', 'start'] })).toBeNull();
    expect(jobExecutorKind({ exe: '/usr/lib/jvm/java-17/bin/java', argv: ['java', '-jar', '/var/jenkins/agent.jar', '-url', 'x'] })).toBe('jenkins');
    expect(jobExecutorKind({ exe: '/usr/bin/java', argv: ['java', '-jar', 'app.jar'] })).toBeNull();
    expect(jobExecutorKind({ exe: '/usr/bin/bash', argv: ['bash'] })).toBeNull();
  });

  it('reads only allowlisted variables, never secrets, and cuts credentials out of URLs', () => {
    const env = allowlistedEnv(environ({
      GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'c0ffee', GITHUB_TOKEN: 'ghs_secret', AWS_SECRET_ACCESS_KEY: 'wJalr',
      GIT_URL: 'https://ci-bot:hunter2@git.example/acme/app.git', 'WEIRD=NAME': 'x', GITHUB_JOB: 'a=b',
    }));
    expect(env).toEqual({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'c0ffee', GIT_URL: 'https://git.example/acme/app.git', GITHUB_JOB: 'a=b' });
    expect(JSON.stringify(env)).not.toMatch(/secret|hunter2|wJalr/);
    expect(allowlistedEnv('')).toEqual({});
    // A long token, and a password holding '@', are cut whole.
    const jwt = 'eyJ' + 'a'.repeat(700);
    expect(allowlistedEnv(environ({ GIT_URL: `https://oauth2:${jwt}@git.example/x.git` }))).toEqual({ GIT_URL: 'https://git.example/x.git' });
    expect(allowlistedEnv(environ({ BUILDKITE_REPO: 'https://u:p@ss@git.example/x.git' }))).toEqual({ BUILDKITE_REPO: 'https://git.example/x.git' });
    expect(allowlistedEnv('=\0GITHUB_SHA\0\0GITHUB_JOB=')).toEqual({ GITHUB_JOB: '' });
  });

  it('names the build from the job\'s variables, only when they are the runner\'s own', () => {
    const gh = allowlistedEnv(environ({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/ci.yml@refs/heads/main', GITHUB_RUN_ID: '42', GITHUB_JOB: 'build', GITHUB_SHA: 'c0ffee' }));
    expect(jobContext('github', gh)).toEqual({ ciProvider: 'github', pipeline: 'acme/app:.github/workflows/ci.yml', runId: '42', job: 'build', repo: 'acme/app', commit: 'c0ffee' });
    expect(jobContext('gitlab', gh)).toBeNull();
    expect(jobContext('github', {})).toBeNull();
  });

  it('finds the job\'s checkout (its lockfiles) from the variable its CI names it by', () => {
    const env = (block: string) => workspaceFromEnv(allowlistedEnv(block));
    expect(env('GITHUB_ACTIONS=true\0GITHUB_WORKSPACE=/home/runner/work/pay/pay\0')).toBe('/home/runner/work/pay/pay');
    expect(env('GITLAB_CI=true\0CI_PROJECT_DIR=/builds/acme/pay\0')).toBe('/builds/acme/pay');
    expect(env('BUILDKITE=true\0BUILDKITE_BUILD_CHECKOUT_PATH=/var/lib/buildkite-agent/builds/x\0')).toBe('/var/lib/buildkite-agent/builds/x');
    expect(env('JENKINS_URL=http://j\0WORKSPACE=/var/jenkins/ws/pay\0')).toBe('/var/jenkins/ws/pay');
    expect(env('GITHUB_WORKSPACE=relative/dir\0')).toBeNull();
    expect(env('HOME=/root\0')).toBeNull();
  });
});
