// The common model every lockfile parser produces (Cargo.lock, package-lock.json, poetry.lock,
// requirements*.txt, go.sum), and the typed result a parser returns instead of throwing.

export type Ecosystem = 'cargo' | 'npm' | 'pypi' | 'go';
export type PackageSource = 'registry' | 'path' | 'git' | 'unknown';

export interface LockedPackage {
  /** Unique in its lockfile: `name@version`, with ` (source)` appended when one name@version comes from two sources. */
  id: string;
  name: string;
  /** As locked; '' when the lockfile pins none (an unpinned requirements.txt line, a project without a version). */
  version: string;
  source: PackageSource;
  /** Where from, as the lockfile says it: registry index, tarball URL, git URL with commit, path. */
  sourceDetail?: string;
  /** The artifact's hash(es) as the lockfile records them. */
  checksum?: string;
  /** Ids of the packages this one depends on, in this lockfile. */
  dependencies: string[];
  /**
   * Runs code of its own at build/install time: npm v2+ `hasInstallScript`, an sdist-only or git
   * Python package, never for Go. null: the lockfile cannot tell (Cargo.lock, npm v1).
   */
  hasBuildScript?: boolean | null;
  /** A stand-in for the project where the lockfile does not name it; never reported as a package. */
  synthetic?: true;
  /** go.sum: only the module's go.mod is locked, its code was not needed for the build. */
  metadataOnly?: true;
}

/**
 * How much of the dependency graph the lockfile holds. complete: every edge and the project;
 * roots_inferred: every edge, but the project's own dependencies are guessed (the packages no
 * other package needs); flat: the project needs every package, no edges between them;
 * none: no edges at all (go.sum).
 */
export type GraphKind = 'complete' | 'roots_inferred' | 'flat' | 'none';

export type LockNoteCode =
  | 'unpinned' // requirements.txt: a name without `==version`
  | 'include' // requirements.txt: `-r`/`-c` another file, not followed
  | 'option' // requirements.txt: an index or install option (`--extra-index-url`, ...)
  | 'direct_url' // requirements.txt: an editable, path or URL requirement without a name
  | 'unresolved_dependency' // a dependency that names no package in the file
  | 'ambiguous_dependency' // a dependency that names several packages
  | 'roots_inferred' // the project's direct dependencies were guessed
  | 'conflicting_hash' // go.sum: two hashes for one module version
  | 'unknown_version' // a format version newer than the parser knows, read anyway
  | 'notes_truncated';

export interface LockNote {
  code: LockNoteCode;
  /** The package, file or option the note is about. */
  subject: string;
  detail?: string;
}

export interface Lockfile {
  ecosystem: Ecosystem;
  /** Which file and format version, for a person: `Cargo.lock v4`, `package-lock.json v3`. */
  format: string;
  packages: LockedPackage[];
  /** Ids of the project and its workspace members (real or synthetic packages in `packages`). */
  roots: string[];
  graph: GraphKind;
  notes: LockNote[];
}

export const LOCKFILE_ERROR_CODES = [
  /** The text is over the size cap. */
  'too_large',
  /** Not the file's syntax (TOML, JSON, requirement line, go.sum line). */
  'syntax',
  /** Well-formed, but a field has the wrong type or a required field is missing. */
  'bad_shape',
  /** A format version this parser refuses to guess at. */
  'unsupported_version',
  'too_many_packages',
  'too_many_dependencies',
  /** Nesting deeper than the cap (TOML arrays, npm v1 trees). */
  'too_deep',
] as const;

export type LockfileErrorCode = (typeof LOCKFILE_ERROR_CODES)[number];

export type LockfileParse =
  | { ok: true; lock: Lockfile }
  | { ok: false; code: LockfileErrorCode; message: string; line?: number };

export interface LockfileLimits {
  /** In UTF-16 code units, as JavaScript counts a string. */
  maxChars: number;
  maxPackages: number;
  /** Dependency edges over the whole file. */
  maxDependencies: number;
  maxDepth: number;
  maxNotes: number;
}

export const DEFAULT_LIMITS: Readonly<LockfileLimits> = Object.freeze({
  maxChars: 10 * 1024 * 1024,
  maxPackages: 100_000,
  maxDependencies: 1_000_000,
  maxDepth: 64,
  maxNotes: 1_000,
});

export function limitsOf(partial: Partial<LockfileLimits> | undefined): LockfileLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}

/** Thrown inside a parser and turned into `{ok: false}` at its edge; never escapes a parser. */
export class LockfileFault extends Error {
  override readonly name = 'LockfileFault';
  constructor(readonly code: LockfileErrorCode, message: string, readonly line?: number) {
    super(message);
  }
}

/** Runs a parser body: bad input becomes a typed failure, a bug still throws. */
export function guardParse(text: unknown, limits: LockfileLimits, body: (text: string) => Lockfile): LockfileParse {
  if (typeof text !== 'string') return { ok: false, code: 'bad_shape', message: 'lockfile text must be a string' };
  if (text.length > limits.maxChars) {
    return { ok: false, code: 'too_large', message: `lockfile is ${text.length} characters, over the cap of ${limits.maxChars}` };
  }
  try {
    return { ok: true, lock: body(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch (err) {
    if (!(err instanceof LockfileFault)) throw err;
    return err.line === undefined
      ? { ok: false, code: err.code, message: err.message }
      : { ok: false, code: err.code, message: err.message, line: err.line };
  }
}

/** Collects notes up to the cap, then one `notes_truncated`. */
export class NoteList {
  readonly notes: LockNote[] = [];
  constructor(private readonly max: number) {}
  add(code: LockNoteCode, subject: string, detail?: string): void {
    if (this.notes.length < this.max) this.notes.push(detail === undefined ? { code, subject } : { code, subject, detail });
    else if (this.notes.length === this.max) this.notes.push({ code: 'notes_truncated', subject: `more than ${this.max} notes` });
  }
}

/** PEP 503: lowercase, and every run of `-`, `_`, `.` becomes one `-`. */
export function pep503Name(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The name as the ecosystem compares names: PyPI ignores case and separators; Cargo takes `-`
 * and `_` as the same crate (crates.io refuses the other spelling of a taken name, and rustc's
 * `--crate-name` always has underscores), case stays significant.
 */
export function normaliseName(ecosystem: Ecosystem, name: string): string {
  if (ecosystem === 'pypi') return pep503Name(name);
  return ecosystem === 'cargo' ? name.replace(/_/g, '-') : name;
}

/** A package for a person: `name version`, the name alone when unpinned, `the project` for the stand-in. */
export function displayName(p: Pick<LockedPackage, 'name' | 'version' | 'synthetic'>): string {
  if (p.synthetic) return 'the project';
  return p.version === '' ? p.name : `${p.name} ${p.version}`;
}
