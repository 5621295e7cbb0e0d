// One flag table per subcommand drives both the parser and --help.

export interface FlagSpec {
  name: string;          // long name without dashes
  value?: string;        // placeholder when the flag takes a value; absent for booleans
  repeatable?: boolean;
  help: string;
}

export type ParsedFlags = { values: Record<string, string[]>; booleans: Set<string>; rest: string[] };

export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** Parses `--name value`, `--name=value` and booleans; stops at `--` (the rest is a command). */
export function parseFlags(argv: readonly string[], table: readonly FlagSpec[], allowPositional = false): ParsedFlags {
  const byName = new Map(table.map((f) => [f.name, f]));
  const values: Record<string, string[]> = {};
  const booleans = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (!allowPositional) throw new UsageError(`unexpected argument "${arg}"`);
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value (${spec.value})`);
    if (values[name] && !spec.repeatable) throw new UsageError(`--${name} given twice`);
    (values[name] ??= []).push(value);
  }
  return { values, booleans, rest };
}

export function helpText(usage: string, summary: string, table: readonly FlagSpec[]): string {
  const rows = table.map((f) => [`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.help + (f.repeatable ? ' (repeatable)' : '')]);
  const width = Math.max(0, ...rows.map(([a]) => a!.length));
  return `${usage}\n\n${summary}\n\nOptions:\n${rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`).join('\n')}\n`;
}

export const one = (p: ParsedFlags, name: string): string | undefined => p.values[name]?.[0];
export const many = (p: ParsedFlags, name: string): string[] | undefined => p.values[name];
