// Which files are lockfiles, by name alone: the agent looks for these in a build's workspace,
// the collector picks the parser by the same rule.

export type LockfileKind = 'cargo-lock' | 'npm-lock' | 'poetry-lock' | 'requirements-txt' | 'go-sum';

/** The kind of lockfile a path names, by its file name alone; null for anything else. */
export function lockfileKind(path: string): LockfileKind | null {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (name === 'Cargo.lock') return 'cargo-lock';
  // node_modules/.package-lock.json is npm's own cache of the tree it installed: a lockfile to
  // the parser, though the agent never walks into node_modules to find one.
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json' || name === '.package-lock.json') return 'npm-lock';
  if (name === 'poetry.lock') return 'poetry-lock';
  if (/^requirements[\w.-]*\.txt$/.test(name)) return 'requirements-txt';
  if (name === 'go.sum') return 'go-sum';
  return null;
}
