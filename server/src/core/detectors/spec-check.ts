// Validates a detector spec once, at compile time: unknown keys and bad values throw
// DETECTOR_SPEC_INVALID so a typo in configuration stops start-up instead of silently
// running with a default. The result is a frozen, complete spec.

import { ServerError } from '../errors.js';
import { canonicalIp } from '../ip-text.js';

export type Check<V> = (value: unknown) => { value: V } | { problem: string };

export function compileSpec<T extends object>(
  kind: string, defaults: T, spec: unknown, checks: { [K in keyof T]: Check<T[K]> },
): Readonly<T> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw invalid(kind, '(spec)', 'must be an object');
  for (const key of Object.keys(spec)) {
    if (!Object.hasOwn(defaults, key)) throw invalid(kind, key, 'unknown setting');
  }
  const out: Partial<T> = {};
  for (const key of Object.keys(defaults) as Array<keyof T & string>) {
    const given = (spec as Record<string, unknown>)[key];
    const checked = checks[key](given === undefined ? defaults[key] : given);
    if ('problem' in checked) throw invalid(kind, key, checked.problem);
    out[key] = checked.value;
  }
  return Object.freeze(out as T);
}

function invalid(kind: string, key: string, problem: string): ServerError {
  return new ServerError('DETECTOR_SPEC_INVALID', `${kind}.${key}: ${problem}`, { detector: kind, setting: key });
}

export const numberIn = (min: number, max: number): Check<number> => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? { value: v } : { problem: `must be a number in [${min}, ${max}]` };

export const integerIn = (min: number, max: number): Check<number> => (v) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? { value: v as number } : { problem: `must be an integer in [${min}, ${max}]` };

function listOf<V>(what: string, item: (s: unknown) => V | null): Check<readonly V[]> {
  return (v) => {
    if (!Array.isArray(v)) return { problem: `must be a list of ${what}` };
    const out: V[] = [];
    for (const x of v) {
      const parsed = item(x);
      if (parsed === null) return { problem: `${JSON.stringify(x)} is not ${what}` };
      out.push(parsed);
    }
    return { value: Object.freeze(out) };
  };
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Host names, lower-cased, without a trailing dot. */
export const hostList: Check<readonly string[]> = listOf('a host name', (x) => {
  if (typeof x !== 'string') return null;
  const h = x.toLowerCase().replace(/\.$/, '');
  return HOSTNAME.test(h) ? h : null;
});

/** IP addresses, in canonical text so they compare equal to decoded ones. */
export const addressList: Check<readonly string[]> = listOf('an IP address', (x) => (typeof x === 'string' ? canonicalIp(x) : null));

export const portList: Check<readonly number[]> = listOf('a port', (x) => (Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65535 ? (x as number) : null));

/** Plain names such as tool basenames: no slashes, no spaces. */
export const nameList: Check<readonly string[]> = listOf('a plain name', (x) => (typeof x === 'string' && /^[^/\s]+$/.test(x) ? x : null));
