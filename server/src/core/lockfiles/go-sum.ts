// go.sum into the common model: one package per module version. A version with only a
// `/go.mod` line is `metadataOnly` (its go.mod was read for version selection, its code was not
// needed). go.sum holds no edges and no project (go.mod does), so the graph is `none`; Go runs no
// build scripts of a module's own, so hasBuildScript is false.
import { guardParse, limitsOf, LockfileFault, NoteList, type LockfileLimits, type LockfileParse } from './lockfile.js';
import { DraftSet, type PackageDraft } from './package-drafts.js';

const line = /^(\S+)[ \t]+(v[^\s/]+)(\/go\.mod)?[ \t]+(h\d+:[A-Za-z0-9+/=]+)$/;

export function parseGoSum(text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  const lim = limitsOf(limits);
  return guardParse(text, lim, (body) => {
    const notes = new NoteList(lim.maxNotes);
    const drafts = new DraftSet(lim);
    const hashes = new Map<string, string>(); // "module version[/go.mod]" → hash, to catch two hashes for one line
    const withCode = new Set<PackageDraft>();
    for (const [i, raw] of body.split('\n').entries()) {
      const text = raw.trim();
      if (text === '') continue;
      const m = line.exec(text);
      if (!m) throw new LockfileFault('syntax', 'expected "module version[/go.mod] h1:hash"', i + 1);
      const [, module, version, goMod, hash] = m;
      const key = `${module} ${version}${goMod ?? ''}`;
      const seen = hashes.get(key);
      if (seen !== undefined && seen !== hash) notes.add('conflicting_hash', `${module}@${version}`, `${seen} ${hash}`);
      hashes.set(key, seen ?? hash!);
      const draft = drafts.add({ name: module!, version: version!, source: 'registry', hasBuildScript: false, metadataOnly: true }, i + 1);
      if (!goMod) {
        withCode.add(draft);
        draft.checksum ??= hash;
      }
    }
    for (const d of drafts.all()) d.metadataOnly = !withCode.has(d);
    const { packages } = drafts.finish();
    return { ecosystem: 'go', format: 'go.sum', packages, roots: [], graph: 'none', notes: notes.notes };
  });
}
