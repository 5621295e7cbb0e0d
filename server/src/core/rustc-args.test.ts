import { describe, expect, it } from 'vitest';
import { parseRustcArgs } from './rustc-args.js';

const REG = '/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f';
const DEPS = '/w/target/debug/deps';

describe('parseRustcArgs', () => {
  it('reads the crate, its source and the proc-macros from a cargo command line', () => {
    expect(parseRustcArgs([
      'rustc', '--crate-name', 'serde', '--edition=2018', `${REG}/serde-1.0.200/src/lib.rs`, '--error-format=json',
      '--crate-type', 'lib', '--emit=dep-info,metadata,link', '-C', 'embed-bitcode=no', '--cfg', 'feature="derive"',
      '--out-dir', DEPS, '-L', `dependency=${DEPS}`, '--extern', `serde_derive=${DEPS}/libserde_derive-0a1b2c3d4e5f6a7b.so`,
      '--extern', `itoa=${DEPS}/libitoa-0a1b2c3d4e5f6a7b.rmeta`, '--cap-lints', 'allow',
    ])).toEqual({ crateName: 'serde', source: `${REG}/serde-1.0.200/src/lib.rs`, procMacros: ['serde_derive'] });
  });

  it('takes --opt=value, extern options and every platform\'s dynamic library, once each', () => {
    expect(parseRustcArgs([
      'rustc', '--crate-name=app', 'src/main.rs', `--extern=thiserror_impl=${DEPS}/libthiserror_impl-1.dylib`,
      '--extern', `priv:noprelude:tokio-macros=C:\\t\\tokio_macros-2.dll`, '--extern', `thiserror_impl=${DEPS}/libthiserror_impl-1.dylib`,
    ])).toEqual({ crateName: 'app', source: 'src/main.rs', procMacros: ['thiserror_impl', 'tokio-macros'] });
  });

  it('loads nothing from a bare --extern, an rlib, or a value cut off by a truncated argv', () => {
    // Compiling a proc-macro crate: `--extern proc_macro` names the sysroot crate, no file.
    expect(parseRustcArgs(['rustc', '--crate-name', 'serde_derive', '--crate-type', 'proc-macro', 'src/lib.rs', '--extern', 'proc_macro']).procMacros).toEqual([]);
    expect(parseRustcArgs(['rustc', '--extern', `syn=${DEPS}/libsyn-1.rlib`, '--extern', `quote=${DEPS}/libquote-1.so.rmeta`]).procMacros).toEqual([]);
    expect(parseRustcArgs(['rustc', '--crate-name', 'x', '--extern'])).toEqual({ crateName: 'x', source: null, procMacros: [] });
    expect(parseRustcArgs(['rustc', '--extern', `bad name=${DEPS}/x.so`, '--extern', `=${DEPS}/x.so`, '--extern', `--extern=x=${DEPS}/x.so`]).procMacros).toEqual([]);
  });

  it('never reads an option\'s value as the source file', () => {
    expect(parseRustcArgs(['rustc', '-o', 'out.rs', '--crate-name', 'x', 'lib.rs']).source).toBe('lib.rs');
    expect(parseRustcArgs(['rustc', '-', '--crate-name', '___']).source).toBeNull(); // source on stdin (autocfg probes)
  });
});
