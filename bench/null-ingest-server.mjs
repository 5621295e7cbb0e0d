// A reference Ingest server that acknowledges every batch without decoding or storing it:
// the ceiling the gRPC transport alone puts on ingest on this machine.
import * as grpc from '@grpc/grpc-js';
import { encodeAck, ingestServiceDefinition } from '@telltale/proto';

const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
server.addService(ingestServiceDefinition, {
  stream: (call) => {
    let sequence = 0;
    call.on('data', () => call.write(encodeAck({ sequence: ++sequence, accepted: 0, rejected: 0, duplicate: false })));
    call.on('end', () => call.end());
  },
  endBuild: (_call, callback) => callback(null, { complete: true, alerts: [] }),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(`null ingest ready on 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.forceShutdown());
