import { describe, expect, it } from 'vitest';
import { LockfileFault } from './lockfile.js';
import { readToml, type TomlTable } from './toml-subset.js';

const read = (text: string) => readToml(text, 8);
function fault(text: string): LockfileFault {
  try {
    read(text);
  } catch (err) {
    if (err instanceof LockfileFault) return err;
    throw err;
  }
  throw new Error('expected a fault');
}
const table = (v: unknown) => v as TomlTable;

describe('readToml (the Cargo.lock / poetry.lock subset)', () => {
  it('reads key/values, comments, arrays of tables and sub-tables of the last one', () => {
    const doc = read([
      '# a comment', 'version = 4', '', '[[package]]', 'name = "a" # trailing', 'dependencies = [', ' "b",', ' # inside', ' "c 1.0",', ']',
      '[package.extras]', 'x = [">=1"]', '', '[[package]]', "name = 'b'", '[metadata]', '"checksum a 1.0 (src)" = "abc"',
    ].join('\n'));
    expect(doc.get('version')).toBe(4);
    const pkgs = doc.get('package') as TomlTable[];
    expect(pkgs.map((p) => p.get('name'))).toEqual(['a', 'b']);
    expect(pkgs[0]!.get('dependencies')).toEqual(['b', 'c 1.0']);
    expect(table(pkgs[0]!.get('extras')).get('x')).toEqual(['>=1']);
    expect(table(doc.get('metadata')).get('checksum a 1.0 (src)')).toBe('abc');
  });

  it('puts [package.dependencies] under the last [[package]]', () => {
    const doc = read('[[package]]\nname = "a"\n[[package]]\nname = "b"\n[package.dependencies]\nx = "1"\n');
    const pkgs = doc.get('package') as TomlTable[];
    expect(pkgs[0]!.has('dependencies')).toBe(false);
    expect(table(pkgs[1]!.get('dependencies')).get('x')).toBe('1');
  });

  it('reads inline tables over several lines, nested arrays and trailing commas', () => {
    const doc = read('deps = [\n  {version = ">=1", markers = "python_version < \\"3.8\\""},\n  {version = "2", optional = true,},\n]\n');
    const deps = doc.get('deps') as TomlTable[];
    expect(deps[0]!.get('markers')).toBe('python_version < "3.8"');
    expect(deps[1]!.get('optional')).toBe(true);
  });

  it('reads every string form and escape', () => {
    const doc = read([
      String.raw`a = "tab\there \u00e9 \U0001F600 \\ \""`, "b = 'C:\\raw\\path'", 'c = """', 'line one', 'line \\', '   two"""',
      "d = '''", "raw \\n''''", 'e = ""', '"quoted key" = 1', 'dotted.key = true',
    ].join('\n'));
    expect(doc.get('a')).toBe('tab\there é 😀 \\ "');
    expect(doc.get('b')).toBe('C:\\raw\\path');
    expect(doc.get('c')).toBe('line one\nline two');
    expect(doc.get('d')).toBe("raw \\n'");
    expect(doc.get('e')).toBe('');
    expect(doc.get('quoted key')).toBe(1);
    expect(table(doc.get('dotted')).get('key')).toBe(true);
  });

  it('reads numbers, keeps other bare values as text, accepts CRLF', () => {
    const doc = read('a = 1_000\r\nb = -2.5e3\r\nc = 1979-05-27T07:32:00Z\r\nd = inf\r\n');
    expect([doc.get('a'), doc.get('b'), doc.get('c'), doc.get('d')]).toEqual([1000, -2500, '1979-05-27T07:32:00Z', 'inf']);
  });

  it('keeps __proto__ and constructor as plain keys', () => {
    const doc = read('__proto__ = "x"\n[constructor]\nprototype = 1\n');
    expect(doc.get('__proto__')).toBe('x');
    expect(table(doc.get('constructor')).get('prototype')).toBe(1);
    expect(({} as Record<string, unknown>).prototype).toBeUndefined();
  });

  it('refuses what TOML refuses, with the line', () => {
    expect(fault('a = 1\na = 2\n')).toMatchObject({ code: 'syntax', line: 2 });
    expect(fault('[t]\n[t]\n')).toMatchObject({ code: 'syntax', line: 2 });
    expect(fault('a = [1]\n[[a]]\n')).toMatchObject({ code: 'syntax' });
    expect(fault('a = {b = 1}\n[a.c]\n')).toMatchObject({ code: 'syntax' });
    expect(fault('a = "open\n')).toMatchObject({ code: 'syntax', line: 1 });
    expect(fault('x = 1\n\na = """never closed')).toMatchObject({ code: 'syntax', line: 3 });
    expect(fault('a = [1, 2')).toMatchObject({ code: 'syntax' });
    expect(fault('a = "\\q"')).toMatchObject({ code: 'syntax' });
    expect(fault('a = "\\uD800"')).toMatchObject({ code: 'syntax' });
    expect(fault('a = 1 b = 2')).toMatchObject({ code: 'syntax' });
    expect(fault('= 1')).toMatchObject({ code: 'syntax' });
    expect(fault('{"json": true}')).toMatchObject({ code: 'syntax' });
    expect(fault('a = 1\rb = 2')).toMatchObject({ code: 'syntax' });
  });

  it('refuses nesting deeper than the cap', () => {
    expect(read(`a = ${'['.repeat(8)}${']'.repeat(8)}`).get('a')).toBeDefined();
    expect(fault(`a = ${'['.repeat(10)}${']'.repeat(10)}`).code).toBe('too_deep');
    expect(fault(`a = ${'['.repeat(100_000)}`).code).toBe('too_deep');
    expect(fault(`a = ${'{b = '.repeat(20)}1${'}'.repeat(20)}`).code).toBe('too_deep');
  });
});
