// The Ingest gRPC service definition for @grpc/grpc-js, built on the generated codecs.
// Messages cross as raw bytes here; callers convert with the functions in convert.ts.
import './long-as-number.js';
import { telltale } from '../gen/telltale.js';

const pb = telltale.v1;
const passThrough = {
  serialize: (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  deserialize: (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
};

/** Stream carries encoded EventBatch / BatchAck bytes so the collector decodes where it can count failures. */
export const ingestServiceDefinition = {
  stream: {
    path: '/telltale.v1.Ingest/Stream',
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough.serialize,
    requestDeserialize: passThrough.deserialize,
    responseSerialize: passThrough.serialize,
    responseDeserialize: passThrough.deserialize,
  },
  endBuild: {
    path: '/telltale.v1.Ingest/EndBuild',
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: telltale.v1.EndBuildRequest.$Properties) => Buffer.from(pb.EndBuildRequest.encode(m).finish()),
    requestDeserialize: (b: Buffer) => pb.EndBuildRequest.decode(b),
    responseSerialize: (m: telltale.v1.EndBuildResponse.$Properties) => Buffer.from(pb.EndBuildResponse.encode(m).finish()),
    responseDeserialize: (b: Buffer) => pb.EndBuildResponse.decode(b),
  },
} as const;

export type EndBuildRequestMessage = telltale.v1.EndBuildRequest.$Properties;
export type EndBuildResponseMessage = telltale.v1.EndBuildResponse.$Properties;
