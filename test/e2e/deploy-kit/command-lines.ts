// Finds the `telltale <command> ...` invocations in shell text (CI scripts, README blocks,
// systemd ExecStart=) and splits each into words the way a shell would, closely enough to
// check flags against the CLI's own tables.
import type { FlagSpec } from '../../../cli/src/flags.js';

export const COMMANDS = ['up', 'server', 'agent', 'run', 'drill', 'analyze', 'guard', 'policy'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CommandLine {
  where: string;
  command: CommandName;
  /** The words after the command name, quotes removed; shell expansions kept as written. */
  args: string[];
}

/** Words of one shell command line, up to an unquoted operator (&& || | ; & >) or comment. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') { i++; continue; }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        word += text[j];
      }
      inWord = true;
      i = j;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (!inWord && c === '#') break;
    if ('|;&><'.includes(c)) break;
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

const INVOCATION = new RegExp(String.raw`(?:^|[\s;&|(])(?:\S*/)?telltale\s+(${COMMANDS.join('|')})(?=\s|$)`, 'g');

/** Every invocation in `text` (backslash-newline continuations joined). */
export function findCommandLines(text: string, where: string): CommandLine[] {
  const joined = text.replace(/\\\n/g, ' ');
  const found: CommandLine[] = [];
  for (const line of joined.split('\n')) {
    for (const m of line.matchAll(INVOCATION)) {
      const rest = line.slice(m.index! + m[0].length);
      found.push({ where, command: m[1] as CommandName, args: shellWords(rest) });
    }
  }
  return found;
}

/** The fenced sh blocks of a Markdown file. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/** A flag table rebuilt from `telltale <command> --help` (for commands whose table we do not import). */
export function flagsFromHelp(help: string): FlagSpec[] {
  const rows = [...help.matchAll(/^ {2}--([a-z0-9-]+)( \S+)?\s{2,}(.*)$/gm)];
  return rows.map((m) => ({ name: m[1]!, help: m[3]!, ...(m[2] ? { value: m[2].trim() } : {}), repeatable: m[3]!.endsWith('(repeatable)') }));
}
