import { describe, expect, it } from 'vitest';
import { ProcessTree } from './process-tree.js';
import { classifyBuildScript } from './build-script.js';

const exec = (pid: number, ppid: number, exe: string, argv: string[], cwd = '/src') => ({ pid, ppid, exe, argv, cwd, uid: 0, startTimeUs: pid });

describe('ProcessTree', () => {
  it('gives the chain from the build root to a build script and marks it', () => {
    const t = new ProcessTree(100);
    t.exec(exec(100, 1, '/usr/bin/telltale', ['telltale', 'run']));
    t.exec(exec(101, 100, '/root/.cargo/bin/cargo', ['cargo', 'build']));
    t.exec(exec(102, 101, '/src/target/debug/build/url-parsr-1a2b/build-script-build', ['build-script-build']));
    t.fork(103, 102, 5);
    const chain = t.chain(103);
    expect(chain.map((p) => p.pid)).toEqual([100, 101, 102, 103]);
    expect(chain[3]!.exe).toContain('build-script-build');
    expect(t.buildScriptOf(chain)).toMatchObject({ kind: 'cargo_build_script', process: { pid: 102 } });
    expect(t.buildScriptOf(t.chain(101))).toBeNull();
  });
  it('stops at the root and survives parent cycles', () => {
    const t = new ProcessTree(10);
    t.exec(exec(10, 11, '/bin/a', ['a']));
    t.exec(exec(11, 10, '/bin/b', ['b']));
    expect(t.chain(11).map((p) => p.pid)).toEqual([10, 11]);
    const loop = new ProcessTree(1);
    loop.exec(exec(20, 21, '/bin/x', ['x']));
    loop.exec(exec(21, 20, '/bin/y', ['y']));
    expect(loop.chain(20).length).toBe(2);
  });
  it('refuses new processes past its bound instead of growing', () => {
    const t = new ProcessTree(1, 2);
    expect(t.exec(exec(1, 0, '/a', []))).not.toBeNull();
    expect(t.exec(exec(2, 1, '/b', []))).not.toBeNull();
    expect(t.exec(exec(3, 1, '/c', []))).toBeNull();
    expect(t.fork(4, 1, 0)).toBeNull();
  });
  it('records exits', () => {
    const t = new ProcessTree(1);
    t.exec(exec(1, 0, '/a', []));
    expect(t.exit(1, 3, 9)).toMatchObject({ exitCode: 3, exitedUs: 9 });
    expect(t.exit(42, 0, 9)).toBeUndefined();
  });
});

describe('classifyBuildScript', () => {
  const p = (exe: string, argv: string[]) => ({ pid: 1, ppid: 0, exe, argv, cwd: '/', startTimeUs: 0 });
  it('recognises cargo, setup.py, PEP 517, go generate and npm lifecycle scripts', () => {
    expect(classifyBuildScript(p('/t/debug/build/foo-0123/build-script-build', []), undefined)).toBe('cargo_build_script');
    expect(classifyBuildScript(p('/t/debug/build/foo-0123/build_script_build-0123abcd', []), undefined)).toBe('cargo_build_script');
    expect(classifyBuildScript(p('/usr/bin/python3.11', ['python3', 'setup.py', 'bdist_wheel']), undefined)).toBe('setup_py');
    expect(classifyBuildScript(p('/usr/bin/python3', ['python3', '/pip/_vendor/pyproject_hooks/_in_process/_in_process.py', 'build_wheel']), undefined)).toBe('setup_py');
    expect(classifyBuildScript(p('/usr/local/go/bin/go', ['go', 'generate', './...']), undefined)).toBe('go_generate');
    expect(classifyBuildScript(p('/bin/sh', ['sh', '-c', 'node install.js']), p('/usr/bin/node', ['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'install']))).toBe('npm_lifecycle');
  });
  it('leaves ordinary tools alone', () => {
    expect(classifyBuildScript(p('/usr/bin/cc', ['cc', '-c', 'x.c']), undefined)).toBeNull();
    expect(classifyBuildScript(p('/bin/sh', ['sh', '-c', 'make']), p('/usr/bin/make', ['make']))).toBeNull();
    expect(classifyBuildScript(p('/usr/bin/python3', ['python3', 'build.py']), undefined)).toBeNull();
  });
});
