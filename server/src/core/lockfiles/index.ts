// The lockfile building blocks: which files are lockfiles, their parsers, the diff between two
// builds' lockfiles and the dependency path to a package. Pure: the caller reads the files.
import { parseCargoLock } from './cargo-lock.js';
import { parseGoSum } from './go-sum.js';
import type { LockfileLimits, LockfileParse } from './lockfile.js';
import { parseNpmLock } from './npm-lock.js';
import { parsePoetryLock, parseRequirementsTxt } from './python-lock.js';

export * from './lockfile.js';
export { parseCargoLock } from './cargo-lock.js';
export { parseNpmLock } from './npm-lock.js';
export { parsePoetryLock, parseRequirementsTxt } from './python-lock.js';
export { parseGoSum } from './go-sum.js';
export { diffLockfiles, type Arrival, type InPlaceChange, type Introducer, type LockfileDiff, type VersionChange } from './lockfile-diff.js';
export { describeArrival } from './arrival-text.js';
export { dependencyPaths, describePath, isDirect, MAX_PATH_DEPTH, MAX_PATHS } from './dependency-path.js';
export { compareVersions } from './version-order.js';

export type LockfileKind = 'cargo-lock' | 'npm-lock' | 'poetry-lock' | 'requirements-txt' | 'go-sum';

/** The kind of lockfile a path names, by its file name alone; null for anything else. */
export function lockfileKind(path: string): LockfileKind | null {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (name === 'Cargo.lock') return 'cargo-lock';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json' || name === '.package-lock.json') return 'npm-lock';
  if (name === 'poetry.lock') return 'poetry-lock';
  if (/^requirements[\w.-]*\.txt$/.test(name)) return 'requirements-txt';
  if (name === 'go.sum') return 'go-sum';
  return null;
}

const parsers: Record<LockfileKind, (text: string, limits?: Partial<LockfileLimits>) => LockfileParse> = {
  'cargo-lock': parseCargoLock,
  'npm-lock': parseNpmLock,
  'poetry-lock': parsePoetryLock,
  'requirements-txt': parseRequirementsTxt,
  'go-sum': parseGoSum,
};

export function parseLockfile(kind: LockfileKind, text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  return parsers[kind](text, limits);
}
