import { describe, expect, it } from 'vitest';
import { packageOfBuildScript } from './package-of.js';
import type { ProcessInfo } from '../observation.js';

const proc = (exe: string, cwd: string, argv: string[] = [exe]): ProcessInfo => ({ pid: 2, ppid: 1, exe, argv, cwd, startTimeUs: 0 });

describe('packageOfBuildScript', () => {
  it('cargo: the crate from the build script\'s directory, the version from a registry source directory', () => {
    expect(packageOfBuildScript('cargo_build_script', proc('/w/target/debug/build/url-parsr-1a2b3c4d5e6f7a8b/build-script-build', '/w/url-parsr')))
      .toEqual({ ecosystem: 'cargo', name: 'url-parsr', version: null, from: 'build script path' });
    expect(packageOfBuildScript('cargo_build_script', proc('/w/target/release/build/serde_json-0123456789abcdef/build-script-build',
      '/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.117')))
      .toMatchObject({ name: 'serde_json', version: '1.0.117' });
    expect(packageOfBuildScript('cargo_build_script', proc('/usr/bin/build-script-build', '/w'))).toBeNull();
  });

  it('rustc loading proc-macros: the crate it compiles, named and versioned by its source directory, and the macros', () => {
    const DEPS = '/w/target/debug/deps';
    const rustc = (crate: string, source: string, ...externs: string[]) => proc('/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc', '/w',
      ['rustc', '--crate-name', crate, '--edition=2021', source, '--crate-type', 'lib', ...externs.flatMap((e) => ['--extern', e])]);
    expect(packageOfBuildScript('rustc_proc_macro', rustc('serde', '/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/lib.rs',
      `serde_derive=${DEPS}/libserde_derive-0a1b2c3d4e5f6a7b.so`, `itoa=${DEPS}/libitoa-0a1b2c3d4e5f6a7b.rmeta`)))
      .toEqual({ ecosystem: 'cargo', name: 'serde', version: '1.0.200', from: 'rustc arguments', procMacros: ['serde_derive'] });
    // Hyphens from the directory, the version's pre-release part kept; a vendored copy reads the same.
    expect(packageOfBuildScript('rustc_proc_macro', rustc('tokio_util', '/w/vendor/tokio-util-0.7.11-alpha.1/src/lib.rs',
      `tokio_macros=${DEPS}/libtokio_macros-1.so`, `pin-project-internal=${DEPS}/libpin_project_internal-1.so`)))
      .toMatchObject({ name: 'tokio-util', version: '0.7.11-alpha.1', procMacros: ['tokio_macros', 'pin-project-internal'] });
    // A path crate (workspace member, relative source): the crate name as given, no version.
    expect(packageOfBuildScript('rustc_proc_macro', rustc('my_app', 'crates/my-app/src/main.rs', `clap_derive=${DEPS}/libclap_derive-1.so`)))
      .toEqual({ ecosystem: 'cargo', name: 'my_app', version: null, from: 'rustc arguments', procMacros: ['clap_derive'] });
    // A `<name>-<version>` directory of another crate says nothing about this one.
    expect(packageOfBuildScript('rustc_proc_macro', rustc('helper', '/home/u/other-1.2.3/helper/src/lib.rs', `d=${DEPS}/libd-1.so`)))
      .toMatchObject({ name: 'helper', version: null });
    // In the registry the directory is the package, whatever its library or build script is called.
    expect(packageOfBuildScript('rustc_proc_macro', rustc('md5', '/c/registry/src/index.crates.io-1/md-5-0.10.6/src/lib.rs', `d=${DEPS}/libd-1.so`)))
      .toMatchObject({ name: 'md-5', version: '0.10.6' });
    expect(packageOfBuildScript('rustc_proc_macro', rustc('build_script_build', '/c/registry/src/index.crates.io-1/x11-dl-2.21.0/build.rs', `d=${DEPS}/libd-1.so`)))
      .toMatchObject({ name: 'x11-dl', version: '2.21.0' });
    expect(packageOfBuildScript('rustc_proc_macro', proc('/usr/bin/rustc', '/w', ['rustc', '-vV']))).toBeNull();
    // Other kinds carry no procMacros field.
    expect(packageOfBuildScript('npm_lifecycle', proc('/bin/sh', '/app/node_modules/left-pad'))).not.toHaveProperty('procMacros');
  });

  it('npm: the innermost package folder under node_modules, scoped names whole', () => {
    expect(packageOfBuildScript('npm_lifecycle', proc('/bin/sh', '/app/node_modules/left-pad'))).toMatchObject({ ecosystem: 'npm', name: 'left-pad' });
    expect(packageOfBuildScript('npm_lifecycle', proc('/bin/sh', '/app/node_modules/a/node_modules/@scope/evil-pkg'))).toMatchObject({ name: '@scope/evil-pkg' });
    expect(packageOfBuildScript('npm_lifecycle', proc('/bin/sh', '/app'))).toBeNull(); // the project's own script
  });

  it('pip and go', () => {
    expect(packageOfBuildScript('setup_py', proc('/usr/bin/python3', '/tmp/pip-install-x1y2/Py_Yaml_0123456789abcdef0123456789abcdef')))
      .toMatchObject({ ecosystem: 'pypi', name: 'py-yaml' });
    expect(packageOfBuildScript('go_generate', proc('/usr/bin/go', '/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/internal')))
      .toEqual({ ecosystem: 'go', name: 'github.com/BurntSushi/toml', version: 'v1.3.2', from: 'module cache directory' });
  });
});
