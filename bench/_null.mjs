import * as grpc from '@grpc/grpc-js';
import { encodeAck, ingestServiceDefinition, decodeBatch } from '@telltale/proto';
const full = process.argv[2] === 'decode';
const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 << 20 });
let seq = 0;
server.addService(ingestServiceDefinition, {
  stream: (call) => call.on('data', (b) => { if (full) decodeBatch(b); call.write(encodeAck({ sequence: ++seq, accepted: 0, rejected: 0, duplicate: false })); }),
  endBuild: (c, cb) => cb(null, {}),
});
server.bindAsync('127.0.0.1:17171', grpc.ServerCredentials.createInsecure(), () => console.log('up'));
