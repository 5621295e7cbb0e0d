import { describe, expect, it } from 'vitest';
import { CiJobWatch } from './ci-job-watch.js';

const GITHUB = 'GITHUB_ACTIONS=true\0GITHUB_REPOSITORY=acme/app\0GITHUB_RUN_ID=1\0GITHUB_JOB=build\0GITHUB_SHA=abc\0GITHUB_WORKFLOW=ci\0';
const GITLAB = 'GITLAB_CI=true\0CI_PROJECT_PATH=acme/app\0CI_PIPELINE_ID=7\0CI_JOB_NAME=build\0CI_COMMIT_SHA=abc\0';

describe('CiJobWatch', () => {
  it('GitHub: the executor\'s first child starts the job, each later child is one of its steps', () => {
    const w = new CiJobWatch({ image: (pid) => (pid === 10 ? { exe: '/runner/bin/Runner.Worker', argv: ['Runner.Worker'] } : null), environ: () => GITHUB });
    expect(w.started(11, 10)).toMatchObject({ kind: 'job', rootPid: 10, context: { ciProvider: 'github', repo: 'acme/app' } });
    expect(w.started(12, 10)).toEqual({ kind: 'step', rootPid: 10, pid: 12 });
    expect(w.started(13, 12)).toBeNull(); // a step's own child: not a step
    expect(w.exited(10)).toBe(true);
    expect(w.started(14, 10)).toMatchObject({ kind: 'job' }); // the pid serves a new job
  });

  it('a per-process executor (GitLab) starts a build per child, with no steps', () => {
    const w = new CiJobWatch({ image: (pid) => (pid === 20 ? { exe: '/usr/bin/gitlab-runner', argv: ['gitlab-runner', 'run'] } : null), environ: () => GITLAB });
    expect(w.started(21, 20)).toMatchObject({ kind: 'job', rootPid: 21, context: { ciProvider: 'gitlab' } });
    expect(w.started(21, 20)).toBeNull(); // the same process exec'ing again
    expect(w.started(22, 20)).toMatchObject({ kind: 'job', rootPid: 22 });
  });
});
