// A decoder for each source's output format, by name: what `telltale analyze --format` and
// the agent's source choice share.
import { BpftraceDecoder } from './bpftrace-decoder.js';
import { TetragonDecoder } from './tetragon/tetragon-decoder.js';
import { FalcoDecoder } from './falco/falco-decoder.js';
import type { SourceDecoder, SourceName } from './event-source.js';

export const SOURCE_NAMES: readonly SourceName[] = ['bpftrace', 'tetragon', 'falco'];

export function isSourceName(name: string): name is SourceName {
  return (SOURCE_NAMES as readonly string[]).includes(name);
}

export function decoderFor(source: SourceName, opts: { dnsPorts?: readonly number[]; clockOffsetNs?: bigint } = {}): SourceDecoder {
  const dnsPorts = [...new Set([53, ...(opts.dnsPorts ?? [])])];
  switch (source) {
    case 'bpftrace': return new BpftraceDecoder({ clockOffsetNs: opts.clockOffsetNs ?? 0n });
    case 'tetragon': return new TetragonDecoder({ dnsPorts });
    case 'falco': return new FalcoDecoder({ dnsPorts });
  }
}
