// A GitHub Actions workflow whose job runs the build under telltale (see ci-snippet.ts).

import type { PolicyBaseline } from './policy-baseline.js';
import { agentStartScript, agentStopScript, block, ciNotes, ciPipeline, runLine } from './ci-snippet.js';
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
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - name: Start the telltale agent',
    '        run: |',
    '          command -v bpftrace >/dev/null || { sudo apt-get update && sudo apt-get install -y bpftrace; }',
    // The runner context is not available in job-level env: later steps get the path from GITHUB_ENV.
    '          TELLTALE_DATA_DIR="$RUNNER_TEMP/telltale"',
    '          echo "TELLTALE_DATA_DIR=$TELLTALE_DATA_DIR" >> "$GITHUB_ENV"',
    ...block(agentStartScript(), 10),
    '      - name: Build under telltale',
    '        run: |',
    ...block([runLine(p)], 10),
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
