// A build's process tree as the API nests it: children under parents, unknown parents as roots;
// each build script names its package, the version from the build's lockfiles when the process gives none.
import type { ProcessNode, ProcessPackage } from '@telltale/proto';
import type { ProcessTree, ProcessNode as TreeNode } from '../core/process-tree.js';
import { packageOfBuildScript } from '../core/attribution/package-of.js';
import { packageEvidence, type BuildLockfile, type ResolveLockfile } from '../core/attribution/build-lockfiles.js';
import { usToIso } from './store-rows.js';

/**
 * `lockfiles` is read at most once, and only when a build script's process carries no version;
 * `ledger` resolves them (parsed lockfiles are cached there, not held by the build).
 */
export function toTree(tree: ProcessTree, lockfiles: () => readonly BuildLockfile[] = () => [], ledger: { resolve: ResolveLockfile } | null = null): ProcessNode[] {
  const resolve: ResolveLockfile = ledger ? (ref) => ledger.resolve(ref) : () => null;
  const packageOf = scriptPackages(lockfiles, resolve);
  const nodes = new Map<number, ProcessNode>();
  for (const p of tree.all()) {
    const pkg = p.buildScriptKind ? packageOf(p) : null;
    nodes.set(p.pid, {
      pid: p.pid, ppid: p.ppid, exe: p.exe, argv: p.argv, cwd: p.cwd, startedAt: usToIso(p.startTimeUs),
      exitCode: p.exitCode, buildScript: p.buildScriptKind, ...(pkg ? { package: pkg } : {}), children: [],
    });
  }
  const roots: ProcessNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.pid === tree.rootPid ? undefined : nodes.get(n.ppid);
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

/** The package of a build-script node; lockfile lookups remembered per package (a build runs many rustc of one crate). */
function scriptPackages(lockfiles: () => readonly BuildLockfile[], resolve: ResolveLockfile): (p: TreeNode) => ProcessPackage | null {
  let views: readonly BuildLockfile[] | null = null;
  const versions = new Map<string, string | null>();
  return (p) => {
    const ref = packageOfBuildScript(p.buildScriptKind!, p);
    if (!ref) return null;
    let version = ref.version;
    if (version === null) {
      const key = `${ref.ecosystem}\u0000${ref.name}`;
      if (!versions.has(key)) {
        views ??= lockfiles();
        const found = views.length ? packageEvidence(views, ref, resolve, null).version : null;
        versions.set(key, typeof found === 'string' && found !== '' ? found : null);
      }
      version = versions.get(key)!;
    }
    return { ecosystem: ref.ecosystem, name: ref.name, version, ...(ref.procMacros?.length ? { procMacros: ref.procMacros } : {}) };
  };
}
