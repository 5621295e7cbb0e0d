// The keyed hash secret fingerprints are made with: HMAC-SHA256 under a random key drawn when
// the agent starts and never written anywhere, so a fingerprint is worthless off this process.
import { createHmac, randomBytes } from 'node:crypto';
import type { PieceHash } from '../core/secret-fingerprints.js';

export function newPieceHash(): PieceHash {
  const key = randomBytes(32);
  return (piece) => createHmac('sha256', key).update(piece).digest('base64url').slice(0, 16);
}
