// poetry.lock into the common model (requirements*.txt is requirements-txt.ts, re-exported here).
// Names are PEP 503-normalised. poetry.lock lists every package and its dependencies but not the
// project's own: those are taken to be the packages nothing else depends on (`roots_inferred`).
// A package that must be built from source (git, a directory, only an sdist locked) runs its
// build backend: hasBuildScript true; with a wheel locked pip may not build it, so null.
import {
  guardParse, limitsOf, LockfileFault, NoteList, pep503Name,
  type LockfileLimits, type LockfileParse, type PackageSource,
} from './lockfile.js';
import { DraftSet, undepended, type PackageDraft } from './package-drafts.js';
import { tomlString, tomlTable, tomlTables } from './toml-fields.js';
import { readToml, type TomlTable, type TomlValue } from './toml-subset.js';

export { parseRequirementsTxt } from './requirements-txt.js';

export function parsePoetryLock(text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  const lim = limitsOf(limits);
  return guardParse(text, lim, (body) => {
    const doc = readToml(body, lim.maxDepth);
    const notes = new NoteList(lim.maxNotes);
    const metadata = tomlTable(doc, 'metadata', 'poetry.lock') ?? new Map<string, TomlValue>();
    const lockVersion = tomlString(metadata, 'lock-version', 'metadata') ?? '1.0';
    if (Number.parseInt(lockVersion, 10) > 2) notes.add('unknown_version', 'poetry.lock', `lock-version ${lockVersion}, read as 2.x`);
    const oldFiles = tomlTable(metadata, 'files', 'metadata'); // lock-version 1.x kept the files here

    const drafts = new DraftSet(lim);
    const wanted: Array<{ from: PackageDraft; deps: Array<[string, boolean]> }> = [];
    for (const [i, t] of tomlTables(doc, 'package', 'poetry.lock').entries()) {
      const where = `package ${i + 1}`;
      const rawName = tomlString(t, 'name', where);
      const version = tomlString(t, 'version', where);
      if (rawName === undefined || version === undefined) throw new LockfileFault('bad_shape', `${where}: name and version are required`);
      const src = poetrySource(tomlTable(t, 'source', where), where);
      const own = t.get('files');
      const files = own !== undefined ? fileNames(own, where)
        : fileNames(oldFiles?.get(rawName) ?? oldFiles?.get(pep503Name(rawName)), where, version);
      const from = drafts.add({
        name: pep503Name(rawName), version, source: src.kind, sourceDetail: src.detail,
        checksum: files.hashes.length > 0 ? files.hashes.sort().join(' ') : undefined,
        hasBuildScript: buildsFromSource(src.kind, src.detail, files.names),
      });
      wanted.push({ from, deps: dependencyEntries(tomlTable(t, 'dependencies', where), where) });
    }

    const byName = new Map<string, PackageDraft[]>();
    for (const d of drafts.all()) {
      const same = byName.get(d.name);
      if (same) same.push(d);
      else byName.set(d.name, [d]);
    }
    for (const { from, deps } of wanted) {
      for (const [name, optional] of deps) {
        const targets = byName.get(pep503Name(name)) ?? [];
        for (const to of targets) drafts.link(from, to);
        if (targets.length === 0 && !optional) notes.add('unresolved_dependency', `${from.name} ${from.version}`, name);
      }
    }

    const all = drafts.all();
    const project = drafts.add({ name: '', version: '', source: 'path', synthetic: true, hasBuildScript: null });
    for (const d of undepended(all, all)) drafts.link(project, d);
    notes.add('roots_inferred', 'poetry.lock', 'poetry.lock lists no direct dependencies: taken as the packages nothing else needs');
    const { packages, idOf } = drafts.finish();
    return { ecosystem: 'pypi', format: `poetry.lock ${lockVersion}`, packages, roots: [idOf(project)], graph: 'roots_inferred', notes: notes.notes };
  });
}

function poetrySource(t: TomlTable | undefined, where: string): { kind: PackageSource; detail: string | undefined } {
  if (!t) return { kind: 'registry', detail: undefined };
  const type = tomlString(t, 'type', `${where}.source`);
  const url = tomlString(t, 'url', `${where}.source`);
  const commit = tomlString(t, 'resolved_reference', `${where}.source`) ?? tomlString(t, 'reference', `${where}.source`);
  switch (type) {
    case 'git': return { kind: 'git', detail: commit ? `${url}#${commit}` : url };
    case 'directory': case 'file': return { kind: 'path', detail: url };
    case 'legacy': return { kind: 'registry', detail: url };
    default: return { kind: 'unknown', detail: url };
  }
}

/** The files locked for a package; from 1.x `[metadata.files]` (every version under one name) only those of `version`. */
function fileNames(v: TomlValue | undefined, where: string, version?: string): { names: string[]; hashes: string[] } {
  if (v === undefined) return { names: [], hashes: [] };
  if (!Array.isArray(v) || !v.every((f) => f instanceof Map)) throw new LockfileFault('bad_shape', `${where}: files must be an array of tables`);
  const names: string[] = [];
  const hashes: string[] = [];
  for (const f of v as TomlTable[]) {
    const name = tomlString(f, 'file', `${where}.files`);
    const hash = tomlString(f, 'hash', `${where}.files`);
    if (version !== undefined && !name?.includes(`-${version}`)) continue;
    if (name !== undefined) names.push(name);
    if (hash !== undefined) hashes.push(hash);
  }
  return { names, hashes };
}

function buildsFromSource(kind: PackageSource, detail: string | undefined, files: string[]): boolean | null {
  if (kind === 'git') return true;
  if (kind === 'path' || kind === 'unknown') return detail === undefined ? null : !detail.endsWith('.whl');
  if (files.length === 0) return null;
  return files.some((f) => f.endsWith('.whl')) ? null : true;
}

/** `[package.dependencies]`: name = "range" | {version, optional, markers} | [{...}, ...]; each with whether it is optional. */
function dependencyEntries(t: TomlTable | undefined, where: string): Array<[string, boolean]> {
  if (!t) return [];
  return [...t].map(([name, v]) => {
    if (typeof v === 'string') return [name, false];
    const alternatives = Array.isArray(v) ? v : [v];
    if (!alternatives.every((a) => a instanceof Map)) throw new LockfileFault('bad_shape', `${where}.dependencies.${name} must be a string or tables`);
    return [name, (alternatives as TomlTable[]).every((a) => a.get('optional') === true)];
  });
}
