// Process alerts of deploy/falco/telltale_rules.yaml (execve/execveat exit, clone child, main
// thread procexit) into host events. A value the event cannot do without leaves a reason in
// `f.error` and the function returns null.
import type { HostEvent } from '../host-event.js';
import type { AlertFields } from './alert-fields.js';

/** PID_MAX_LIMIT on 64-bit Linux. */
const PID_MAX = 4_194_304;
const UID_MAX = 0xffff_ffff;
/** libs reads at most 4096 bytes of argv on exec (proc.args: "truncated after 4096 bytes"). */
const ARGS_CAPTURE_BYTES = 4096;
const utf8 = new TextEncoder();

/** ns since the epoch to µs; null beyond what a number holds exactly. */
export function nsToUs(ns: bigint): number | null {
  if (ns < 0n) return null;
  const us = ns / 1000n;
  return us <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(us) : null;
}

export function toExec(f: AlertFields, timeUs: number): HostEvent | null {
  const pid = f.require(f.int('proc.pid', 1, PID_MAX), 'proc.pid');
  const ppid = f.int('proc.ppid', 0, PID_MAX) ?? 0;
  // evt.arg.filename (libs >= 0.23) is the path execve was given, made absolute against the
  // cwd, like the bpftrace source's filename; proc.exepath resolves symlinks (rustup's cargo
  // proxy becomes rustup), so it is only the fallback.
  const exe = f.require(f.str('evt.arg.filename') ?? f.str('proc.exepath') ?? f.str('proc.exe'), 'proc.exepath');
  const argv0 = f.str('proc.exe') ?? exe ?? '';
  const args = f.str('proc.args');
  const nargs = f.int('proc.cmdnargs', 0, 1 << 20);
  // libsinsp keeps the cwd with a trailing '/' ("/tmp/cap/"); /proc/PID/cwd has none.
  const rawCwd = f.str('proc.cwd') ?? '';
  const cwd = rawCwd.length > 1 && rawCwd.endsWith('/') ? rawCwd.slice(0, -1) : rawCwd;
  const uid = f.int('user.uid', 0, UID_MAX) ?? 0;
  const startNs = f.big('proc.pid.ts');
  if (f.error !== null || pid === null || exe === null) return null;
  // proc.args joins the arguments with single spaces: an argument holding a space (or an
  // empty one at the end) cannot be told apart. proc.cmdnargs says how many there were.
  const rest = args === null || args === '' ? [] : args.split(' ');
  const inexact = args === null || (nargs !== null && nargs !== rest.length);
  const cut = args !== null && utf8.encode(args).length + argv0.length + 2 >= ARGS_CAPTURE_BYTES;
  const startUs = startNs !== null && startNs > 0n ? nsToUs(startNs) : null;
  return {
    kind: 'exec', timeUs, pid, ppid, exe, argv: [argv0, ...rest], cwd, uid,
    startTimeUs: startUs ?? timeUs, argvTruncated: inexact || cut,
  };
}

export function toFork(f: AlertFields, timeUs: number): HostEvent | null {
  const pid = f.require(f.int('proc.pid', 1, PID_MAX), 'proc.pid');
  const ppid = f.require(f.int('proc.ppid', 0, PID_MAX), 'proc.ppid');
  if (f.error !== null || pid === null || ppid === null) return null;
  return { kind: 'fork', timeUs, pid, ppid };
}

export function toExit(f: AlertFields, timeUs: number): HostEvent | null {
  const pid = f.require(f.int('proc.pid', 1, PID_MAX), 'proc.pid');
  // status is the kernel's exit_code (code << 8 | signal), as the bpftrace source reports it.
  const status = f.int('evt.arg.status', 0, 0xffff);
  const ret = f.int('evt.arg.ret', 0, 255);
  const sig = signalNumber(f.str('evt.arg.sig'));
  if (status === null && ret === null) f.require(null, 'evt.arg.status');
  if (f.error !== null || pid === null) return null;
  if (status !== null) return { kind: 'exit', timeUs, pid, exitCode: (status >> 8) & 0xff, signal: status & 0x7f };
  return { kind: 'exit', timeUs, pid, exitCode: ret ?? 0, signal: sig };
}

/** libsinsp utils.cpp signal_to_str names; evt.arg.sig is the name, or the number when unnamed. */
const SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

function signalNumber(text: string | null): number {
  if (text === null) return 0;
  const named = SIGNALS.indexOf(text);
  if (named >= 0) return named + 1;
  return /^\d{1,3}$/.test(text) && Number(text) <= 127 ? Number(text) : 0;
}
