// What an API route is: a method and path pattern, whether it needs the operator token, and
// a handler from parsed request to a JSON-able answer.
import type { Store } from '../store.js';
import type { ConsoleStore } from '../console-store.js';
import type { StreamHub } from '../stream-hub.js';
import type { StatsRecorder } from '../stats-recorder.js';
import { HttpError } from '../http-query.js';
import type { BaselineChange } from '../../core/ingest-core.js';

export interface RouteContext {
  match: RegExpMatchArray;
  query: URLSearchParams;
  /** The parsed JSON body of a POST; `{}` for reads. */
  body: Record<string, unknown>;
  /** Whether the request carried the operator token. */
  operator: boolean;
  nowUs: number;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Needs the operator token (every action does), and names the action in metrics and logs. */
  operator?: boolean;
  action?: string;
  /** Largest body accepted (64 KB unless the route needs more). */
  maxBodyBytes?: number;
  /** Status of a successful answer (201 for creations). */
  status?: number;
  handle(ctx: RouteContext): unknown;
}

export interface RouteDeps {
  store: Store;
  consoleStore: ConsoleStore;
  hub: StreamHub;
  stats: StatsRecorder;
  learningBuilds: number;
  /** Tells the live ingest core an operator allowed `kind` alerts on a domain (the store already has it). */
  allowDomain(pipeline: string, domain: string, kind: string): void;
  /** ...and that an allowance was taken back. */
  revokeAllowance(pipeline: string, domain: string, kind: string, unlearn: boolean): void;
  /** Tells the live ingest core the store changed a baseline. */
  updateBaseline(pipeline: string, change: BaselineChange): void;
}

/**
 * A path segment, percent-decoded; a 400 when it is not valid percent-encoding. A leading raw
 * ':' escapes ids a URL cannot carry as a segment ('', '.', '..': URL parsing removes them);
 * encodeURIComponent never yields ':', so the escape is unambiguous.
 */
export function segment(m: RegExpMatchArray, i = 1): string {
  const raw = m[i]!;
  try {
    return decodeURIComponent(raw.startsWith(':') ? raw.slice(1) : raw);
  } catch {
    throw new HttpError(400, 'BAD_QUERY', 'path is not valid percent-encoding');
  }
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new HttpError(400, 'BAD_QUERY', `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** An answer that is not JSON: a generated policy file, sent as is (with a file name to save it under). */
export class RawAnswer {
  constructor(readonly body: string, readonly contentType: string, readonly filename?: string) {}
}
