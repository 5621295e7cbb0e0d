// The process tree the API returns: build scripts name their package, with the version the
// process shows or, failing that, the one the build's lockfile locks; lockfiles read once, lazily.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessNode } from '@telltale/proto';
import { ProcessTree } from '../core/process-tree.js';
import { diffLockfiles, parseLockfile } from '../core/lockfiles/index.js';
import type { BuildLockfile, ResolveLockfile } from '../core/attribution/build-lockfiles.js';
import { toTree } from './process-tree-json.js';

const lockText = (name: string) => readFileSync(new URL(`../core/lockfiles/testdata/cargo/${name}`, import.meta.url), 'utf8');

const REF: BuildLockfile = { path: 'Cargo.lock', kind: 'cargo-lock', sha256: 'x', status: 'parsed', detail: null, previousBuildId: null, previousSha256: null };

/** A ledger that resolves every reference to `text`, counting how often it is asked. */
function ledger(text: string): { resolve: ResolveLockfile; resolves: number } {
  const parsed = parseLockfile('cargo-lock', text);
  if (!parsed.ok) throw new Error(parsed.message);
  const resolved = { lock: parsed.lock, diff: diffLockfiles(null, parsed.lock), typosquat: new Map() };
  const l = { resolves: 0, resolve: () => { l.resolves++; return resolved; } };
  return l;
}

let t = 0;
function tree(): ProcessTree {
  const tr = new ProcessTree(100);
  const exec = (pid: number, ppid: number, exe: string, argv: string[], cwd = '/src') => tr.exec({ pid, ppid, exe, argv, cwd, uid: 0, startTimeUs: ++t });
  exec(100, 1, '/usr/bin/bash', ['bash', 'ci.sh']);
  exec(101, 100, '/root/.cargo/bin/cargo', ['cargo', 'build']);
  // A vendored build script: the path names the crate, not its version.
  exec(102, 101, '/src/target/debug/build/url-parsr-0123456789abcdef/build-script-build', ['build-script-build'], '/src/vendor/url-parsr');
  exec(103, 102, '/usr/bin/curl', ['curl', 'http://x.test']);
  // A registry build script: the source directory carries the version.
  exec(104, 101, '/src/target/debug/build/serde-0123456789abcdef/build-script-build', ['build-script-build'],
    '/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.152');
  // rustc running a proc-macro while it compiles the app.
  exec(105, 101, '/root/.rustup/toolchains/stable/bin/rustc', ['rustc', '--crate-name', 'app', '--edition=2021', 'src/main.rs',
    '--extern', 'serde_derive=/src/target/debug/deps/libserde_derive-0123.so']);
  // A build script the path cannot attribute.
  exec(106, 101, '/tmp/build-script-build', ['build-script-build']);
  return tr;
}

const flat = (roots: ProcessNode[]): ProcessNode[] => roots.flatMap((n) => [n, ...flat(n.children)]);
const byPid = (roots: ProcessNode[]) => new Map(flat(roots).map((n) => [n.pid, n]));

describe('toTree', () => {
  it('names each build script\'s package, the version from the lockfile when the process gives none', () => {
    let reads = 0;
    const l = ledger(lockText('registry-after.v4.lock'));
    const nodes = byPid(toTree(tree(), () => { reads++; return [REF]; }, l));
    expect(nodes.get(102)!.package).toEqual({ ecosystem: 'cargo', name: 'url-parsr', version: '0.1.0' });
    expect(nodes.get(104)!.package).toEqual({ ecosystem: 'cargo', name: 'serde', version: '1.0.152' });
    expect(nodes.get(105)!).toMatchObject({ buildScript: 'rustc_proc_macro', package: { ecosystem: 'cargo', name: 'app', version: '0.1.0', procMacros: ['serde_derive'] } });
    // Only build scripts: not the processes below them, not the rest of the build.
    for (const pid of [100, 101, 103]) expect(nodes.get(pid)).not.toHaveProperty('package');
    expect(nodes.get(106)!.buildScript).toBe('cargo_build_script');
    expect(nodes.get(106)).not.toHaveProperty('package');
    expect(reads).toBe(1);
    expect(l.resolves).toBeGreaterThan(0);
    expect(nodes.get(103)!.ppid).toBe(102);
  });

  it('without lockfiles the version is what the process shows; lockfiles are not read when no script needs them', () => {
    const nodes = byPid(toTree(tree()));
    expect(nodes.get(102)!.package).toEqual({ ecosystem: 'cargo', name: 'url-parsr', version: null });
    expect(nodes.get(104)!.package!.version).toBe('1.0.152');

    let reads = 0;
    const plain = new ProcessTree(1);
    plain.exec({ pid: 1, ppid: 0, exe: '/usr/bin/make', argv: ['make'], cwd: '/', uid: 0, startTimeUs: 1 });
    expect(toTree(plain, () => { reads++; return []; })).toHaveLength(1);
    expect(reads).toBe(0);
  });
});
