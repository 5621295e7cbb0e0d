// Where the guard's allowlist comes from: the collector (`GET /api/pipelines/:name/allowlist`)
// or a file exported from it (`telltale policy export --format guard`), read again every
// 30 s. A failed or refused read keeps the last good list and is logged; a changed list is
// handed to `onChange`.

import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import { ALLOWLIST_LIMITS, parseGuardAllowlistText, type GuardAllowlistDocument } from '../../core/guard/guard-policy.js';
import { GuardError } from '../../core/guard/guard-errors.js';

export interface AllowlistSourceOptions {
  /** Read from a file (takes precedence over the collector). */
  file?: string;
  /** Or from the collector's HTTP API, with the operator token. */
  collector?: string;
  token?: string;
  /** The pipeline whose baseline is wanted (a file's must match when given). */
  pipeline?: string;
  refreshMs?: number;
  requestTimeoutMs?: number;
  log: Logger;
  onChange: (list: GuardAllowlistDocument) => void;
  fetch?: typeof fetch;
}

export interface AllowlistSource {
  /** Reads once; throws GUARD_ALLOWLIST_INVALID or a fetch error. Remembers a good list. */
  load(): Promise<GuardAllowlistDocument>;
  /** The last good list, null before one was read. */
  readonly current: GuardAllowlistDocument | null;
  /** Reads again every refreshMs from now on. */
  start(): void;
  close(): void;
}

export class AllowlistFetchError extends Error {
  readonly code = 'GUARD_ALLOWLIST_UNAVAILABLE';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export function allowlistUrl(collector: string, pipeline: string): string {
  return `${collector.replace(/\/+$/, '')}/api/pipelines/${encodeURIComponent(pipeline)}/allowlist`;
}

export function createAllowlistSource(o: AllowlistSourceOptions): AllowlistSource {
  if (o.file === undefined && (o.collector === undefined || o.pipeline === undefined)) {
    throw new Error('an allowlist needs a file, or a collector and a pipeline');
  }
  const doFetch = o.fetch ?? fetch;
  const where = o.file ?? allowlistUrl(o.collector!, o.pipeline!);
  let current: GuardAllowlistDocument | null = null;
  let currentText = '';
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  async function readText(): Promise<string> {
    if (o.file !== undefined) {
      // Checked before reading: a huge file must not be pulled into memory.
      if ((await stat(o.file)).size > ALLOWLIST_LIMITS.maxTextLength) {
        throw new GuardError('GUARD_ALLOWLIST_INVALID', '(document)', `allowlist (document): ${o.file} is larger than ${ALLOWLIST_LIMITS.maxTextLength} bytes`);
      }
      return readFile(o.file, 'utf8');
    }
    const res = await doFetch(where, {
      headers: { accept: 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      signal: AbortSignal.timeout(o.requestTimeoutMs ?? 5000),
    });
    const text = await readCapped(res, ALLOWLIST_LIMITS.maxTextLength);
    if (!res.ok) throw new AllowlistFetchError(`collector answered ${res.status} for the allowlist (${codeOf(text)})`, res.status);
    return text;
  }

  async function load(): Promise<GuardAllowlistDocument> {
    const text = await readText();
    const doc = parseGuardAllowlistText(text);
    if (o.pipeline !== undefined && doc.pipeline !== o.pipeline) {
      throw new GuardError('GUARD_ALLOWLIST_INVALID', 'pipeline', `allowlist pipeline: is for another pipeline than ${JSON.stringify(o.pipeline)}`);
    }
    const canonical = JSON.stringify(doc);
    const changed = canonical !== currentText;
    current = doc;
    currentText = canonical;
    if (changed) o.onChange(doc);
    return doc;
  }

  async function refresh(): Promise<void> {
    try {
      await load();
      if (failing) o.log.info('allowlist read again', { from: where, version: current?.version ?? null });
      failing = false;
    } catch (err) {
      const e = err as Error & { code?: string };
      // Logged on the first failure and on every one after a success: not every 30 s.
      if (!failing) o.log.warn('allowlist refresh failed: keeping the last good list', { from: where, code: e.code ?? null, error: e.message, version: current?.version ?? null });
      failing = true;
    }
  }

  return {
    load,
    get current() {
      return current;
    },
    start() {
      if (timer !== undefined) return;
      const tick = (): void => {
        timer = setTimeout(() => void refresh().finally(() => { if (timer !== undefined) tick(); }), o.refreshMs ?? 30_000);
      };
      tick();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

async function readCapped(res: Response, maxChars: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxChars) {
    await res.body?.cancel();
    throw new GuardError('GUARD_ALLOWLIST_INVALID', '(document)', `allowlist (document): longer than ${maxChars} bytes`);
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.length > maxChars) {
      await reader.cancel().catch(() => {});
      throw new GuardError('GUARD_ALLOWLIST_INVALID', '(document)', `allowlist (document): longer than ${maxChars} characters`);
    }
  }
  return text + decoder.decode();
}

function codeOf(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code.slice(0, 64) : 'no code';
  } catch {
    return 'no code';
  }
}
