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
