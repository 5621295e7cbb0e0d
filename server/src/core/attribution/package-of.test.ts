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
