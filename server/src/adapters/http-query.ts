// Parses HTTP query strings into typed API queries: bad input is a 400 with a code, never a crash.

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const MAX_TEXT = 512;

export function text(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > MAX_TEXT) throw new HttpError(400, 'BAD_QUERY', `${name} is longer than ${MAX_TEXT} characters`);
  return v;
}

export function limit(params: URLSearchParams, fallback = 100, max = 1000): number {
  const v = params.get('limit');
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'BAD_QUERY', `limit must be an integer from 1 to ${max}`);
  return n;
}

/** A time as ISO 8601 or Unix milliseconds; returned in microseconds. */
export function time(params: URLSearchParams, name: string): number | undefined {
  const v = text(params, name);
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms) || ms < 0) throw new HttpError(400, 'BAD_QUERY', `${name} must be an ISO 8601 time or Unix milliseconds`);
  return ms * 1000;
}
