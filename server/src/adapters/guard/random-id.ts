// Random 16-bit DNS message IDs from the system CSPRNG, drawn from a refilled pool so a
// query costs no syscall. Predictable IDs would let an off-path sender forge answers.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let at = pool.length;

export function randomId(): number {
  if (at >= pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  const id = pool.readUInt16BE(at);
  at += 2;
  return id;
}
