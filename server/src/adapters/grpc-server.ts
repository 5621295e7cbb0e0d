// gRPC edge of the collector: the Ingest service over @grpc/grpc-js.
import * as grpc from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import { alertToProto, encodeAck, ingestServiceDefinition, ProtoError } from '@telltale/proto';
import type { EndBuildRequestMessage, EndBuildResponseMessage } from '@telltale/proto';
import { SequenceError, type Collector, type Logger } from './collector.js';
import type { Store } from './store.js';
import type { Metrics } from './metrics.js';

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Compares the presented bearer token with the configured one in constant time. */
function authorized(metadata: grpc.Metadata, token: string | undefined): boolean {
  if (!token) return true;
  const presented = String(metadata.get('authorization')[0] ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(presented);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startGrpcServer(
  address: string, collector: Collector, store: Store, metrics: Metrics, log: Logger, token?: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
  server.addService(ingestServiceDefinition as unknown as grpc.ServiceDefinition, {
    stream: (call: grpc.ServerDuplexStream<Uint8Array, Uint8Array>) => {
      if (!authorized(call.metadata, token)) {
        metrics.inc('telltale_batches_total', { outcome: 'unauthenticated' });
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'a valid ingest token is required' });
        return;
      }
      call.on('data', (bytes: Uint8Array) => {
        try {
          call.write(encodeAck(collector.ingest(bytes)));
        } catch (err) {
          const invalid = err instanceof ProtoError;
          const gap = err instanceof SequenceError;
          if (!invalid && !gap) log.error('ingest failed', { error: String((err as Error).stack ?? err) });
          // grpc-js ends a server stream with a status when the handler emits 'error' on it.
          call.emit('error', {
            code: invalid ? grpc.status.INVALID_ARGUMENT : gap ? grpc.status.FAILED_PRECONDITION : grpc.status.INTERNAL,
            details: invalid || gap ? `${(err as ProtoError | SequenceError).code}: ${(err as Error).message}` : 'internal error',
          });
        }
      });
      call.on('end', () => call.end());
    },
    endBuild: (call: grpc.ServerUnaryCall<EndBuildRequestMessage, EndBuildResponseMessage>, callback: grpc.sendUnaryData<EndBuildResponseMessage>) => {
      if (!authorized(call.metadata, token)) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'a valid ingest token is required' });
        return;
      }
      const req = call.request;
      const waitMs = Math.min(req.waitMs ?? 0, 60_000);
      if (!req.agentId || !req.buildId) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'agent_id and build_id are required' });
        return;
      }
      collector.waitForSequence(req.agentId, req.sequence ?? 0, waitMs).then((complete) => {
        metrics.inc('telltale_end_build_total', { complete: String(complete) });
        const build = store.getBuild(req.buildId!);
        callback(null, {
          complete, buildKnown: build !== null, lostEvents: build?.counts.lostEvents ?? 0,
          alerts: store.alertSummaries(req.buildId!).map(alertToProto),
        });
      }, (err: Error) => callback({ code: grpc.status.INTERNAL, details: err.message }));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
