// Real headless Chromium (Debian's) driven by playwright-core, with the flags the project
// runs it under and a fresh profile each time; screenshots go to test-results/ (not committed).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HOST_RESOLVER_RULES = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Even with the flags above, Debian's Chromium 156 asked the machine's resolver for
  // update.googleapis.com and accounts.google.com (telltale watching this host caught it).
  // Tests may only resolve through their own loopback DNS server: no name resolves here at all.
  HOST_RESOLVER_RULES,
];
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/console/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console messages and page errors seen so far (a crash in the console shows up here). */
  problems: string[];
  screenshot(name: string): Promise<string>;
  /** A full-page shot into `dir`, taken from the top (a scrolled page paints the sticky header mid-page). */
  shotFromTop(dir: string, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'telltale-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context, page, problems,
    async screenshot(name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async shotFromTop(dir, name) {
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
