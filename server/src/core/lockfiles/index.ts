// The lockfile building blocks: which files are lockfiles, their parsers, the diff between two
// builds' lockfiles and the dependency path to a package. Pure: the caller reads the files.
import type { LockfileKind } from '@telltale/proto';
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
export { dependencyGraph, dependencyPaths, describePath, isDirect, MAX_PATH_DEPTH, MAX_PATHS, type DependencyGraph } from './dependency-path.js';
export { compareVersions } from './version-order.js';

// The name rule lives with the wire contract: the agent finds lockfiles by it too.
export { lockfileKind, type LockfileKind } from '@telltale/proto';

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
