// A GitLab CI job that runs the build under telltale (see ci-snippet.ts). before_script and
// script share one shell, so the agent started in the first is there for the second.

import type { PolicyBaseline } from './policy-baseline.js';
import { agentStartScript, agentStopScript, block, ciNotes, ciPipeline, runLine } from './ci-snippet.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { quoted } from './policy-text.js';

export function toGitlabCi(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts, false);
  const pipeline = ciPipeline(p);
  const header = policyHeader(p, 'telltale build job for GitLab CI (include it from .gitlab-ci.yml)',
    [...ciNotes(p, 'the CI/CD variables TELLTALE_GRPC and TELLTALE_INGEST_TOKEN (masked)'),
      'The runner must let the job load eBPF programs: a shell executor with sudo, or a privileged Docker executor.'], false);
  const out = [...header,
    'telltale-build:',
    '  variables:',
    `    TELLTALE_PIPELINE: ${quoted(pipeline)}`,
    '    TELLTALE_DATA_DIR: "/tmp/telltale-$CI_JOB_ID"',
    '  before_script:',
    '    - |',
    ...block(agentStartScript(), 6),
    '  script:',
    '    - |',
    ...block([runLine(p)], 6),
    '  after_script:',
    '    - |',
    ...block(agentStopScript(), 6),
    '  artifacts:',
    '    when: always',
    '    paths:',
    '      - telltale-report.json',
  ];
  return `${out.join('\n')}\n`;
}
