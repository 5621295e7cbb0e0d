// One contract for every source: bpftrace, Tetragon and Falco, each fed the same scenarios in
// its own wire format (the exfiltrating cargo build, the same build without the leak, hostile
// and truncated input), must lead the collector's detectors to the same alerts, and must turn
// bad input into counted losses, never into a crash or a clean-looking build.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BpftraceDecoder } from '../../../agent-bridge/src/core/bpftrace-decoder.js';
import { TetragonDecoder } from '../../../agent-bridge/src/core/tetragon/tetragon-decoder.js';
import { FalcoDecoder } from '../../../agent-bridge/src/core/falco/falco-decoder.js';
import { captureToEvents } from '../../../agent-bridge/src/core/capture.js';
import type { SourceDecoder } from '../../../agent-bridge/src/core/event-source.js';
import { analyzeEvents } from '../../../server/src/core/analyze.js';

const file = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const lines = (path: string) => readFileSync(file(path), 'utf8').split('\n');

/** What every source must yield for the exfiltrating build (cli/src/commands/testdata/cargo-exfil.expected.json). */
const expected = JSON.parse(readFileSync(file('cli/src/commands/testdata/cargo-exfil.expected.json'), 'utf8')) as {
  alerts: { kind: string; qname: string; domain: string; chainExes: string[] }[];
};

interface SourceCase {
  name: string;
  decoder: () => SourceDecoder;
  exfil: string[];
  benign: string[] | null;
  hostile: string;
}

const SOURCES: SourceCase[] = [
  {
    name: 'bpftrace', decoder: () => new BpftraceDecoder({ clockOffsetNs: 0n }),
    exfil: ['cli/src/commands/testdata/cargo-exfil.bpftrace.jsonl'], benign: null, hostile: 'agent-bridge/src/core/testdata/hostile.bpftrace.jsonl',
  },
  {
    name: 'tetragon', decoder: () => new TetragonDecoder({ dnsPorts: [53] }),
    exfil: ['agent-bridge/src/core/tetragon/testdata/exfil-build.jsonl'], benign: ['agent-bridge/src/core/tetragon/testdata/benign-build.jsonl'],
    hostile: 'agent-bridge/src/core/tetragon/testdata/hostile.jsonl',
  },
  {
    name: 'falco', decoder: () => new FalcoDecoder({ dnsPorts: [53] }),
    // Both of Falco's buffer renderings: base64 (exact) and the default dots (rebuilt, lossy).
    exfil: ['agent-bridge/src/core/falco/testdata/exfil-build.jsonl', 'agent-bridge/src/core/falco/testdata/exfil-build.dots.jsonl'],
    benign: ['agent-bridge/src/core/falco/testdata/benign-build.jsonl'], hostile: 'agent-bridge/src/core/falco/testdata/hostile.jsonl',
  },
];

const alertsOf = (decoder: SourceDecoder, input: string[]) => {
  const capture = captureToEvents(decoder, input, { pipeline: 'acme/app' });
  return { capture, result: analyzeEvents(capture.events, {}) };
};

describe.each(SOURCES)('source $name', (source) => {
  it.each(source.exfil)('raises exactly the expected alert for the exfiltrating build (%s)', (path) => {
    const { result } = alertsOf(source.decoder(), lines(path));
    expect(result.alerts.map((a) => ({ kind: a.kind, qname: a.qname, domain: a.domain, chainExes: a.chain.map((p) => p.exe.split('/').pop()).slice(-2) })))
      .toEqual(expected.alerts);
  });

  // bpftrace's benign build is judged live, with the real kernel, in test/e2e/exfil-build.
  if (source.benign) it('raises nothing for the same build without the leak', () => {
    for (const path of source.benign ?? []) {
      const { capture, result } = alertsOf(source.decoder(), lines(path));
      expect(capture.events.filter((e) => e.kind === 'dns').length, path).toBeGreaterThan(0);
      expect(result.alerts, path).toEqual([]);
    }
  });

  it('turns hostile and truncated input into counted losses, never a crash', () => {
    const hostile = lines(source.hostile);
    const { capture } = alertsOf(source.decoder(), hostile);
    const lost = capture.events.filter((e) => e.kind === 'loss').reduce((n, e) => n + (e.kind === 'loss' ? e.count : 0), 0);
    expect(lost).toBeGreaterThan(0);
    expect(Object.values(capture.drops).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // Every line, cut at every length, is read as bad input: never a throw, and never the
    // decoder's own error path (a bug caught and counted as `decoder_error`).
    const decoder = source.decoder();
    for (const line of hostile.slice(0, 20)) for (let i = 0; i < line.length; i += Math.max(1, Math.floor(line.length / 15))) expect(() => decoder.push(line.slice(0, i))).not.toThrow();
    expect(decoder.drops.get('decoder_error') ?? 0).toBe(0);
  });

  it('keeps the leak and marks the build incomplete when hostile lines sit in the middle of the build', () => {
    const exfil = lines(source.exfil[0]!);
    const mixed = [...exfil.slice(0, 5), ...lines(source.hostile).slice(0, 10), ...exfil.slice(5)];
    const { capture, result } = alertsOf(source.decoder(), mixed);
    expect(result.alerts.map((a) => a.kind)).toContain('encoded_dns_label');
    expect(capture.events.some((e) => e.kind === 'loss')).toBe(true);
  });
});
