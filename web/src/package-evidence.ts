// What an alert says about the package behind it, read defensively from its evidence (plain JSON):
// `evidence.package` of an alert raised under a build script, or the evidence of a typosquat_package
// finding (the look-alike itself). Malformed fields are dropped, never trusted.
import type { Alert, TyposquatSignalJson } from './api-types';

export interface LockfileChangeFacts {
  lockfile: string;
  previousBuildId: string | null;
  added: number;
  removed: number;
  upgraded: string[];
  downgraded: string[];
}

export interface PackageFacts {
  ecosystem: string;
  name: string;
  version: string | null;
  /** What the attribution was read from (`build script path`...); null for a look-alike finding. */
  from: string | null;
  /** The lockfile that locks it; null when none does. */
  lockfile: string | null;
  /** The build has a lockfile of the package's ecosystem and it is locked nowhere. */
  notLocked: boolean;
  /** Not found, and the agent's scan of the workspace stopped at a bound: it may be locked in a file not reported. */
  lockfilesIncomplete: boolean;
  direct: boolean | null;
  dependencyPaths: string[];
  /** null: unknown, or the pipeline's first lockfile (nothing to compare with). */
  arrivedInThisBuild: boolean | null;
  arrival: string | null;
  /** Locked before, but its entry changed in this build (a patch release is where malice hides); null otherwise. */
  changedInThisBuild: 'upgraded' | 'downgraded' | 'changed_in_place' | null;
  /** The version locked before an upgrade or downgrade. */
  previousVersion: string | null;
  lockfileChange: LockfileChangeFacts | null;
  typosquat: TyposquatSignalJson[];
  lockedVersions: string[];
  procMacros: string[];
  /** The proc-macros a rustc ran, as the build's lockfile describes them (their code is what ran). */
  procMacroPackages: { name: string; version: string | null; change: 'added' | 'upgraded' | 'downgraded' | 'changed_in_place' | null; lookAlike: boolean }[];
  runsInstallScript: boolean;
  /** A typosquat_package finding: the lockfile added it, nothing of it had to run. */
  lookAlike: boolean;
}

const MAX_LIST = 50;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const CHANGES = ['upgraded', 'downgraded', 'changed_in_place'] as const;
const changeKind = (v: unknown): PackageFacts['changedInThisBuild'] => CHANGES.find((c) => c === v) ?? null;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_LIST) : []);

export function signals(v: unknown): TyposquatSignalJson[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, MAX_LIST).flatMap((s) => {
    if (!isObject(s) || typeof s.resembles !== 'string') return [];
    return [{ kind: String(s.kind) as TyposquatSignalJson['kind'], resembles: s.resembles, evidence: str(s.evidence) ?? '' }];
  });
}

function change(v: unknown): LockfileChangeFacts | null {
  if (!isObject(v)) return null;
  return {
    lockfile: str(v.lockfile) ?? '', previousBuildId: str(v.previousBuildId), added: num(v.added), removed: num(v.removed),
    upgraded: strings(v.upgraded), downgraded: strings(v.downgraded),
  };
}

/** The package of an alert, or null when its evidence names none. */
export function packageFacts(alert: Pick<Alert, 'kind' | 'evidence'>): PackageFacts | null {
  const evidence = isObject(alert.evidence) ? alert.evidence : {};
  const p = evidence.package;
  if (!isObject(p) || typeof p.name !== 'string' || p.name === '') return null;
  const base = { ecosystem: str(p.ecosystem) ?? 'unknown', name: p.name, version: str(p.version) };
  if (alert.kind === 'typosquat_package') {
    const arrival = str(evidence.arrival);
    return {
      ...base, from: null, lockfile: str(evidence.lockfile), notLocked: false, lockfilesIncomplete: false, direct: null, dependencyPaths: strings(evidence.dependencyPaths),
      arrivedInThisBuild: arrival ? true : null, arrival, changedInThisBuild: null, previousVersion: null, lockfileChange: null, typosquat: signals(evidence.signals), lockedVersions: [],
      procMacros: [], procMacroPackages: [], runsInstallScript: evidence.runsInstallScript === true, lookAlike: true,
    };
  }
  return {
    ...base, from: str(p.from), lockfile: str(p.lockfile), notLocked: p.lockfile === null, lockfilesIncomplete: p.lockfilesIncomplete === true, direct: bool(p.direct),
    dependencyPaths: strings(p.dependencyPaths), arrivedInThisBuild: bool(p.arrivedInThisBuild), arrival: str(p.arrival),
    changedInThisBuild: changeKind(p.changeInThisBuild), previousVersion: str(p.previousVersion), lockfileChange: change(p.lockfileChange), typosquat: signals(p.typosquat), lockedVersions: strings(p.lockedVersions),
    procMacros: strings(p.procMacros), procMacroPackages: macros(p.procMacroPackages), runsInstallScript: false, lookAlike: false,
  };
}

const MACRO_CHANGES = ['added', ...CHANGES] as const;

function macros(v: unknown): PackageFacts['procMacroPackages'] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, MAX_LIST).flatMap((m) => {
    if (!isObject(m) || typeof m.name !== 'string' || m.name === '') return [];
    return [{ name: m.name, version: str(m.version), change: MACRO_CHANGES.find((c) => c === m.changeInThisBuild) ?? null, lookAlike: signals(m.typosquat).length > 0 }];
  });
}

/** A process-tree node's package (build scripts only), checked like the rest: null when malformed. */
export function processPackage(v: unknown): { ecosystem: string; name: string; version: string | null; procMacros: string[] } | null {
  if (!isObject(v) || typeof v.name !== 'string' || v.name === '') return null;
  return { ecosystem: str(v.ecosystem) ?? 'unknown', name: v.name, version: str(v.version), procMacros: strings(v.procMacros) };
}

/** `reqwests 0.1.0`, or the name alone when no version is known. */
export function packageLabel(p: { name: string; version: string | null }): string {
  return p.version ? `${p.name} ${p.version}` : p.name;
}

/** `looks like reqwest: 1 edit from "reqwest": extra "s" at 8`. */
export function signalText(s: TyposquatSignalJson): string {
  return s.evidence ? `looks like ${s.resembles}: ${s.evidence}` : `looks like ${s.resembles}`;
}

/** The evidence keys the package block shows, so the raw evidence list need not repeat them. */
export function shownByPackageBlock(kind: string): readonly string[] {
  return kind === 'typosquat_package' ? ['package', 'signals', 'lockfile', 'arrival', 'dependencyPaths', 'runsInstallScript'] : ['package'];
}
