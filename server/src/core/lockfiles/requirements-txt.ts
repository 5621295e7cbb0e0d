// requirements*.txt into the common model. A line `name==version` pins; any other specifier is
// recorded with version '' and an `unpinned` note. `-r`/`-c` includes are noted, not followed
// (this core reads no files); index options are noted (they decide where packages come from).
// pip-compile's `# via` comments, when present, give the edges; without them the project needs
// every listed package directly (`flat`). Names are PEP 503-normalised.
import { guardParse, limitsOf, LockfileFault, NoteList, pep503Name, type LockfileLimits, type LockfileParse, type PackageSource } from './lockfile.js';
import { DraftSet, type PackageDraft } from './package-drafts.js';

const nameAndRest = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/s;
const specifier = /^\s*(===|==|!=|~=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*$/;
const viaHeader = /^#\s*via\b\s*(.*)$/;
const viaItem = /^#\s{2,}(\S.*)$/;
const projectFile = /\((pyproject\.toml|setup\.py|setup\.cfg)\)$/;
const includeOptions = new Map([['-r', 'requirement'], ['--requirement', 'requirement'], ['-c', 'constraint'], ['--constraint', 'constraint']]);
const editableOptions = new Set(['-e', '--editable']);

interface Requirement { draft: PackageDraft; vias: string[]; line: number }

export function parseRequirementsTxt(text: string, limits?: Partial<LockfileLimits>): LockfileParse {
  const lim = limitsOf(limits);
  return guardParse(text, lim, (body) => {
    const notes = new NoteList(lim.maxNotes);
    const drafts = new DraftSet(lim);
    const requirements: Requirement[] = [];
    let current: Requirement | null = null;
    let inViaBlock = false;

    for (const { text: line, comment, at } of logicalLines(body)) {
      if (line === '') {
        const header = comment === undefined ? null : viaHeader.exec(comment);
        const item = comment === undefined || !inViaBlock ? null : viaItem.exec(comment);
        if (current && header) {
          for (const via of splitVias(header[1]!)) current.vias.push(via);
          inViaBlock = header[1]!.trim() === '';
        } else if (current && item) {
          current.vias.push(item[1]!.trim());
        } else {
          inViaBlock = false;
        }
        continue;
      }
      inViaBlock = false;
      current = null;
      if (line.startsWith('-')) {
        option(line, notes, at);
        continue;
      }
      const draft = requirement(line, drafts, notes, at);
      if (!draft) continue;
      current = { draft, vias: [], line: at };
      const trailing = comment === undefined ? null : viaHeader.exec(comment);
      if (trailing) for (const via of splitVias(trailing[1]!)) current.vias.push(via);
      requirements.push(current);
    }

    const project = drafts.add({ name: '', version: '', source: 'path', synthetic: true, hasBuildScript: null });
    const annotated = requirements.some((r) => r.vias.length > 0);
    const byName = new Map<string, PackageDraft[]>();
    for (const r of requirements) {
      const same = byName.get(r.draft.name);
      if (!same) byName.set(r.draft.name, [r.draft]);
      else if (!same.includes(r.draft)) same.push(r.draft);
    }
    for (const r of requirements) {
      const parents = r.vias.filter((v) => !isProjectVia(v));
      if (parents.length < r.vias.length || r.vias.length === 0) drafts.link(project, r.draft, r.line);
      for (const via of parents) {
        const found = byName.get(pep503Name(via.split(/[\s[]/)[0]!)) ?? [];
        for (const parent of found) drafts.link(parent, r.draft, r.line);
        if (found.length === 0) notes.add('unresolved_dependency', via, r.draft.name);
      }
    }
    const { packages, idOf } = drafts.finish();
    return { ecosystem: 'pypi', format: 'requirements.txt', packages, roots: [idOf(project)], graph: annotated ? 'complete' : 'flat', notes: notes.notes };
  });
}

/** Joins `\` continuations and splits off a comment (`#` at the start or after whitespace). */
function* logicalLines(body: string): Generator<{ text: string; comment: string | undefined; at: number }> {
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = i + 1;
    let joined = '';
    let line = lines[i]!;
    for (;;) {
      const cut = line.search(/(^|\s)#/);
      const code = cut < 0 ? line : line.slice(0, cut);
      const continued = /\\\s*$/.test(code);
      if (!continued || i + 1 >= lines.length) {
        joined += continued ? code.replace(/\\\s*$/, '') : code; // a backslash on the last line continues nothing
        const comment = cut < 0 ? undefined : line.slice(cut).trim();
        yield { text: joined.trim(), comment, at };
        break;
      }
      joined += `${code.replace(/\\\s*$/, '')} `;
      line = lines[++i]!;
    }
  }
}

function splitVias(rest: string): string[] {
  return rest.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function isProjectVia(via: string): boolean {
  return /^(-r|-c|--requirement|--constraint)\b/.test(via) || projectFile.test(via);
}

function option(line: string, notes: NoteList, at: number): void {
  const m = /^(--?[A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*|\s+)?(.*)$/.exec(line);
  if (!m) throw new LockfileFault('syntax', 'an option without a name', at);
  const [, flag, value] = m;
  const include = includeOptions.get(flag!);
  if (include) notes.add('include', value!, include);
  else if (editableOptions.has(flag!)) notes.add('direct_url', value!, 'editable');
  else notes.add('option', flag!, value === '' ? undefined : value);
}

/** One requirement line: the package it pins, or null for a requirement that names no package. */
function requirement(line: string, drafts: DraftSet, notes: NoteList, at: number): PackageDraft | null {
  const optionsAt = line.search(/\s--?[A-Za-z]/);
  const req = optionsAt < 0 ? line : line.slice(0, optionsAt);
  const hashes = [...(optionsAt < 0 ? '' : line.slice(optionsAt)).matchAll(/--hash[=\s]\s*(\S+)/g)].map((h) => h[1]!);
  const m = nameAndRest.exec(req.trim());
  if (!m || /^[a-z][a-z0-9+.-]*:/i.test(req) || req.startsWith('.') || req.startsWith('/')) {
    if (/[/:\\]/.test(req)) {
      notes.add('direct_url', req.trim());
      return null;
    }
    throw new LockfileFault('syntax', 'not a requirement', at);
  }
  const [, rawName, , rest] = m;
  const semi = rest!.indexOf(';');
  const spec = (semi < 0 ? rest! : rest!.slice(0, semi)).trim();
  const name = pep503Name(rawName!);
  const checksum = hashes.length > 0 ? hashes.sort().join(' ') : undefined;
  if (spec.startsWith('@')) {
    const url = spec.slice(1).trim();
    return drafts.add({ name, version: '', source: urlSource(url), sourceDetail: url, checksum, hasBuildScript: null }, at);
  }
  const parts = spec.replace(/^\((.*)\)$/, '$1').split(',').filter((p) => p.trim() !== '');
  const specs = parts.map((p) => specifier.exec(p));
  if (specs.some((s) => s === null)) throw new LockfileFault('syntax', `not a version specifier: ${spec.slice(0, 80)}`, at);
  const pin = specs.length === 1 && (specs[0]![1] === '==' || specs[0]![1] === '===') && !specs[0]![2]!.includes('*') ? specs[0]![2]! : '';
  if (pin === '') notes.add('unpinned', name, spec === '' ? 'any version' : parts.map((p) => p.trim()).join(','));
  return drafts.add({ name, version: pin, source: 'registry', checksum, hasBuildScript: null }, at);
}

function urlSource(url: string): PackageSource {
  if (/^git\+/.test(url)) return 'git';
  if (/^file:/.test(url) || url.startsWith('.') || url.startsWith('/')) return 'path';
  return 'unknown';
}
