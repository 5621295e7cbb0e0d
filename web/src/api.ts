// The console's only door to the collector: JSON GETs and action POSTs under /api, errors as {code, message}.
import type { ApiError } from './api-types';
import { getOperator, readHeaders } from './operator';

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function failureOf(res: Response): Promise<ApiFailure> {
  let body: Partial<ApiError> = {};
  try {
    body = (await res.json()) as Partial<ApiError>;
  } catch {
    /* not JSON: fall back to the status */
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : res.statusText || 'request failed';
  return new ApiFailure(res.status, code, message);
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, cache: 'no-store' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiFailure(0, 'NETWORK', `Could not reach the collector: ${String((err as Error).message ?? err)}`);
  }
  if (!res.ok) throw await failureOf(res);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiFailure(res.status, 'BAD_RESPONSE', 'The collector sent something that is not JSON.');
  }
}

export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { headers: { accept: 'application/json', ...readHeaders() }, signal: signal ?? null });
}

/** An operator action: the token always, and who acts. */
export function postAction<T>(path: string, body: Record<string, unknown>): Promise<T> {
  const op = getOperator();
  return request<T>(path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${op.token}` },
    body: JSON.stringify({ actor: op.actor, ...body }),
  });
}

/** A file the collector generates (a policy): its text and the name it proposes, read with the token like every read. */
export async function getFile(path: string, signal?: AbortSignal): Promise<{ text: string; disposition: string | null; contentType: string }> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'text/plain, application/json', ...readHeaders() }, cache: 'no-store', signal: signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiFailure(0, 'NETWORK', `Could not reach the collector: ${String((err as Error).message ?? err)}`);
  }
  if (!res.ok) throw await failureOf(res);
  return { text: await res.text(), disposition: res.headers.get('content-disposition'), contentType: res.headers.get('content-type') ?? 'text/plain' };
}

export function asFailure(err: unknown): ApiFailure {
  return err instanceof ApiFailure ? err : new ApiFailure(0, 'CLIENT', String((err as Error)?.message ?? err));
}
