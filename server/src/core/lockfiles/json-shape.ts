// Typed reads of parsed JSON for the npm parser. Objects become Maps of own keys, so keys such as
// `__proto__` or `constructor` are only ever data; a wrong type is `bad_shape`.
import { LockfileFault } from './lockfile.js';

export type JsonObject = Map<string, unknown>;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LockfileFault('syntax', `not JSON: ${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'}`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown, where: string): JsonObject {
  if (!isPlainObject(v)) throw new LockfileFault('bad_shape', `${where} must be an object`);
  return new Map(Object.entries(v));
}

export function optObject(o: JsonObject, key: string, where: string): JsonObject | undefined {
  const v = o.get(key);
  return v === undefined ? undefined : asObject(v, `${where}.${key}`);
}

export function optString(o: JsonObject, key: string, where: string): string | undefined {
  const v = o.get(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new LockfileFault('bad_shape', `${where}.${key} must be a string`);
}

export function optBoolean(o: JsonObject, key: string, where: string): boolean | undefined {
  const v = o.get(key);
  if (v === undefined || typeof v === 'boolean') return v;
  throw new LockfileFault('bad_shape', `${where}.${key} must be true or false`);
}

/** A `{name: range}` map (dependencies, requires): names only, the ranges must be strings. */
export function dependencyNames(o: JsonObject, key: string, where: string): string[] {
  const deps = optObject(o, key, where);
  if (!deps) return [];
  for (const [name, range] of deps) {
    if (typeof range !== 'string') throw new LockfileFault('bad_shape', `${where}.${key}.${name} must be a string`);
  }
  return [...deps.keys()];
}
