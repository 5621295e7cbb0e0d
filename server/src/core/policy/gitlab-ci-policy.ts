// A GitLab CI job that runs the build under telltale (see ci-snippet.ts), in one script: the
// agent is started, the build run under telltale run, and the agent stopped by a trap.

import type { PolicyBaseline } from './policy-baseline.js';
import { agentStartScript, agentStopScript, block, ciNotes, ciPipeline, runScript } from './ci-snippet.js';
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
    // One shell for all of it: the agent's directory never passes through a file the build can
    // write, and the trap stops the agent however the build ends.
    '  script:',
    '    - |',
    ...block(agentStartScript(null), 6),
    '      telltale_stop() {',
    ...block(agentStopScript(), 8),
    '      }',
    '      trap telltale_stop EXIT',
    ...block(runScript(p), 6),
    '  artifacts:',
    '    when: always',
    '    paths:',
    '      - telltale-report.json',
  ];
  return `${out.join('\n')}\n`;
}
