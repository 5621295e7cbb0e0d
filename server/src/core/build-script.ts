// Recognises the processes that run third-party code at build time: cargo build scripts,
// rustc loading proc-macros, npm lifecycle scripts, setup.py / PEP 517 backends, and go generate.
import type { BuildScriptKind, ProcessInfo } from './observation.js';
import { parseRustcArgs } from './rustc-args.js';

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

const cargoBuildScript = /^(build-script-[a-z0-9_-]+|build_script_[a-z0-9_]+-[0-9a-f]+)$/;
const pythonExe = /^python[0-9.]*$/;
/**
 * pip before 25.3 runs a setup.py-only sdist as `python -c <caller> egg_info|bdist_wheel`, the
 * path of setup.py only inside the code (past what an argv capture keeps): its opening names it.
 * pip 22.0 to 25.2 open with a `<pip-setuptools-caller>` comment, earlier ones with this import.
 */
const pipSetupPyCaller = /^\s*exec\(compile\('''\s*# This is <pip-setuptools-caller>|^import io, os, sys, setuptools, tokenize; sys\.argv\[0\] = /;

/**
 * Classifies one process by its own image and arguments. `parent` helps where the process
 * alone is ambiguous (an npm lifecycle script is a plain `sh -c` started by npm).
 */
export function classifyBuildScript(p: ProcessInfo, parent: ProcessInfo | undefined): BuildScriptKind | null {
  const exe = baseName(p.exe);
  if (cargoBuildScript.test(exe)) return 'cargo_build_script';
  // rustc as a toolchain binary (~/.rustup/toolchains/<t>/bin/rustc) or the rustup proxy. Only
  // loading a proc-macro runs third-party code; compiling one (`--crate-type proc-macro`) does not.
  if (exe === 'rustc' && parseRustcArgs(p.argv).procMacros.length > 0) return 'rustc_proc_macro';
  if (pythonExe.test(exe) && (p.argv.some((a) => a === 'setup.py' || a.endsWith('/setup.py') || a.endsWith('/_in_process.py')) || runsPipCaller(p.argv))) {
    return 'setup_py';
  }
  if (exe === 'go' && p.argv[1] === 'generate') return 'go_generate';
  if ((exe === 'sh' || exe === 'bash' || exe === 'dash') && p.argv[1] === '-c' && parent && isNpm(parent)) {
    return 'npm_lifecycle';
  }
  return null;
}

function runsPipCaller(argv: readonly string[]): boolean {
  const c = argv.indexOf('-c');
  return c > 0 && pipSetupPyCaller.test(argv[c + 1] ?? '');
}

function isNpm(p: ProcessInfo): boolean {
  const exe = baseName(p.exe);
  if (exe === 'npm' || exe === 'npx' || exe === 'pnpm' || exe === 'yarn') return true;
  return (exe === 'node' || exe.startsWith('node')) && p.argv.some((a) => /(^|\/)(npm|npx|pnpm|yarn)(-cli)?(\.c?js)?$/.test(a));
}
