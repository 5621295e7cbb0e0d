// Node's module lookup over the locations of a package-lock.json `packages` map: from a package's
// folder, `<dir>/node_modules/<name>` for each folder up to the project root. Folders are interned
// segment by segment, so a lookup costs one number per ancestor, never a rebuilt path.
import { LockfileFault } from './lockfile.js';

export class NodeModulesIndex {
  private readonly dirIds = new Map<string, number>(); // `${parentId}\0${segment}` → id; the root is 0
  private readonly installed = new Map<string, Map<number, string>>(); // name → folder id → location
  private readonly chains = new Map<string, { segs: string[]; ids: number[] }>();

  constructor(locations: Iterable<string>, private readonly maxSegments: number) {
    for (const loc of locations) {
      const { segs, ids } = this.chain(loc);
      const j = segs.lastIndexOf('node_modules');
      if (j < 0 || j === segs.length - 1) continue;
      const name = segs.slice(j + 1).join('/');
      let at = this.installed.get(name);
      if (!at) this.installed.set(name, (at = new Map()));
      at.set(ids[j]!, loc);
    }
  }

  /** The location Node would load `name` from when `from` requires it. */
  resolve(from: string, name: string): string | undefined {
    const at = this.installed.get(name);
    if (!at) return undefined;
    const { segs, ids } = this.chain(from);
    for (let i = segs.length; i >= 0; i--) {
      if (i > 0 && segs[i - 1] === 'node_modules') continue; // Node never looks in node_modules/node_modules
      const hit = at.get(ids[i]!);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  private chain(loc: string): { segs: string[]; ids: number[] } {
    const seen = this.chains.get(loc);
    if (seen) return seen;
    const segs = loc === '' ? [] : loc.split('/');
    if (segs.length > this.maxSegments) throw new LockfileFault('too_deep', `a package location deeper than ${this.maxSegments} folders`);
    const ids = [0];
    for (const seg of segs) {
      const key = `${ids.at(-1)}\u0000${seg}`;
      let id = this.dirIds.get(key);
      if (id === undefined) this.dirIds.set(key, (id = this.dirIds.size + 1));
      ids.push(id);
    }
    const chain = { segs, ids };
    this.chains.set(loc, chain);
    return chain;
  }
}
