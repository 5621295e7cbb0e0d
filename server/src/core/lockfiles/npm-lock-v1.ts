// The legacy `dependencies` tree of package-lock.json v1 (npm 5 and 6) and ancient shrinkwraps.
// Each entry's `requires` names resolve to the nearest entry of that name among its own nested
// `dependencies`, then its ancestors'. v1 does not say which packages the project itself needs:
// they are taken to be the top-level entries no other entry requires (noted as `roots_inferred`).
import { LockfileFault, type Lockfile, type LockfileLimits, type NoteList } from './lockfile.js';
import { asObject, dependencyNames, optBoolean, optObject, optString, type JsonObject } from './json-shape.js';
import { npmSource } from './npm-source.js';
import { DraftSet, type PackageDraft } from './package-drafts.js';

interface TreeNode {
  readonly parent: TreeNode | null;
  readonly children: Map<string, TreeNode>;
  readonly entry: JsonObject;
  readonly draft: PackageDraft | null;
  readonly where: string;
}

export function fromDependencyTree(top: JsonObject, format: string, lim: LockfileLimits, notes: NoteList): Lockfile {
  const drafts = new DraftSet(lim);
  const name = optString(top, 'name', 'package-lock.json') ?? '';
  const project = drafts.add({
    name, version: optString(top, 'version', 'package-lock.json') ?? '', source: 'path', hasBuildScript: null, synthetic: name === '',
  });
  const root: TreeNode = { parent: null, children: new Map(), entry: top, draft: null, where: 'dependencies' };

  // Depth-first over the nested trees with an explicit stack: depth and node count are capped.
  const all: TreeNode[] = [];
  const stack: Array<[TreeNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    const nested = optObject(node.entry, 'dependencies', node.where);
    if (!nested) continue;
    if (depth >= lim.maxDepth) throw new LockfileFault('too_deep', `dependencies nested deeper than ${lim.maxDepth}`);
    for (const [key, raw] of nested) {
      const where = `${node.where}.${key}`;
      const entry = asObject(raw, where);
      if (all.length >= lim.maxPackages) throw new LockfileFault('too_many_packages', `more than ${lim.maxPackages} packages`);
      const child: TreeNode = { parent: node, children: new Map(), entry, draft: drafts.add(draftInput(key, entry, where)), where: `${where}.dependencies` };
      node.children.set(key, child);
      all.push(child);
      stack.push([child, depth + 1]);
    }
  }

  const required = new Set<PackageDraft>();
  for (const node of all) {
    for (const dep of dependencyNames(node.entry, 'requires', node.where)) {
      const found = nearest(node, dep);
      if (found) {
        drafts.link(node.draft!, found);
        required.add(found);
      } else if (optBoolean(node.entry, 'optional', node.where) !== true) {
        notes.add('unresolved_dependency', `${node.draft!.name} ${node.draft!.version}`, dep);
      }
    }
  }
  for (const child of root.children.values()) if (!required.has(child.draft!)) drafts.link(project, child.draft!);
  notes.add('roots_inferred', 'package-lock.json', 'v1 lists no direct dependencies: taken as the top-level packages nothing else requires');

  const { packages, idOf } = drafts.finish();
  return { ecosystem: 'npm', format, packages, roots: [idOf(project)], graph: 'roots_inferred', notes: notes.notes };
}

function draftInput(key: string, e: JsonObject, where: string) {
  const version = optString(e, 'version', where) ?? '';
  const resolved = optString(e, 'resolved', where);
  const source = npmSource(version, resolved);
  return {
    name: key, version, source, sourceDetail: resolved ?? (source === 'registry' ? undefined : version),
    checksum: optString(e, 'integrity', where), hasBuildScript: null,
  };
}

function nearest(from: TreeNode, name: string): PackageDraft | undefined {
  for (let n: TreeNode | null = from; n; n = n.parent) {
    const hit = n.children.get(name);
    if (hit) return hit.draft!;
  }
  return undefined;
}
