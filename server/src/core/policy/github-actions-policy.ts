// A GitHub Actions workflow whose job runs the build under telltale (see ci-snippet.ts).

import type { PolicyBaseline } from './policy-baseline.js';
import { agentStartScript, agentStopScript, block, ciNotes, ciPipeline, runScript } from './ci-snippet.js';
import { policyHeader } from './policy-header.js';
import { preparePolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';
import { quoted } from './policy-text.js';

export function toGithubActions(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts, false);
  const pipeline = ciPipeline(p);
  const header = policyHeader(p, 'telltale build job for GitHub Actions (.github/workflows/telltale.yml)',
    ciNotes(p, 'the repository variable TELLTALE_GRPC and the secret TELLTALE_INGEST_TOKEN'), false);
  const out = [...header,
    'name: telltale build',
    'on: [push, pull_request]',
    'permissions:',
    '  contents: read',
    'jobs:',
    '  telltale-build:',
    '    runs-on: ubuntu-latest',
    '    env:',
    `      TELLTALE_PIPELINE: ${quoted(pipeline)}`,
    '      TELLTALE_GRPC: ${{ vars.TELLTALE_GRPC }}',
    '      TELLTALE_INGEST_TOKEN: ${{ secrets.TELLTALE_INGEST_TOKEN }}',
    // A collector reachable from runners listens with TLS: its CA, and the agent's name if tokens are per agent.
    '      TELLTALE_AGENT_TLS_CA: ${{ vars.TELLTALE_AGENT_TLS_CA }}',
    '      TELLTALE_AGENT_NAME: ${{ vars.TELLTALE_AGENT_NAME }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - name: Start the telltale agent',
    '        run: |',
    '          command -v bpftrace >/dev/null || { sudo apt-get update && sudo apt-get install -y bpftrace; }',
    // Later steps get the agent's data directory from GITHUB_ENV.
    ...block(agentStartScript('$GITHUB_ENV'), 10),
    '      - name: Build under telltale',
    '        run: |',
    ...block(runScript(p), 10),
    '      - name: Stop the telltale agent',
    '        if: always()',
    '        run: |',
    ...block(agentStopScript(), 10),
    '      - name: Keep the telltale report',
    '        if: always()',
    '        uses: actions/upload-artifact@v4',
    '        with:',
    '          name: telltale-report',
    '          path: telltale-report.json',
    '          if-no-files-found: ignore',
  ];
  return `${out.join('\n')}\n`;
}
