// A source reading JSON lines from a stream the agent does not own a position in: standard
// input (falco | telltale agent --source falco --falco-file -) or Falco's http_output.
import type { Readable } from 'node:stream';
import { LineSplitter } from '../../core/line-splitter.js';
import type { SourceDecoder } from '../../core/event-source.js';
import { startFalcoHttpServer, type FalcoHttpOptions } from '../falco-http.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startStdinSource(decoder: SourceDecoder, input: Readable, sink: EventSink, log: SourceLog): RunningSource {
  const splitter = new LineSplitter(4 * 1024 * 1024);
  let oversized = 0;
  const take = (lines: string[]) => {
    for (const line of lines) sink(decoder.push(line));
    if (splitter.oversized > oversized) {
      sink([{ kind: 'loss', timeUs: Date.now() * 1000, source: decoder.source, reason: 'line_too_long', count: splitter.oversized - oversized }]);
      oversized = splitter.oversized;
    }
  };
  input.on('data', (chunk: Buffer) => take(splitter.push(chunk)));
  input.on('end', () => {
    take(splitter.end());
    log.warn(`${decoder.source} input ended; no more events are collected`);
  });
  return {
    name: decoder.source,
    drain: async (timeoutMs) => { await settle(Math.min(timeoutMs, 200)); return true; },
    flush: () => sink(decoder.flush()),
    position: () => undefined,
    committed: () => undefined,
    drops: () => Object.fromEntries(decoder.drops),
    async stop() {
      input.pause();
      sink(decoder.flush());
    },
  };
}

export async function startFalcoHttpSource(decoder: SourceDecoder, options: FalcoHttpOptions, sink: EventSink, log: SourceLog): Promise<RunningSource> {
  const server = await startFalcoHttpServer((line) => sink(decoder.push(line)), options);
  log.info('receiving Falco http_output', { host: options.host, port: server.port });
  return {
    name: decoder.source,
    drain: async (timeoutMs) => { await settle(Math.min(timeoutMs, 300)); return true; },
    flush: () => sink(decoder.flush()),
    position: () => undefined,
    committed: () => undefined,
    drops: () => ({ ...Object.fromEntries(decoder.drops), ...Object.fromEntries([...server.counters].map(([k, v]) => [`http_${k}`, v])) }),
    async stop() {
      await server.close();
      sink(decoder.flush());
    },
  };
}
