// gRPC edge of the collector: the Ingest service over @grpc/grpc-js.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { alertToProto, encodeAck, ingestServiceDefinition, ProtoError } from '@telltale/proto';
import type { EndBuildRequestMessage, EndBuildResponseMessage } from '@telltale/proto';
import { AgentMismatchError, SequenceError, type Collector, type Logger } from './collector.js';
import { peerCertificateCn, scopeAllows, type AgentAuthenticator, type Authenticated } from './agent-auth.js';
import type { Store } from './store.js';
import type { Metrics } from './metrics.js';

/** The largest batch the collector takes; a larger one is refused with INVALID_ARGUMENT and counted. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** What grpc-js itself accepts, above MAX_BATCH_BYTES so the refusal is ours (counted, with a code);
 * beyond it grpc-js answers RESOURCE_EXHAUSTED before any handler runs. */
const MAX_MESSAGE_BYTES = 2 * MAX_BATCH_BYTES;

export interface GrpcTls {
  certPath: string;
  keyPath: string;
  /** CA that signs agents' client certificates: set, every agent must present one (mTLS). */
  clientCaPath?: string;
}

function credentials(tls: GrpcTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const pair = { cert_chain: readFileSync(tls.certPath), private_key: readFileSync(tls.keyPath) };
  const clientCa = tls.clientCaPath ? readFileSync(tls.clientCaPath) : null;
  return grpc.ServerCredentials.createSsl(clientCa, [pair], clientCa !== null);
}

export async function startGrpcServer(
  address: string, collector: Collector, store: Store, metrics: Metrics, log: Logger, auth: AgentAuthenticator, tls?: GrpcTls,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
  /** Authenticates a call; a refusal is logged (with the peer) and counted, never silent. */
  const admit = (call: { metadata: grpc.Metadata; getPeer(): string; getAuthContext(): ReturnType<grpc.ServerUnaryCall<unknown, unknown>['getAuthContext']> }): Authenticated => {
    const result = auth.authenticate(call.metadata, peerCertificateCn(call));
    if (!result.ok) {
      metrics.inc('telltale_agents_rejected_total', { reason: result.reason });
      log.warn('agent rejected', { reason: result.reason, peer: call.getPeer() });
    }
    return result;
  };
  server.addService(ingestServiceDefinition as unknown as grpc.ServiceDefinition, {
    stream: (call: grpc.ServerDuplexStream<Uint8Array, Uint8Array>) => {
      const who = admit(call);
      if (!who.ok) {
        metrics.inc('telltale_batches_total', { outcome: 'unauthenticated' });
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: `agent not admitted: ${who.reason}` });
        return;
      }
      call.on('data', (bytes: Uint8Array) => {
        if (bytes.length > MAX_BATCH_BYTES) {
          metrics.inc('telltale_batches_total', { outcome: 'oversized' });
          call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: `BATCH_TOO_LARGE: a batch may be at most ${MAX_BATCH_BYTES} bytes` });
          return;
        }
        try {
          call.write(encodeAck(collector.ingest(bytes, who.scope)));
        } catch (err) {
          const invalid = err instanceof ProtoError;
          const gap = err instanceof SequenceError;
          const mismatch = err instanceof AgentMismatchError;
          if (!invalid && !gap && !mismatch) log.error('ingest failed', { error: String((err as Error).stack ?? err) });
          // grpc-js ends a server stream with a status when the handler emits 'error' on it.
          call.emit('error', {
            code: invalid ? grpc.status.INVALID_ARGUMENT : gap ? grpc.status.FAILED_PRECONDITION : mismatch ? grpc.status.PERMISSION_DENIED : grpc.status.INTERNAL,
            details: invalid || gap || mismatch ? `${(err as ProtoError | SequenceError | AgentMismatchError).code}: ${(err as Error).message}` : 'internal error',
          });
        }
      });
      call.on('end', () => call.end());
    },
    endBuild: (call: grpc.ServerUnaryCall<EndBuildRequestMessage, EndBuildResponseMessage>, callback: grpc.sendUnaryData<EndBuildResponseMessage>) => {
      const who = admit(call);
      if (!who.ok) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: `agent not admitted: ${who.reason}` });
        return;
      }
      const req = call.request;
      const waitMs = Math.min(req.waitMs ?? 0, 60_000);
      if (!req.agentId || !req.buildId) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'agent_id and build_id are required' });
        return;
      }
      if (!scopeAllows(who.scope, req.agentId) || (who.scope.bound !== null && !collector.ownsBuild(who.scope.bound, req.buildId))) {
        callback({ code: grpc.status.PERMISSION_DENIED, details: 'AGENT_MISMATCH: this credential may only ask about its own agent\'s builds' });
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
    server.bindAsync(address, credentials(tls), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
