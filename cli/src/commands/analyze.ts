// `telltale analyze --format bpftrace|tetragon|falco FILE|-`: the detectors over a captured
// stream, in memory.
import { readFileSync } from 'node:fs';
import { many, one, UsageError, type FlagSpec, type ParsedFlags } from '../flags.js';
import type { CliIo } from '../io.js';

export const analyzeFlags: readonly FlagSpec[] = [
  { name: 'format', value: 'FORMAT', help: 'the capture\'s format: bpftrace (telltale.bt under bpftrace -f json), tetragon (its JSON export), falco (its JSON output with deploy/falco rules)' },
  { name: 'pipeline', value: 'P', help: 'pipeline name given to the capture (default "analyze")' },
  { name: 'dns-port', value: 'N', repeatable: true, help: 'treat port N as DNS, besides 53' },
  { name: 'external', value: 'CIDR', repeatable: true, help: 'treat this loopback/private range as egress' },
];

async function readAll(source: string, io: CliIo): Promise<string> {
  if (source !== '-') return readFileSync(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function analyzeCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const format = one(flags, 'format');
  const { captureToEvents, decoderFor, isSourceName, SOURCE_NAMES } = await import('@telltale/agent-bridge');
  if (!format || !isSourceName(format)) throw new UsageError(`--format must be one of ${SOURCE_NAMES.join(', ')}${format ? `, not "${format}"` : ''}`);
  const [source, ...extra] = flags.rest;
  if (!source || extra.length) throw new UsageError('give exactly one FILE, or - for standard input');
  const { analyzeEvents } = await import('@telltale/server');
  const text = await readAll(source, io);
  const dnsPorts = (many(flags, 'dns-port') ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536);
  const capture = captureToEvents(decoderFor(format, { dnsPorts }), text.split('\n'), { pipeline: one(flags, 'pipeline') });
  const result = analyzeEvents(capture.events, { dnsPorts, external: many(flags, 'external') });
  for (const a of result.alerts) io.stdout(JSON.stringify(a) + '\n');
  const drops = { ...capture.drops, ...result.drops };
  if (Object.keys(drops).length) io.stderr(`telltale analyze: dropped ${JSON.stringify(drops)}\n`);
  io.stderr(`telltale analyze: ${capture.events.length} events, ${result.alerts.length} alerts\n`);
  return 0;
}
