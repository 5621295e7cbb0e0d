// package-lock.json / npm-shrinkwrap.json into the common model. v2 and v3 are read from the
// `packages` map (keyed by install location, resolved as Node resolves `require`); a file without
// it (v1, or an ancient shrinkwrap) from the legacy `dependencies` tree (npm-lock-v1.ts).
import { guardParse, limitsOf, LockfileFault, NoteList, type LockfileLimits, type LockfileParse, type Lockfile } from './lockfile.js';
import { asObject, dependencyNames, optBoolean, optObject, optString, parseJson, type JsonObject } from './json-shape.js';
import { fromDependencyTree } from './npm-lock-v1.js';
import { NodeModulesIndex } from './node-modules-index.js';
import { npmSource } from './npm-source.js';
import { DraftSet, type PackageDraft } from './package-drafts.js';

export function parseNpmLock(text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  const lim = limitsOf(limits);
  return guardParse(text, lim, (body) => {
    const top = asObject(parseJson(body), 'package-lock.json');
    const version = top.get('lockfileVersion');
    if (version !== undefined && version !== 1 && version !== 2 && version !== 3) {
      throw new LockfileFault('unsupported_version', 'lockfileVersion must be 1, 2 or 3');
    }
    const notes = new NoteList(lim.maxNotes);
    const packages = optObject(top, 'packages', 'package-lock.json');
    const format = version === undefined ? 'package-lock.json (no lockfileVersion)' : `package-lock.json v${version}`;
    return packages ? fromPackages(packages, format, lim, notes) : fromDependencyTree(top, format, lim, notes);
  });
}

const projectLocation = (loc: string) => !loc.split('/').includes('node_modules');
const MAX_LINK_HOPS = 8;

function fromPackages(packages: JsonObject, format: string, lim: LockfileLimits, notes: NoteList): Lockfile {
  const entries = new Map<string, JsonObject>();
  for (const [loc, raw] of packages) entries.set(loc, asObject(raw, `packages["${loc}"]`));
  if (entries.size > 2 * lim.maxPackages) throw new LockfileFault('too_many_packages', `more than ${lim.maxPackages} packages`);

  const drafts = new DraftSet(lim);
  const at = new Map<string, PackageDraft>();
  for (const [loc, e] of entries) {
    if (optBoolean(e, 'link', loc) === true) continue;
    at.set(loc, drafts.add(draftInput(loc, e)));
  }

  const index = new NodeModulesIndex(entries.keys(), 2 * lim.maxDepth);
  /** The draft a location holds, following `link: true` entries to their target. */
  const draftAt = (loc: string): PackageDraft | undefined => {
    for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
      const e = entries.get(loc);
      if (!e) return undefined;
      if (optBoolean(e, 'link', loc) !== true) return at.get(loc);
      const target = optString(e, 'resolved', loc);
      if (target === undefined) return undefined;
      loc = target;
    }
    return undefined;
  };

  for (const [loc, e] of entries) {
    const from = at.get(loc);
    if (!from) continue;
    const wanted = [
      ...dependencyNames(e, 'dependencies', loc).map((n) => [n, true] as const),
      ...dependencyNames(e, 'optionalDependencies', loc).map((n) => [n, false] as const),
      ...dependencyNames(e, 'peerDependencies', loc).map((n) => [n, false] as const),
      ...(projectLocation(loc) ? dependencyNames(e, 'devDependencies', loc).map((n) => [n, true] as const) : []),
    ];
    for (const [name, required] of wanted) {
      const where = index.resolve(loc, name);
      const found = where === undefined ? undefined : draftAt(where);
      if (found) drafts.link(from, found);
      else if (required) notes.add('unresolved_dependency', `${from.name} ${from.version}`.trim(), name);
    }
  }

  const needed = new Set<PackageDraft>();
  for (const d of drafts.all()) for (const dep of d.deps) needed.add(dep);
  const roots = [...at].filter(([loc, d]) => loc === '' || (projectLocation(loc) && !needed.has(d))).map(([, d]) => d);
  const { packages: list, idOf } = drafts.finish();
  return { ecosystem: 'npm', format, packages: list, roots: [...new Set(roots.map(idOf))].sort(), graph: 'complete', notes: notes.notes };
}

function draftInput(loc: string, e: JsonObject) {
  const version = optString(e, 'version', loc) ?? '';
  const resolved = optString(e, 'resolved', loc);
  const project = projectLocation(loc);
  const name = optString(e, 'name', loc) ?? nameFromLocation(loc);
  return {
    name, version, synthetic: loc === '' && name === '',
    source: project ? 'path' as const : npmSource(version, resolved),
    sourceDetail: project ? (loc === '' ? undefined : loc) : resolved,
    checksum: optString(e, 'integrity', loc),
    hasBuildScript: optBoolean(e, 'hasInstallScript', loc) === true,
  };
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; a workspace folder → its last segment. */
function nameFromLocation(loc: string): string {
  const i = loc.lastIndexOf('node_modules/');
  return i >= 0 ? loc.slice(i + 'node_modules/'.length) : loc.slice(loc.lastIndexOf('/') + 1);
}
