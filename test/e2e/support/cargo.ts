// Runs `cargo build --offline` on a fixture workspace for e2e tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace whose transitive dependency `url-parsr` can leak over DNS. */
export const CARGO_EXFIL_WORKSPACE = fileURLToPath(new URL('../fixtures/cargo-exfil', import.meta.url));

/** What `url-parsr/build.rs` resolves, in order, with TELLTALE_FIXTURE_BENIGN_DNS=1 (see the fixture README). */
export const BENIGN_NAMES: readonly string[] = [
  'index.crates.io', 'static.crates.io', 'github.com', 'objects.githubusercontent.com',
  'd3h5fk9a6x1u7s.cloudfront.net', 'codeload.github.com', 'static.rust-lang.org', 'registry-1.docker.io',
];

/** Variables copied from process.env (when present) into the build's minimal env. */
export const PASSTHROUGH_ENV = ['PATH', 'HOME', 'CARGO_HOME', 'RUSTUP_HOME'] as const;

export interface CargoBuildOptions {
  /** Directory holding the workspace Cargo.toml (the cwd of cargo). */
  workspace: string;
  /** Passed as CARGO_TARGET_DIR; use a fresh temp dir to force build scripts to run. */
  targetDir: string;
  /** Merged over the minimal env; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Extra arguments after `build --offline --locked --quiet`. */
  args?: string[];
  /** Kill cargo (its whole process group) after this long; default 180 s. */
  timeoutMs?: number;
  /** cargo binary; default: $TELLTALE_TEST_CARGO, then `cargo` on PATH, then $CARGO_HOME/bin/cargo. */
  cargo?: string;
}

export interface CargoBuildResult {
  /** Exit code; null if killed by a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export function minimalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASSTHROUGH_ENV) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Finds a cargo binary, or null. */
export function findCargo(): string | null {
  const explicit = process.env.TELLTALE_TEST_CARGO;
  if (explicit) return explicit;
  const probe = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (probe.status === 0) return 'cargo';
  const home = process.env.CARGO_HOME ?? (process.env.HOME ? path.join(process.env.HOME, '.cargo') : undefined);
  const candidate = home ? path.join(home, 'bin', 'cargo') : undefined;
  return candidate && existsSync(candidate) ? candidate : null;
}

export function cargoBuild(opts: CargoBuildOptions): Promise<CargoBuildResult> {
  const cargo = opts.cargo ?? findCargo();
  if (!cargo) return Promise.reject(new Error('cargo not found (set TELLTALE_TEST_CARGO or put cargo on PATH)'));
  const env: Record<string, string> = { ...minimalEnv(), CARGO_TARGET_DIR: opts.targetDir };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const args = ['build', '--offline', '--locked', '--quiet', ...(opts.args ?? [])];
  const timeoutMs = opts.timeoutMs ?? 180_000;

  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // Own process group, so a timeout can stop rustc and build scripts too.
    const child = spawn(cargo, args, { cwd: opts.workspace, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
  });
}

/**
 * Output dirs of a crate's build-script *runs* under a target dir
 * (`<target>/debug/build/<crate>-<hash>/` holding `stderr` and `out/`),
 * following cargo's layout as of 1.95. Empty if none ran.
 */
export function buildScriptRunDirs(targetDir: string, crate: string, profile = 'debug'): string[] {
  const base = path.join(targetDir, profile, 'build');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((d) => d.startsWith(crate + '-') && /^[0-9a-f]+$/.test(d.slice(crate.length + 1)))
    .map((d) => path.join(base, d))
    .filter((d) => existsSync(path.join(d, 'stderr')) || existsSync(path.join(d, 'out')));
}

/** Concatenated stderr of a crate's build-script runs ('' if none ran): the fixture's diagnostics. */
export function buildScriptStderr(targetDir: string, crate: string, profile = 'debug'): string {
  return buildScriptRunDirs(targetDir, crate, profile)
    .map((d) => (existsSync(path.join(d, 'stderr')) ? readFileSync(path.join(d, 'stderr'), 'utf8') : ''))
    .join('');
}
