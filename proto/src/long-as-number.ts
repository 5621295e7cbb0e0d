// Imported before the generated code: without a Long implementation protobufjs reads
// 64-bit fields as JavaScript numbers. Our 64-bit fields (microsecond times, counts)
// stay below 2^53, so numbers are exact and an order of magnitude cheaper than Long.
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();
