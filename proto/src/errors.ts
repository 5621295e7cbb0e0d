// Error codes of the wire layer; tests assert the code, never the message.

export type ProtoErrorCode = 'PROTO_DECODE' | 'PROTO_INVALID_EVENT' | 'PROTO_INVALID_BATCH';

export class ProtoError extends Error {
  constructor(readonly code: ProtoErrorCode, message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}
