import { describe, expect, it } from 'vitest';
import { classifyBuildScript } from './build-script.js';

const p = (exe: string, argv: string[]) => ({ pid: 1, ppid: 0, exe, argv, cwd: '/w', startTimeUs: 0 });
const TOOLCHAIN = '/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc';
const EXTERN = '--extern';
const SO = 'serde_derive=/w/target/debug/deps/libserde_derive-0a1b2c3d4e5f6a7b.so';
const compile = (...tail: string[]) => ['rustc', '--crate-name', 'serde', '--edition=2018', '/r/serde-1.0.200/src/lib.rs', ...tail];

describe('classifyBuildScript: rustc', () => {
  it('marks a rustc that loads a proc-macro, in either --extern form', () => {
    expect(classifyBuildScript(p(TOOLCHAIN, compile(EXTERN, SO)), undefined)).toBe('rustc_proc_macro');
    expect(classifyBuildScript(p('/root/.cargo/bin/rustc', compile(`--extern=${SO}`)), undefined)).toBe('rustc_proc_macro');
    expect(classifyBuildScript(p(TOOLCHAIN, compile('--extern', 'tokio_macros=/w/target/debug/deps/libtokio_macros-1.dylib')), undefined)).toBe('rustc_proc_macro');
  });

  it('leaves rustc alone when it loads no proc-macro', () => {
    expect(classifyBuildScript(p(TOOLCHAIN, ['rustc', '-vV']), undefined)).toBeNull();
    expect(classifyBuildScript(p(TOOLCHAIN, compile('--extern', 'itoa=/w/target/debug/deps/libitoa-1.rmeta')), undefined)).toBeNull();
    // Compiling a proc-macro crate runs none of its code.
    expect(classifyBuildScript(p(TOOLCHAIN, ['rustc', '--crate-name', 'serde_derive', '--crate-type', 'proc-macro', 'src/lib.rs', '--extern', 'proc_macro']), undefined)).toBeNull();
    // Another program passing the same arguments is not rustc.
    expect(classifyBuildScript(p('/usr/bin/rustc-wrapper', compile(EXTERN, SO)), undefined)).toBeNull();
  });

  it('reads what a truncated argv (256 entries) still holds', () => {
    const cfgs = Array.from({ length: 130 }, (_, i) => ['--cfg', `feature="f${i}"`]).flat();
    const cut = (argv: string[]) => argv.slice(0, 256);
    expect(classifyBuildScript(p(TOOLCHAIN, cut(compile(EXTERN, SO, ...cfgs))), undefined)).toBe('rustc_proc_macro');
    expect(classifyBuildScript(p(TOOLCHAIN, cut(compile(...cfgs, EXTERN, SO))), undefined)).toBeNull(); // beyond the cut: unseen
    const endsOnExtern = cut(compile(...cfgs.slice(0, 250), EXTERN, SO));
    expect(endsOnExtern[255]).toBe(EXTERN);
    expect(classifyBuildScript(p(TOOLCHAIN, endsOnExtern), undefined)).toBeNull();
  });
});

describe('classifyBuildScript: pip running setup.py through its -c caller', () => {
  // As pip 22.0-25.2 starts it (Debian 12's pip 23.0.1, seen with strace), the code cut to the
  // 199 bytes a bpftrace argv capture keeps: setup.py's path comes later in the code.
  const caller = "\nexec(compile('''\n# This is <pip-setuptools-caller> -- a caller that pip uses to run setup.py\n#\n# - It imports setuptools before invoking setup.py, to enable projects that directly\n#   import from `distutils.core` to work with newer packaging standards.\n".slice(0, 199);
  const beforePip22 = "import io, os, sys, setuptools, tokenize; sys.argv[0] = '/tmp/pip-install-k2j4/py-yaml_0123456789abcdef0123456789abcdef/setup.py'; __file__='/tmp/pip-install-k2j4/py-yaml_0123456789abcdef0123456789abcdef/setup.py';".slice(0, 199);

  it('marks python running pip\'s setuptools caller, metadata and wheel alike, before and since pip 22', () => {
    expect(classifyBuildScript(p('/usr/bin/python3', ['/usr/bin/python3', '-c', caller, 'egg_info', '--egg-base', '/tmp/pip-pip-egg-info-x']), undefined)).toBe('setup_py');
    expect(classifyBuildScript(p('/usr/bin/python3.11', ['/usr/bin/python3', '-u', '-c', caller, 'bdist_wheel', '-d', '/tmp/pip-wheel-x']), undefined)).toBe('setup_py');
    expect(classifyBuildScript(p('/usr/bin/python3', ['/usr/bin/python3', '-u', '-c', beforePip22, 'bdist_wheel']), undefined)).toBe('setup_py');
  });

  it('leaves other python -c code alone, and the caller\'s text anywhere but after -c', () => {
    expect(classifyBuildScript(p('/usr/bin/python3', ['python3', '-c', 'import setuptools; print(setuptools.__version__)']), undefined)).toBeNull();
    expect(classifyBuildScript(p('/usr/bin/python3', ['python3', '-c', `print(${JSON.stringify(caller)})`]), undefined)).toBeNull();
    expect(classifyBuildScript(p('/usr/bin/python3', ['python3', 'tool.py', caller]), undefined)).toBeNull();
    expect(classifyBuildScript(p('/usr/bin/node', ['node', '-c', caller]), undefined)).toBeNull();
  });
});
