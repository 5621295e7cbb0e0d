// Reads a rustc command line as cargo writes it: the crate being compiled, its source file and
// the proc-macros it loads. A proc-macro is a shared library rustc loads and runs while it
// compiles the crate that uses it, so whatever the macro does is done by that rustc.

export interface RustcArgs {
  /** `--crate-name` as given (underscores), null when absent. */
  crateName: string | null;
  /** The first `.rs` operand, null when absent or cut off. */
  source: string | null;
  /** Crate names of the proc-macros loaded, as given, in argv order without repeats. */
  procMacros: string[];
}

/** Proc-macros are loaded as dynamic libraries; rlib/rmeta dependencies are only linked. */
const DYNAMIC_LIBRARY = /\.(so|dylib|dll)$/i;
const CRATE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Options whose value is the next argument, so that value is never read as the source file. */
const TAKES_VALUE = new Set([
  '--cfg', '--check-cfg', '-L', '-l', '--crate-type', '--crate-name', '--edition', '--emit', '--print', '-o', '--out-dir',
  '--explain', '--target', '-A', '-W', '--force-warn', '-D', '-F', '--cap-lints', '-C', '--codegen', '-Z', '--extern',
  '--sysroot', '--error-format', '--json', '--color', '--diagnostic-width', '--remap-path-prefix', '--env-set',
]);

/**
 * Reads what it can: argv may be cut short (agents keep the first 256 entries), so an option
 * whose value was cut off is skipped rather than guessed.
 */
export function parseRustcArgs(argv: readonly string[]): RustcArgs {
  let crateName: string | null = null;
  let source: string | null = null;
  const procMacros: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (TAKES_VALUE.has(arg)) value = argv[++i];
    if (value === undefined) {
      if (source === null && !arg.startsWith('-') && arg.endsWith('.rs')) source = arg;
      continue;
    }
    if (option === '--crate-name' && crateName === null) crateName = value;
    if (option === '--extern') {
      const name = procMacroOf(value);
      if (name !== null && !procMacros.includes(name)) procMacros.push(name);
    }
  }
  return { crateName, source, procMacros };
}

/**
 * `[OPTIONS:]NAME=PATH` to a dynamic library: the proc-macro's crate name. A bare
 * `--extern proc_macro` (how a proc-macro crate itself is compiled) loads nothing.
 */
function procMacroOf(spec: string): string | null {
  const eq = spec.indexOf('=');
  if (eq < 0) return null;
  const name = spec.slice(spec.lastIndexOf(':', eq) + 1, eq); // `priv:`, `noprelude:` and the like
  return CRATE_NAME.test(name) && DYNAMIC_LIBRARY.test(spec.slice(eq + 1)) ? name : null;
}
