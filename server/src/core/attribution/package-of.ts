// Which package a build script belongs to, read from the process alone: cargo names the build
// script's directory after its crate and runs it in the crate's source directory, npm runs a
// lifecycle script in the package's folder under node_modules, pip builds in a folder named
// after the requirement, and go generate runs in the module's cache directory. A version is
// given only where the path carries it (registry sources, the module cache); the lockfile of
// the build (issue 8, not wired yet) fills in the rest. A rustc loading proc-macros is
// attributed to the crate it compiles, with the macros that ran inside it listed.
import type { BuildScriptKind, ProcessInfo } from '../observation.js';
import { parseRustcArgs } from '../rustc-args.js';

export interface PackageRef {
  ecosystem: 'cargo' | 'npm' | 'pypi' | 'go';
  name: string;
  version: string | null;
  /** What the attribution was read from, for a person: `build script path`, `working directory`. */
  from: string;
  /** rustc_proc_macro only: the proc-macro crates rustc loaded; the code that ran is one of theirs. */
  procMacros?: string[];
}

const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const parent = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const SEMVER = /^(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$/;
/** A registry or versioned vendor directory, `<name>-<version>`: the shortest name leaving a version. */
const NAME_VERSION = /^(.+?)-(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$/;

export function packageOfBuildScript(kind: BuildScriptKind, p: ProcessInfo): PackageRef | null {
  switch (kind) {
    case 'cargo_build_script': return cargoPackage(p);
    case 'rustc_proc_macro': return rustcCrate(p.argv);
    case 'npm_lifecycle': return npmPackage(p.cwd);
    case 'setup_py': return pipPackage(p.cwd);
    case 'go_generate': return goModule(p.cwd);
    default: return null;
  }
}

/** `target/<profile>/build/<crate>-<16 hex>/build-script-build`, run in the crate's source directory. */
function cargoPackage(p: ProcessInfo): PackageRef | null {
  const dir = base(parent(p.exe));
  const m = /^(.+)-[0-9a-f]{16}$/.exec(dir);
  if (!m) return null;
  const name = m[1]!;
  // Registry and vendored sources live in `<name>-<version>`; a path dependency in any folder.
  const src = base(p.cwd);
  const version = src.startsWith(`${name}-`) ? SEMVER.exec(src.slice(name.length + 1))?.[1] ?? null : null;
  return { ecosystem: 'cargo', name, version, from: version ? 'build script path and source directory' : 'build script path' };
}

/**
 * The crate rustc compiles: `--crate-name` (underscores), with the package's hyphens and version
 * from a `<name>-<version>` directory above the source file when the names agree modulo -/_.
 * In a registry or vendor directory that directory is the package even when its library is
 * named otherwise (`md-5` builds `md5`, every package builds `build_script_build`).
 */
function rustcCrate(argv: readonly string[]): PackageRef | null {
  const { crateName, source, procMacros } = parseRustcArgs(argv);
  const found = source === null ? null : sourcePackage(source, crateName);
  const name = found?.name ?? crateName;
  if (name === null) return null;
  return { ecosystem: 'cargo', name, version: found?.version ?? null, from: 'rustc arguments', procMacros };
}

function sourcePackage(source: string, crateName: string | null): { name: string; version: string } | null {
  const dirs = source.split('/').slice(0, -1);
  const same = (a: string, b: string): boolean => a.replace(/-/g, '_') === b.replace(/-/g, '_');
  // Nearest first: `<pkg>/src/lib.rs`, `<pkg>/build.rs`, `<pkg>/src/bin/x.rs`.
  for (let i = dirs.length - 1; i >= 0 && crateName !== null; i--) {
    const m = NAME_VERSION.exec(dirs[i]!);
    if (m && same(m[1]!, crateName)) return { name: m[1]!, version: m[2]! };
  }
  // `<cargo home>/registry/src/<index>/<pkg>-<version>/…`, `…/vendor/<pkg>-<version>/…`.
  const registry = dirs.findIndex((d, i) => d === 'registry' && dirs[i + 1] === 'src');
  const vendor = dirs.lastIndexOf('vendor');
  const store = registry >= 0 ? dirs[registry + 3] : vendor >= 0 ? dirs[vendor + 1] : undefined;
  const m = store === undefined ? null : NAME_VERSION.exec(store);
  return m ? { name: m[1]!, version: m[2]! } : null;
}

/** `.../node_modules/<name>` or `.../node_modules/@scope/<name>`: the innermost one is the package running the script. */
function npmPackage(cwd: string): PackageRef | null {
  const at = cwd.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const rest = cwd.slice(at + '/node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') && rest[1] ? `${rest[0]}/${rest[1]}` : rest[0];
  return name ? { ecosystem: 'npm', name, version: null, from: 'working directory' } : null;
}

/** pip builds a requirement in `pip-install-XXXX/<name>_<32 hex>` (pip 20.1 and later). */
function pipPackage(cwd: string): PackageRef | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)_[0-9a-f]{32}$/.exec(base(cwd));
  if (!m || !parent(cwd).includes('pip-install-')) return null;
  return { ecosystem: 'pypi', name: m[1]!.toLowerCase().replace(/[-_.]+/g, '-'), version: null, from: 'working directory' };
}

/** The module cache: `.../pkg/mod/<module path>@<version>/<package dir>`. */
function goModule(cwd: string): PackageRef | null {
  const at = cwd.indexOf('/pkg/mod/');
  if (at < 0) return null;
  const m = /^(.+?)@(v[^/]+)/.exec(cwd.slice(at + '/pkg/mod/'.length));
  if (!m) return null;
  // The cache escapes capitals as '!' + lower case (github.com/!burnt!sushi).
  const name = m[1]!.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase());
  return { ecosystem: 'go', name, version: m[2]!, from: 'module cache directory' };
}
