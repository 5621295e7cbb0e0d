// Typed reads of a TOML table for the Cargo.lock and poetry.lock parsers: a field of the wrong
// type is `bad_shape`, never a silent default.
import { LockfileFault } from './lockfile.js';
import type { TomlTable } from './toml-subset.js';

export function tomlString(t: TomlTable, key: string, where: string): string | undefined {
  const v = t.get(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new LockfileFault('bad_shape', `${where}: ${key} must be a string`);
}

export function tomlTable(t: TomlTable, key: string, where: string): TomlTable | undefined {
  const v = t.get(key);
  if (v === undefined || v instanceof Map) return v;
  throw new LockfileFault('bad_shape', `${where}: ${key} must be a table`);
}

export function tomlTables(t: TomlTable, key: string, where: string): TomlTable[] {
  const v = t.get(key);
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x) => x instanceof Map)) return v as TomlTable[];
  throw new LockfileFault('bad_shape', `${where}: ${key} must be an array of tables`);
}

export function tomlStrings(t: TomlTable, key: string, where: string): string[] {
  const v = t.get(key);
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new LockfileFault('bad_shape', `${where}: ${key} must be an array of strings`);
}
