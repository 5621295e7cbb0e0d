// The npm and pip builds of the package-scripts scenario: fixture packages packed offline
// (`npm pack`, a tarred sdist), a workspace per build with its lockfile written before the
// build, and the install run under `telltale run`. Nothing is downloaded: npm is --offline
// with a dead registry and a fresh cache, pip is --no-index with a local --find-links.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimalEnv } from '../support/cargo.js';
import { runTracked } from '../support/telltale-procs.js';
import type { WatchedStack } from '../support/watched-stack.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
/** Debian's python3 (python3-pip, -setuptools, -wheel from scripts/test.sh), not whatever python3 PATH finds. */
export const PYTHON = '/usr/bin/python3';
export const COLORS_JS = { name: 'colors-js', version: '1.0.0' } as const;
export const TIDY_STRINGS = { name: 'tidy-strings', version: '2.3.0' } as const;
export const COLORAMA_PY = { name: 'colorama-py', version: '0.4.7' } as const;

export interface TrackedBuild {
  code: number | null;
  output: string;
  report: { buildId: string; alerts: { kind: string }[]; complete: boolean };
}

/** npm with no registry it could reach, no user or global npmrc, a cache of the test's own. */
export function npmEnv(dir: string): Record<string, string> {
  const [user, global] = [join(dir, 'npmrc-user'), join(dir, 'npmrc-global')];
  for (const f of [user, global]) writeFileSync(f, '');
  return {
    ...minimalEnv(), npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true', npm_config_cache: join(dir, 'npm-cache'),
    npm_config_userconfig: user, npm_config_globalconfig: global, npm_config_audit: 'false', npm_config_fund: 'false',
    npm_config_update_notifier: 'false', npm_config_loglevel: 'error',
  };
}

/** `npm pack` of each fixture package into `<dir>/pkgs`; returns the tarballs' paths by package name. */
export function packNpmFixtures(dir: string, env: Record<string, string>): Record<string, string> {
  const out = join(dir, 'pkgs');
  mkdirSync(out, { recursive: true });
  const tarballs: Record<string, string> = {};
  for (const p of [COLORS_JS, TIDY_STRINGS]) {
    execFileSync('npm', ['pack', '--offline', '--pack-destination', out, join(FIXTURES, 'npm', p.name)], { env, stdio: 'pipe' });
    tarballs[p.name] = join(out, `${p.name}-${p.version}.tgz`);
  }
  return tarballs;
}

/** A project depending on the given tarballs, its package-lock.json written offline without running anything. */
export function npmProject(dir: string, env: Record<string, string>, deps: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(deps).map(([name, tgz]) => [name, `file:${tgz}`]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'e2e-app', version: '0.0.0', private: true, dependencies }, null, 2));
  execFileSync('npm', ['install', '--package-lock-only', '--offline', '--ignore-scripts'], { cwd: dir, env, stdio: 'pipe' });
  return dir;
}

/** The colorama-py sdist, tarred as `python3 setup.py sdist` would name it, into `<dir>/dist`. */
export function buildSdist(dir: string): string {
  const src = join(dir, 'sdist-src', `${COLORAMA_PY.name}-${COLORAMA_PY.version}`);
  cpSync(join(FIXTURES, 'pip', COLORAMA_PY.name), src, { recursive: true });
  const dist = join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  execFileSync('tar', ['-czf', join(dist, `${COLORAMA_PY.name}-${COLORAMA_PY.version}.tar.gz`), '-C', join(dir, 'sdist-src'), `${COLORAMA_PY.name}-${COLORAMA_PY.version}`]);
  return dist;
}

/** A workspace whose requirements.txt pins colorama-py. */
export function pipWorkspace(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'requirements.txt'), `${COLORAMA_PY.name}==${COLORAMA_PY.version}\n`);
  return dir;
}

/** pip reading no config file, user site or cache: only the local --find-links directory. */
export function pipInstallArgs(dist: string, target: string, extra: string[] = []): string[] {
  return [PYTHON, '-m', 'pip', 'install', '--no-index', '--find-links', dist, '--no-build-isolation', '--no-cache-dir', '--disable-pip-version-check',
    '--no-input', '--root-user-action=ignore', '--quiet', '--target', target, ...extra, '-r', 'requirements.txt'];
}

export function pipEnv(): Record<string, string> {
  return { ...minimalEnv(), PIP_CONFIG_FILE: '/dev/null', PYTHONNOUSERSITE: '1' };
}

/** `telltale run --fail-on-alert -- CMD` in `cwd` (the workspace whose lockfiles the agent reads), with its report. */
export async function trackedBuild(stack: WatchedStack, o: { pipeline: string; runId: string; cwd: string; cmd: string[]; env: Record<string, string> }): Promise<TrackedBuild> {
  const report = join(stack.dir, `${o.pipeline.replace(/\W/g, '_')}-${o.runId}.json`);
  const r = await runTracked(['--data-dir', join(stack.dir, 'agent'), '--pipeline', o.pipeline, '--run-id', o.runId, '--report', report,
    '--fail-on-alert', '--', ...o.cmd], o.env, o.cwd);
  return { ...r, report: JSON.parse(readFileSync(report, 'utf8')) as TrackedBuild['report'] };
}
