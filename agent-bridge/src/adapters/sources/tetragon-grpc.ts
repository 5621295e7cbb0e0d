// Tetragon's gRPC server stream (FineGuidanceSensors.GetEvents) as an event source: one
// long-lived call, reconnected with backoff when Tetragon restarts or the socket is not there
// yet. Messages are decoded with our own subset of Tetragon's API and read by the same
// decoder as the JSON export.
import * as grpc from '@grpc/grpc-js';
import { decodeTetragonResponse, encodeTetragonRequest, TETRAGON_GET_EVENTS_PATH } from '@telltale/proto';
import { TetragonDecoder } from '../../core/tetragon/tetragon-decoder.js';
import { backoffDelayMs } from '../forwarder.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

type Decoded = { ok: true; message: Record<string, unknown> } | { ok: false };

export const DEFAULT_TETRAGON_ADDRESS = 'unix:///var/run/tetragon/tetragon.sock';

export interface TetragonGrpcOptions {
  /** unix:///var/run/tetragon/tetragon.sock (default) or host:port such as localhost:54321. */
  address: string;
  dnsPorts: readonly number[];
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How long drain() waits for events already in flight from Tetragon. */
  settleMs?: number;
}

export function startTetragonGrpcSource(o: TetragonGrpcOptions, sink: EventSink, log: SourceLog): RunningSource {
  const decoder = new TetragonDecoder({ dnsPorts: o.dnsPorts });
  const client = new grpc.Client(o.address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const initialMs = o.backoffInitialMs ?? 200;
  const maxMs = o.backoffMaxMs ?? 5000;
  let attempt = 0;
  let stopped = false;
  let call: grpc.ClientReadableStream<Decoded> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let connectedOnce = false;

  const open = () => {
    if (stopped) return;
    const c = client.makeServerStreamRequest<Buffer, Decoded>(
      TETRAGON_GET_EVENTS_PATH, (b) => b, (bytes) => {
        try {
          return { ok: true, message: decodeTetragonResponse(bytes) };
        } catch {
          // Counted below as a malformed message; never thrown into grpc-js (nor null: a
          // null chunk would end the stream).
          return { ok: false };
        }
      }, encodeTetragonRequest(), {});
    call = c;
    c.on('metadata', () => {
      attempt = 0;
      if (!connectedOnce) log.info('tetragon stream open', { address: o.address });
      connectedOnce = true;
    });
    c.on('data', (d: Decoded) => {
      attempt = 0;
      try {
        sink(d.ok ? decoder.pushObject(d.message) : [{ kind: 'loss', timeUs: Date.now() * 1000, source: 'tetragon', reason: 'malformed_line', count: 1 }]);
      } catch (err) {
        // A bug, not bad input: never thrown into grpc-js (it would take the agent down).
        log.error('tetragon event could not be handled', { error: String(err) });
      }
    });
    const retry = (why: string) => {
      if (stopped || call !== c) return;
      call = null;
      const delay = backoffDelayMs(attempt++, initialMs, maxMs, Math.random);
      log.warn('tetragon stream lost; reconnecting', { address: o.address, reason: why, inMs: Math.round(delay) });
      // Events Tetragon produced while we were away are not replayed: the open builds must say so.
      if (connectedOnce) sink([{ kind: 'loss', timeUs: Date.now() * 1000, source: 'tetragon', reason: 'lost_events', count: 1 }]);
      timer = setTimeout(open, delay);
    };
    c.on('error', (err: grpc.ServiceError) => retry(`${grpc.status[err.code] ?? err.code}: ${err.details}`));
    c.on('end', () => retry('stream ended'));
  };
  open();

  return {
    name: 'tetragon',
    async drain(timeoutMs) {
      // A stream has no end to wait for: give what Tetragon already sent time to arrive.
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, o.settleMs ?? 300)));
      return call !== null;
    },
    flush: () => sink(decoder.flush()),
    podOf: (pid) => decoder.podOf?.(pid),
    position: () => undefined,
    committed: () => undefined,
    drops: () => Object.fromEntries(decoder.drops),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      call?.cancel();
      client.close();
      sink(decoder.flush());
    },
  };
}
