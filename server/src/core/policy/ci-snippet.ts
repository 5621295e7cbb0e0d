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
    'The gate is as strong as the build\'s inability to become root: the agent and telltale run are root\'s, the build runs as the job\'s user (setpriv), but a job user with sudo (GitHub-hosted runners have it) can stop either. On hosts you own, run the agent as a service (deploy/systemd, deploy/kubernetes) and give the build user no sudo.',
    'Runs the build as a tracked build: starts a telltale agent (needs root and bpftrace; `telltale` must be on PATH), runs the build under `telltale run`, and stops the agent.',
    `The collector's gRPC address and the agent's ingest token come from ${secrets}.`,
    p.opts.mode === 'enforce'
      ? 'Enforce: --fail-on-alert. The job fails with exit 3 when the build raised an alert, and with exit 4 when there is no complete verdict (no agent, events lost, processes outliving the build): it fails closed.'
      : 'Audit: the build\'s alerts are printed and kept in telltale-report.json; the job\'s result is the build\'s own. Generate with mode enforce to fail the job on an alert.',
    'This file carries no allowlist, so it is generated whatever the baseline\'s readiness: it is how a baseline gets learnt.',
  ];
}

/**
 * Shell lines (no YAML) that start the agent in the background and wait until it is ready.
 * The agent's data directory (its control socket, spool and log) is made by root with mktemp
 * and stays root's: the build must not reach the control socket (it could register a build of
 * its own and leak outside the one the gate waits on) nor swap it for a socket answering
 * "clean". `envFile`: where the CI passes the directory's name to later steps.
 */
export function agentStartScript(envFile: string | null): string[] {
  return [
    'if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi',
    'TELLTALE_DATA_DIR="$($SUDO mktemp -d /var/tmp/telltale-agent.XXXXXXXX)"',
    ...(envFile === null ? [] : [`echo "TELLTALE_DATA_DIR=$TELLTALE_DATA_DIR" >> "${envFile}"`]),
    '# --no-ci-jobs: the build is the one telltale run registers below, not the runner\'s job',
    '$SUDO --preserve-env=TELLTALE_GRPC,TELLTALE_INGEST_TOKEN,TELLTALE_AGENT_NAME,TELLTALE_AGENT_TLS_CA \\',
    '  env "PATH=$PATH" sh -c \'echo $$ > "$0/agent.pid"; exec telltale agent --grpc "$TELLTALE_GRPC" --data-dir "$0" --no-ci-jobs > "$0/agent.log" 2>&1\' "$TELLTALE_DATA_DIR" &',
    'for i in $(seq 1 60); do',
    '  $SUDO grep -q "telltale agent ready" "$TELLTALE_DATA_DIR/agent.log" 2>/dev/null && break',
    '  sleep 1',
    'done',
    '$SUDO grep -q "telltale agent ready" "$TELLTALE_DATA_DIR/agent.log" || { $SUDO cat "$TELLTALE_DATA_DIR/agent.log"; exit 1; }',
  ];
}

/**
 * Stops the agent by the pid it wrote into its own directory, once the directory is checked
 * to be one this snippet made (root's, not a link): the variable naming it passed through
 * places the build can write.
 */
export function agentStopScript(): string[] {
  return [
    'if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi',
    'case "$TELLTALE_DATA_DIR" in /var/tmp/telltale-agent.*) ;; *) echo "telltale: unexpected agent directory" >&2; exit 1;; esac',
    'if [ -d "$TELLTALE_DATA_DIR" ] && [ ! -L "$TELLTALE_DATA_DIR" ] && [ "$(stat -c %u "$TELLTALE_DATA_DIR")" = 0 ]; then',
    '  $SUDO kill "$($SUDO cat "$TELLTALE_DATA_DIR/agent.pid")" || true',
    '  $SUDO cat "$TELLTALE_DATA_DIR/agent.log" || true',
    'fi',
  ];
}

/**
 * `telltale run` as root (the control socket is root's), handing the build itself back to
 * the job's user with setpriv, environment unchanged.
 */
export function runScript(p: PreparedPolicy): string[] {
  const gate = p.opts.mode === 'enforce' ? ' --fail-on-alert' : '';
  return [
    'if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo --preserve-env"; fi',
    `$SUDO env "PATH=$PATH" telltale run --pipeline="$TELLTALE_PIPELINE" --data-dir "$TELLTALE_DATA_DIR" --report telltale-report.json${gate} -- \\`,
    `  setpriv --reuid="$(id -u)" --regid="$(id -g)" --init-groups ${p.opts.buildCommand}`,
  ];
}

/** Lines as a YAML literal block at `indent` spaces. */
export function block(lines: readonly string[], indent: number): string[] {
  return lines.map((l) => `${' '.repeat(indent)}${l}`);
}
