// The agent's local control socket: `telltale run` registers a build here and ends it.
// HTTP over a Unix socket (mode 0600: only the agent's user, normally root, may drive it).
import http from 'node:http';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import type { AlertSummary } from '@telltale/proto';
import { ControlError, parseEndBuild, parseRegisterBuild, type EndBuildRequest, type RegisterBuildRequest } from '../core/control-messages.js';

export interface ControlHandlers {
  register(req: RegisterBuildRequest): { buildId: string; context: Record<string, string> } | Promise<{ buildId: string; context: Record<string, string> }>;
  end(buildId: string, req: EndBuildRequest): Promise<{ complete: boolean; lostEvents: number; lingeringProcesses: number; alerts: AlertSummary[] }>;
  status(): Record<string, unknown>;
}

const MAX_BODY = 64 * 1024;

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ControlError('CONTROL_BAD_REQUEST', 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(new ControlError('CONTROL_BAD_REQUEST', 'body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

export async function startControlServer(socketPath: string, handlers: ControlHandlers): Promise<{ close(): Promise<void> }> {
  if (existsSync(socketPath)) unlinkSync(socketPath);
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://agent');
    const route = async () => {
      if (req.method === 'GET' && url.pathname === '/v1/status') return reply(200, handlers.status());
      if (req.method === 'POST' && url.pathname === '/v1/builds') return reply(201, await handlers.register(parseRegisterBuild(await readJson(req))));
      const end = url.pathname.match(/^\/v1\/builds\/([0-9a-f-]{36})\/end$/);
      if (req.method === 'POST' && end) return reply(200, await handlers.end(end[1]!, parseEndBuild(await readJson(req))));
      throw new ControlError('CONTROL_NOT_FOUND', 'no such route');
    };
    route().catch((err: unknown) => {
      if (err instanceof ControlError) reply(err.code === 'CONTROL_NOT_FOUND' ? 404 : 400, { code: err.code, message: err.message });
      else reply(500, { code: 'INTERNAL', message: String((err as Error).message ?? err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return {
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Client side, used by `telltale run`. Rejects with a clear error when no agent listens. */
export function controlRequest(socketPath: string, method: string, path: string, body?: unknown, timeoutMs = 130_000): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('agent did not answer in time')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
