// What the GitHub Actions and GitLab CI snippets share: the checked pipeline name, the shell
// that starts the agent and waits for it, and the `telltale run` line.

import { PolicyError } from './policy-error.js';
import type { PreparedPolicy } from './policy-input.js';
import { quoted } from './policy-text.js';

/**
 * The pipeline goes into YAML and, through an environment variable, into a shell: no `$`,
 * braces, quotes or backslashes, so neither the CI's expression syntax (`${{ }}`, `$VAR`)
 * nor the shell can read it as anything but a name.
 */
export function ciPipeline(p: PreparedPolicy): string {
  if (!/^[A-Za-z0-9._/:@+-]([A-Za-z0-9._/:@+ -]{0,510}[A-Za-z0-9._/:@+-])?$/.test(p.pipeline)) {
    throw new PolicyError('invalid_entry', `pipeline ${quoted(p.pipeline, 80)} cannot be written into a CI file: use letters, digits, spaces and . _ / : @ + -`);
  }
  return p.pipeline;
}

export function ciNotes(p: PreparedPolicy, secrets: string): string[] {
  return [
    'Runs the build as a tracked build: starts a telltale agent (needs root and bpftrace; `telltale` must be on PATH), runs the build under `telltale run`, and stops the agent.',
    `The collector's gRPC address and the agent's ingest token come from ${secrets}.`,
    p.opts.mode === 'enforce'
      ? 'Enforce: --fail-on-alert. The job fails with exit 3 when the build raised an alert, and with exit 4 when there is no complete verdict (no agent, events lost, processes outliving the build): it fails closed.'
      : 'Audit: the build\'s alerts are printed and kept in telltale-report.json; the job\'s result is the build\'s own. Generate with mode enforce to fail the job on an alert.',
    'This file carries no allowlist, so it is generated whatever the baseline\'s readiness: it is how a baseline gets learnt.',
  ];
}

/** Shell lines (no YAML) that start the agent in the background and wait until it is ready. */
export function agentStartScript(): string[] {
  return [
    'if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo --preserve-env=TELLTALE_INGEST_TOKEN"; fi',
    'mkdir -p "$TELLTALE_DATA_DIR"',
    '$SUDO env "PATH=$PATH" telltale agent --grpc "$TELLTALE_GRPC" --data-dir "$TELLTALE_DATA_DIR" > "$TELLTALE_DATA_DIR/agent.log" 2>&1 &',
    'echo $! > "$TELLTALE_DATA_DIR/agent.pid"',
    'for i in $(seq 1 60); do',
    '  grep -q "telltale agent ready" "$TELLTALE_DATA_DIR/agent.log" && break',
    '  sleep 1',
    'done',
    'grep -q "telltale agent ready" "$TELLTALE_DATA_DIR/agent.log" || { cat "$TELLTALE_DATA_DIR/agent.log"; exit 1; }',
    '# the control socket is 0600 and the agent runs as root: let this job\'s user register builds',
    '$SUDO chown "$(id -u)" "$TELLTALE_DATA_DIR/agent.sock"',
  ];
}

export function agentStopScript(): string[] {
  return [
    'if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi',
    '$SUDO kill "$(cat "$TELLTALE_DATA_DIR/agent.pid")" || true',
    'cat "$TELLTALE_DATA_DIR/agent.log" || true',
  ];
}

export function runLine(p: PreparedPolicy): string {
  const gate = p.opts.mode === 'enforce' ? ' --fail-on-alert' : '';
  return `telltale run --pipeline="$TELLTALE_PIPELINE" --data-dir "$TELLTALE_DATA_DIR" --report telltale-report.json${gate} -- ${p.opts.buildCommand}`;
}

/** Lines as a YAML literal block at `indent` spaces. */
export function block(lines: readonly string[], indent: number): string[] {
  return lines.map((l) => `${' '.repeat(indent)}${l}`);
}
