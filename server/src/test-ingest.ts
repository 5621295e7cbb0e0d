// Test helper: sends event batches to a running collector over gRPC, as an agent would.
import * as grpc from '@grpc/grpc-js';
import { decodeAck, encodeBatch, ingestServiceDefinition, type BatchAck, type TelltaleEvent } from '@telltale/proto';

const Client = grpc.makeGenericClientConstructor(ingestServiceDefinition as unknown as grpc.ServiceDefinition, 'Ingest');

export function sendBatches(address: string, batches: { agentId: string; sequence: number; events: TelltaleEvent[] }[]): Promise<BatchAck[]> {
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { stream(): grpc.ClientDuplexStream<Uint8Array, Uint8Array> };
  return new Promise((resolve, reject) => {
    const acks: BatchAck[] = [];
    const call = client.stream();
    call.on('data', (b: Uint8Array) => {
      acks.push(decodeAck(b));
      if (acks.length === batches.length) {
        call.end();
        client.close();
        resolve(acks);
      }
    });
    call.on('error', reject);
    for (const b of batches) call.write(encodeBatch(b));
  });
}
