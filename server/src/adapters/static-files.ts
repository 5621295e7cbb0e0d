// Serves the built console (web/dist): hashed assets cached for good, index.html for every
// other path so deep links work, all under a strict Content-Security-Policy.
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

/** web/dist from server/{src,dist}/adapters. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

// Event data is shown as text only; the policy is the second line of defence should a
// hostile name ever reach the DOM as markup: no inline script, no foreign origin, no frames.
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2', '.map': 'application/json',
};

export class ConsoleFiles {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly dir: string) {}

  get built(): boolean {
    try {
      return statSync(join(this.dir, 'index.html')).isFile();
    } catch {
      return false;
    }
  }

  /** Answers a GET for `pathname`; false when the console is not built. */
  serve(pathname: string, res: ServerResponse): boolean {
    if (!this.built) return false;
    const file = this.resolve(pathname);
    const isAsset = file !== null && !file.endsWith(`${sep}index.html`);
    const path = file ?? join(this.dir, 'index.html');
    let body = this.cache.get(path);
    if (!body) {
      body = readFileSync(path);
      if (isAsset) this.cache.set(path, body);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': isAsset && pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(body);
    return true;
  }

  /** The file under dir a path names, or null (then index.html answers: a console route). */
  private resolve(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const full = normalize(join(this.dir, decoded));
    if (!full.startsWith(this.dir + sep)) return null;
    try {
      return statSync(full).isFile() ? full : null;
    } catch {
      return null;
    }
  }
}
