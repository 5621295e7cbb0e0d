#!/usr/bin/env node
// Entry point of the `telltale` CLI: wires the real process to createCli and exits with its code.
import { createCli } from '../cli/dist/main.js';

const controller = new AbortController();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort();
  });
}
const code = await createCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  signal: controller.signal,
  stdoutIsTerminal: process.stdout.isTTY === true,
});
process.exitCode = code;
// Daemons have closed their servers; anything left (a stuck socket) must not keep us alive.
setTimeout(() => process.exit(code), 2000).unref();
