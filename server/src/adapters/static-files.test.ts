import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConsoleFiles } from './static-files.js';

describe('ConsoleFiles', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  const serve = async (files: ConsoleFiles) => {
    const server = http.createServer((req, res) => {
      if (!files.serve(new URL(req.url!, 'http://x').pathname, res)) { res.writeHead(404); res.end(); }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
  };

  it('serves assets for good, index.html with a strict CSP for every console route, and nothing outside its folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'telltale-web-'));
    dirs.push(root);
    const dir = join(root, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'do not serve');
    const s = await serve(new ConsoleFiles(dir));
    const asset = await fetch(`${s.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const deep = await fetch(`${s.url}/alerts/1b2c?x=1`);
    expect(await deep.text()).toContain('<div id="root">');
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    // fetch normalises '..' and '%2e%2e' away before sending; an encoded slash is what reaches the server.
    for (const path of ['/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/../secret.txt', '/%E0%A4%A']) {
      expect(await (await fetch(`${s.url}${path}`)).text(), path).not.toContain('do not serve');
    }
    await s.close();
  });

  it('says it is not built when the folder has no index.html', () => {
    expect(new ConsoleFiles('/nonexistent/telltale-web').built).toBe(false);
  });
});
