// The sentence an alert carries about a package that arrived in this build:
// "url-parsr 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1".
import type { Introducer, LockfileDiff } from './lockfile-diff.js';

/** null when the package did not arrive in this build, or there was no previous build to compare with. */
export function describeArrival(diff: LockfileDiff, id: string): string | null {
  if (diff.first) return null;
  const i = diff.added.findIndex((p) => p.id === id);
  if (i < 0) return null;
  const p = diff.added[i]!;
  const arrival = diff.arrivals[i]!;
  let text = `${p.version === '' ? p.name : `${p.name} ${p.version}`} first appeared in this build`;
  if (arrival.otherVersionsBefore.length > 0) text += ` (${arrival.otherVersionsBefore.join(', ')} locked before)`;
  if (arrival.broughtInBy.length > 0) text += `, brought in by ${arrival.broughtInBy.map(introducer).join(', ')}`;
  return text;
}

function introducer(who: Introducer): string {
  if (who.synthetic) return 'the project directly';
  // The project named in its lockfile (npm's root package, a cargo workspace member): it added
  // the dependency itself, whatever else changed about it.
  if (who.root) return `the project (${who.name}) directly`;
  switch (who.change) {
    case 'version': return `${who.name} ${who.previousVersion} → ${who.version}`;
    case 'new': return `${who.name} ${who.version} (also new)`;
    case 'dependencies': return `${who.name} ${who.version} (a new dependency of it)`;
  }
}
