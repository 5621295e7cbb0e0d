import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PolicyBaseline } from './policy-baseline.js';
import { toGithubActions } from './github-actions-policy.js';
import { toGitlabCi } from './gitlab-ci-policy.js';

const ready = JSON.parse(readFileSync(new URL('./testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;

describe('CI snippets', () => {
  it('GitHub Actions: a job that starts the agent and runs the build under telltale run', () => {
    const doc = parse(toGithubActions(ready, { buildCommand: 'cargo build --locked' })) as Record<string, any>;
    const job = doc.jobs['telltale-build'];
    expect(job.env.TELLTALE_PIPELINE).toBe(ready.pipeline);
    const runs = (job.steps as Array<{ run?: string }>).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('telltale agent --grpc "$TELLTALE_GRPC"');
    expect(runs).toContain('telltale run --pipeline="$TELLTALE_PIPELINE" --data-dir "$TELLTALE_DATA_DIR" --report telltale-report.json -- \\');
    expect(runs).toContain('setpriv --reuid="$(id -u)" --regid="$(id -g)" --init-groups cargo build --locked');
  });

  it.each([['GitHub Actions', toGithubActions], ['GitLab CI', toGitlabCi]] as const)('%s: the agent\'s directory and control socket stay root\'s', (_, render) => {
    const text = render(ready, { mode: 'enforce' });
    // The build must not reach the control socket: no chown of it, a root-made directory, the agent not tracking the runner's job.
    expect(text).not.toMatch(/chown/);
    expect(text).toContain('mktemp -d /var/tmp/telltale-agent.XXXXXXXX');
    expect(text).toContain('--no-ci-jobs');
    expect(text).not.toMatch(/\/tmp\/telltale-\$CI_JOB_ID|RUNNER_TEMP/);
    // The stop checks the directory before it trusts the pid file in it.
    expect(text).toContain('[ "$(stat -c %u "$TELLTALE_DATA_DIR")" = 0 ]');
  });

  it('GitLab CI: the same in one script, the agent stopped by a trap', () => {
    const doc = parse(toGitlabCi(ready, { mode: 'enforce' })) as Record<string, any>;
    const job = doc['telltale-build'];
    expect(job.variables.TELLTALE_PIPELINE).toBe(ready.pipeline);
    expect(job.script[0]).toContain('telltale agent');
    expect(job.script[0]).toContain('trap telltale_stop EXIT');
    expect(job.script[0]).toContain('--fail-on-alert -- \\');
    expect(job.script[0]).toContain('--init-groups make');
  });

  it('fails the job on an alert only in enforce', () => {
    expect(toGithubActions(ready)).not.toContain('--fail-on-alert');
    expect(toGithubActions(ready, { mode: 'enforce' })).toContain('--fail-on-alert');
  });

  it('does not wait for a ready baseline: it is how one gets learnt', () => {
    const learning = { ...ready, readiness: 'learning' as const, learnedBuilds: 0 };
    expect(toGitlabCi(learning)).toContain('telltale-build:');
    expect(toGitlabCi(learning)).not.toContain('WARNING: NOT READY');
  });

  it.each(['${{ secrets.GITHUB_TOKEN }}', '$HOME', 'a"b', 'a\nb', '`id`', ' lead', 'x\\y'])('refuses to write the pipeline %j into CI YAML', (pipeline) => {
    expect(() => toGithubActions({ ...ready, pipeline })).toThrow(expect.objectContaining({ code: 'invalid_entry' }) as Error);
    expect(() => toGitlabCi({ ...ready, pipeline })).toThrow(expect.objectContaining({ code: 'invalid_entry' }) as Error);
  });

  it('keeps Jenkins-style names with spaces', () => {
    const doc = parse(toGitlabCi({ ...ready, pipeline: 'My Folder/My Job' })) as Record<string, any>;
    expect(doc['telltale-build'].variables.TELLTALE_PIPELINE).toBe('My Folder/My Job');
  });
});
