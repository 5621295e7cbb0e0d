// Parses the JSON bodies of the console's actions: bounded size, typed fields, a 400 with a
// code for anything else.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-query.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON object body of at most `max` bytes (MAX_BODY_BYTES unless a route says more); an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, 'BODY_TOO_LARGE', `request body is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_BODY', 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'BAD_BODY', 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

// Printable text only: control characters in a reason or note would be a way to forge lines in the action log.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function bodyText(body: Record<string, unknown>, name: string, opts: { max: number; required: boolean; singleLine?: boolean }): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw new HttpError(400, 'BAD_BODY', `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new HttpError(400, 'BAD_BODY', `${name} must be a string`);
  const text = v.trim();
  if (text === '' && opts.required) throw new HttpError(400, 'BAD_BODY', `${name} is required`);
  if (text.length > opts.max) throw new HttpError(400, 'BAD_BODY', `${name} is longer than ${opts.max} characters`);
  if (CONTROL.test(text) || (opts.singleLine && /[\r\n]/.test(text))) throw new HttpError(400, 'BAD_BODY', `${name} contains control characters`);
  return text;
}

/** Who acts: a name the operator gives, 1–64 printable characters, "operator" when absent. */
export function bodyActor(body: Record<string, unknown>): string {
  return bodyText(body, 'actor', { max: 64, required: false, singleLine: true }) ?? 'operator';
}

export function bodyIdList(body: Record<string, unknown>, name: string, max = 500): string[] {
  const v = body[name];
  if (!Array.isArray(v) || v.length === 0) throw new HttpError(400, 'BAD_BODY', `${name} must be a non-empty array of ids`);
  if (v.length > max) throw new HttpError(400, 'BAD_BODY', `${name} holds more than ${max} ids`);
  const ids = v.map((id) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new HttpError(400, 'BAD_BODY', `${name} must hold id strings`);
    return id;
  });
  return [...new Set(ids)];
}

export function bodyBoolean(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new HttpError(400, 'BAD_BODY', `${name} must be true or false`);
  return v;
}
