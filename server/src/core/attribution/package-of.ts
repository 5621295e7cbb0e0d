// Which package a build script belongs to, read from the process alone: cargo names the build
// script's directory after its crate and runs it in the crate's source directory, npm runs a
// lifecycle script in the package's folder under node_modules, pip builds in a folder named
// after the requirement, and go generate runs in the module's cache directory. A version is
// given only where the path carries it (registry sources, the module cache); the lockfile of
// the build (issue 8, not wired yet) fills in the rest.
import type { BuildScriptKind, ProcessInfo } from '../observation.js';

export interface PackageRef {
  ecosystem: 'cargo' | 'npm' | 'pypi' | 'go';
  name: string;
  version: string | null;
  /** What the attribution was read from, for a person: `build script path`, `working directory`. */
  from: string;
}

const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const parent = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const SEMVER = /^(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$/;

export function packageOfBuildScript(kind: BuildScriptKind, p: ProcessInfo): PackageRef | null {
  switch (kind) {
    case 'cargo_build_script': return cargoPackage(p);
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
