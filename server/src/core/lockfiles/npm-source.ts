// Where an npm package came from, by its `resolved` (or, in v1, a version that is a URL or git spec).
import type { PackageSource } from './lockfile.js';

export function npmSource(version: string, resolved: string | undefined): PackageSource {
  const spec = resolved ?? version;
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|git@)/.test(spec)) return 'git';
  if (/^(file:|link:)/.test(spec)) return 'path';
  if (/^https?:/.test(spec)) return /\/-\/[^/]+\.tgz$/.test(spec) ? 'registry' : 'unknown';
  return /^\d+\.\d+\.\d+/.test(version) ? 'registry' : 'unknown';
}
