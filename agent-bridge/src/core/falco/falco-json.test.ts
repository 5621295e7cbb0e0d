import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FALCO_ERROR_CODES } from '../errors.js';
import { MAX_LINE_CHARS, parseFalcoLine, parseRfc3339Ns, type FalcoAlert } from './falco-json.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

function alert(line: string): FalcoAlert {
  const r = parseFalcoLine(line);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.alert;
}
const codeOf = (line: string) => {
  const r = parseFalcoLine(line);
  return r.ok ? 'ok' : r.error.code;
};

const EXEC = '{"hostname":"h","output":"o","output_fields":{"evt.time":1700000000123456789,"proc.pid":42,"proc.pid.ts":1700000000123456999,'
  + '"proc.cwd":null,"fd.rport":53,"rtt":0.25,"list":["a",1]},"priority":"Informational","rule":"telltale process started",'
  + '"source":"syscall","tags":["telltale","x"],"time":"2023-11-14T22:13:20.123456789Z"}';

describe('parseFalcoLine', () => {
  it('reads an alert with exact 64-bit integers, nulls, floats and list fields', () => {
    const a = alert(EXEC);
    expect(a).toMatchObject({ rule: 'telltale process started', priority: 'Informational', source: 'syscall', hostname: 'h', output: 'o', tags: ['telltale', 'x'] });
    expect(a.timeNs).toBe(1700000000123456789n);
    expect(a.fields?.get('evt.time')).toBe(1700000000123456789n);
    expect(a.fields?.get('proc.pid.ts')).toBe(1700000000123456999n);
    expect(a.fields?.get('proc.pid')).toBe(42n);
    expect(a.fields?.get('proc.cwd')).toBeNull();
    expect(a.fields?.get('rtt')).toBe(0.25);
    expect(a.fields?.get('list')).toEqual(['a', 1n]);
  });

  it('reads every line of the build fixtures', () => {
    for (const name of ['exfil-build.jsonl', 'exfil-build.dots.jsonl', 'benign-build.jsonl']) {
      for (const line of fixture(name)) expect(codeOf(line)).toBe('ok');
    }
  });

  it('reads internal alerts, which have no tags, and alerts without output or output_fields', () => {
    const drop = alert(fixture('hostile.jsonl')[4]!);
    expect(drop).toMatchObject({ rule: 'Falco internal: syscall event drop', priority: 'Debug', source: 'internal', tags: [] });
    expect(drop.fields?.get('n_drops')).toBe('1234');
    const bare = alert('{"priority":"Notice","rule":"r","source":"syscall","time":"2023-11-14T22:13:20Z"}');
    expect(bare).toMatchObject({ output: null, fields: null, tags: [], hostname: '', timeNs: 1700000000000000000n });
  });

  it.each([
    ['{"rule":"r"', 'FALCO_MALFORMED_JSON'],
    ['Tue Nov 14 22:33:20 2023: Falco version: 0.44.1', 'FALCO_MALFORMED_JSON'],
    ['[1]', 'FALCO_NOT_AN_ALERT'],
    ['{}', 'FALCO_NOT_AN_ALERT'],
    ['{"priority":"Notice","source":"s","time":"2023-11-14T22:13:20Z"}', 'FALCO_NOT_AN_ALERT'],
    ['{"priority":"Urgent","rule":"r","source":"s","time":"2023-11-14T22:13:20Z"}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"","source":"s","time":"2023-11-14T22:13:20Z"}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":1,"time":"2023-11-14T22:13:20Z"}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":1700000000}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":"2023-11-14T22:13:20Z","tags":[1]}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":"2023-11-14T22:13:20Z","output_fields":[]}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":"2023-11-14T22:13:20Z","output_fields":{"a":{"b":1}}}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":"2023-11-14T22:13:20Z","output_fields":{"a":1e400}}', 'FALCO_BAD_FIELD'],
    ['{"priority":"Notice","rule":"r","source":"s","time":"2023-11-14T22:13:20Z","hostname":null,"output":7}', 'FALCO_BAD_FIELD'],
  ])('refuses %s with %s', (line, code) => {
    expect(codeOf(line)).toBe(code);
  });

  it('refuses a line over the limit without scanning it', () => {
    const huge = `{"rule":"${'x'.repeat(MAX_LINE_CHARS)}"}`;
    expect(codeOf(huge)).toBe('FALCO_LINE_TOO_LONG');
  });

  it('gives each hostile line a code from the list, and pollutes no prototype', () => {
    for (const line of fixture('hostile.jsonl')) {
      const r = parseFalcoLine(line);
      if (!r.ok) expect(FALCO_ERROR_CODES).toContain(r.error.code);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const withProto = alert(fixture('hostile.jsonl')[6]!);
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
  });
});

describe('parseRfc3339Ns', () => {
  it('reads Falco\'s nanosecond UTC time and shorter fractions', () => {
    expect(parseRfc3339Ns('2023-11-14T22:13:20.123456789Z')).toBe(1700000000123456789n);
    expect(parseRfc3339Ns('2023-11-14T22:13:20.5Z')).toBe(1700000000500000000n);
    expect(parseRfc3339Ns('1970-01-01T00:00:00.000000000Z')).toBe(0n);
  });

  it.each(['2023-02-30T22:13:20.000000000Z', '2023-11-14T24:13:20Z', '2023-11-14 22:13:20Z', '2023-11-14T22:13:20.1234567890Z',
    '2023-11-14T22:13:20+01:00', '1969-12-31T23:59:59Z'])('refuses %s', (t) => {
    expect(parseRfc3339Ns(t)).toBeNull();
  });
});
