// Receives Falco's http_output on a local port: one POST per alert, its body the same JSON
// line json_output writes (outputs_http.cpp: libcurl, "Content-Type: application/json").
// Each accepted body goes to `onLine`; every refusal is counted by reason for /metrics.
// Falco cannot add headers to its POSTs, but libcurl sends Basic credentials written in the
// URL (http://telltale:SECRET@127.0.0.1:2801/), which is what `basicAuth` checks.
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FalcoHttpOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** The path of http_output.url. */
  path?: string;
  maxBodyBytes?: number;
  /** Required credentials; null accepts any request from the (loopback) listener. */
  basicAuth?: { user: string; password: string } | null;
}

export type FalcoHttpRejection =
  | 'method_not_allowed' | 'not_found' | 'unauthorized' | 'unsupported_media_type'
  | 'body_too_large' | 'bad_body' | 'handler_failed';

export interface FalcoHttpServer {
  readonly port: number;
  /** `accepted` and one count per rejection reason. */
  readonly counters: ReadonlyMap<'accepted' | FalcoHttpRejection, number>;
  close(): Promise<void>;
}

export const FALCO_HTTP_DEFAULTS = { host: '127.0.0.1', port: 2801, path: '/', maxBodyBytes: 1 << 20 } as const;

const STATUS: Record<FalcoHttpRejection, number> = {
  method_not_allowed: 405, not_found: 404, unauthorized: 401, unsupported_media_type: 415,
  body_too_large: 413, bad_body: 400, handler_failed: 500,
};
const utf8 = new TextDecoder('utf-8', { fatal: true });
const digest = (s: string) => createHash('sha256').update(s).digest();

export async function startFalcoHttpServer(onLine: (line: string) => void, options: FalcoHttpOptions = {}): Promise<FalcoHttpServer> {
  const { host, port, path, maxBodyBytes } = { ...FALCO_HTTP_DEFAULTS, ...options };
  const expected = options.basicAuth ? digest(`Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`) : null;
  const counters = new Map<'accepted' | FalcoHttpRejection, number>();
  const count = (k: 'accepted' | FalcoHttpRejection) => counters.set(k, (counters.get(k) ?? 0) + 1);

  const reject = (res: http.ServerResponse, reason: FalcoHttpRejection, close = false) => {
    count(reason);
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (reason === 'method_not_allowed') headers['allow'] = 'POST';
    if (reason === 'unauthorized') headers['www-authenticate'] = 'Basic realm="telltale"';
    if (close) headers['connection'] = 'close';
    res.writeHead(STATUS[reason], headers);
    res.end(JSON.stringify({ code: reason }));
    // An oversized body is not read: drop the connection once the answer is out.
    if (close) res.once('finish', () => res.req.socket.destroy());
  };

  /** The checks that need only the headers; null when the request may send its body. */
  const refuse = (req: http.IncomingMessage): FalcoHttpRejection | null => {
    if (req.method !== 'POST') return 'method_not_allowed';
    if (new URL(req.url ?? '/', 'http://falco').pathname !== path) return 'not_found';
    if (expected !== null && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) return 'unauthorized';
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return 'unsupported_media_type';
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return 'body_too_large';
    return null;
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > maxBodyBytes) {
        over = true;
        reject(res, 'body_too_large', true);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return;
      let text: string;
      try {
        text = utf8.decode(Buffer.concat(chunks));
      } catch {
        return reject(res, 'bad_body');
      }
      // One alert per POST: a line-oriented consumer must not see a second line in it.
      if (text.endsWith('\n')) text = text.slice(0, -1);
      if (text.trim() === '' || /[\r\n]/.test(text)) return reject(res, 'bad_body');
      try {
        onLine(text);
      } catch {
        return reject(res, 'handler_failed');
      }
      count('accepted');
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
    req.on('error', () => undefined);
  };

  const server = http.createServer((req, res) => {
    const reason = refuse(req);
    if (reason !== null) return reject(res, reason, reason === 'body_too_large' || req.method === 'POST');
    handle(req, res);
  });
  // libcurl asks before sending a large body (Expect: 100-continue): refuse without reading it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const reason = refuse(req);
    if (reason !== null) return reject(res, reason, true);
    res.writeContinue();
    handle(req, res);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    counters,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
