// A bare gRPC Ingest client for benchmarks: streams pre-encoded batches with a bounded
// window and resolves when every one is acknowledged.
import * as grpc from '@grpc/grpc-js';
import { decodeAck, ingestServiceDefinition } from '@telltale/proto';

const Client = grpc.makeGenericClientConstructor(ingestServiceDefinition, 'Ingest');

export function connect(address) {
  return new Client(address, grpc.credentials.createInsecure());
}

/** Sends `batches` (encoded, sequences in order) and waits for all acks. `onAck(ack)` is optional. */
export function sendAll(client, batches, window = 64, onAck = () => {}) {
  return new Promise((resolve, reject) => {
    const call = client.stream();
    let next = 0;
    let acked = 0;
    const pump = () => {
      while (next < batches.length && next - acked < window) call.write(batches[next++]);
      if (acked === batches.length) {
        call.end();
        resolve();
      }
    };
    call.on('data', (bytes) => {
      const ack = decodeAck(bytes);
      acked++;
      onAck(ack);
      pump();
    });
    call.on('error', reject);
    pump();
  });
}

/** An open stream that sends batches as they come, for paced load. */
export function openStream(client, onAck = () => {}) {
  const call = client.stream();
  call.on('data', (bytes) => onAck(decodeAck(bytes)));
  call.on('error', () => {});
  return { write: (b) => call.write(b), end: () => call.end() };
}
