// Cargo.lock, versions 1 to 4, into the common model. Path packages (no `source`) are the
// workspace and its path dependencies; the roots are those no other package depends on.
//
// v1: dependencies always `"name version (source)"`, checksums in `[metadata]` as
// `"checksum name version (source)" = "hash"`, and in the oldest files the project in `[root]`.
// v2 (no `version` key), v3, v4: `checksum` on the package and the shortest unambiguous
// dependency form: `"name"`, `"name version"` or `"name version (source)"`. A `version` above 4
// is read as v4 with an `unknown_version` note. Cargo.lock says nothing of build scripts, so
// `hasBuildScript` is null throughout.
import { guardParse, limitsOf, LockfileFault, NoteList, type LockfileLimits, type LockfileParse, type PackageSource } from './lockfile.js';
import { DraftSet, undepended, type PackageDraft } from './package-drafts.js';
import { tomlString, tomlStrings, tomlTable, tomlTables } from './toml-fields.js';
import { readToml, type TomlTable } from './toml-subset.js';

const dependencyEntry = /^(\S+)(?: (\S+))?(?: \((\S+)\))?$/;

export function parseCargoLock(text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  const lim = limitsOf(limits);
  return guardParse(text, lim, (body) => {
    const doc = readToml(body, lim.maxDepth);
    const notes = new NoteList(lim.maxNotes);
    const version = formatVersion(doc, notes);
    const drafts = new DraftSet(lim);
    const checksums = metadataChecksums(doc);

    const oldRoot = tomlTable(doc, 'root', 'Cargo.lock');
    const tables = [...(oldRoot ? [oldRoot] : []), ...tomlTables(doc, 'package', 'Cargo.lock')];
    const entries: Array<{ draft: PackageDraft; deps: string[] }> = [];
    for (const [i, t] of tables.entries()) {
      const where = `package ${i + 1}`;
      const name = tomlString(t, 'name', where);
      const ver = tomlString(t, 'version', where);
      if (name === undefined || ver === undefined) throw new LockfileFault('bad_shape', `${where}: name and version are required`);
      const source = tomlString(t, 'source', where);
      const checksum = tomlString(t, 'checksum', where) ?? checksums.get(`${name} ${ver} (${source})`);
      const draft = drafts.add({
        name, version: ver, source: sourceKind(source), sourceDetail: source,
        checksum: checksum === '<none>' ? undefined : checksum, hasBuildScript: null,
      });
      entries.push({ draft, deps: tomlStrings(t, 'dependencies', where) });
    }

    const resolve = resolver(drafts.all());
    for (const { draft, deps } of entries) {
      for (const dep of deps) {
        const found = resolve(dep);
        if (found.length === 1) drafts.link(draft, found[0]!);
        else notes.add(found.length === 0 ? 'unresolved_dependency' : 'ambiguous_dependency', `${draft.name} ${draft.version}`, dep);
      }
    }

    const all = drafts.all();
    const pathPackages = all.filter((d) => d.source === 'path');
    const roots = oldRoot ? [entries[0]!.draft] : undepended(all, pathPackages);
    const { packages, idOf } = drafts.finish();
    return {
      ecosystem: 'cargo', format: `Cargo.lock v${version}`, packages,
      roots: roots.map(idOf).sort(), graph: 'complete', notes: notes.notes,
    };
  });
}

function formatVersion(doc: TomlTable, notes: NoteList): number {
  const v = doc.get('version');
  if (v === undefined) return doc.has('metadata') ? 1 : 2;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new LockfileFault('unsupported_version', 'Cargo.lock version must be a positive integer');
  }
  if (v > 4) notes.add('unknown_version', 'Cargo.lock', `version ${v}, read as version 4`);
  return v;
}

/** v1 `[metadata]`: `"checksum name version (source)" = "hash"`. */
function metadataChecksums(doc: TomlTable): Map<string, string> {
  const out = new Map<string, string>();
  const meta = tomlTable(doc, 'metadata', 'Cargo.lock');
  if (!meta) return out;
  for (const [key, value] of meta) {
    if (!key.startsWith('checksum ')) continue;
    if (typeof value !== 'string') throw new LockfileFault('bad_shape', `metadata: ${key} must be a string`);
    out.set(key.slice('checksum '.length), value);
  }
  return out;
}

function sourceKind(source: string | undefined): PackageSource {
  if (source === undefined || source.startsWith('path+')) return 'path';
  if (source.startsWith('registry+') || source.startsWith('sparse+')) return 'registry';
  if (source.startsWith('git+')) return 'git';
  return 'unknown';
}

/** Finds the package a dependency entry names: every match (one when the lockfile is sound). */
function resolver(all: PackageDraft[]): (entry: string) => PackageDraft[] {
  const byName = new Map<string, PackageDraft[]>();
  for (const d of all) {
    const list = byName.get(d.name);
    if (list) list.push(d);
    else byName.set(d.name, [d]);
  }
  return (entry) => {
    const m = dependencyEntry.exec(entry);
    if (!m) return [];
    const [, name, version, source] = m;
    return (byName.get(name!) ?? []).filter((d) =>
      (version === undefined || d.version === version) && (source === undefined || d.sourceDetail === source));
  };
}
