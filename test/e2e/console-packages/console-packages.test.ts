// The console names the culprit package (issue 8) in real headless Chromium against a real collector
// with the shipped look-alike lists: a build's Cargo.lock upgrade brings in `reqwests` (one letter from
// reqwest), whose vendored build script then leaks a key over DNS. The build shows its Dependencies
// (the change since the previous build, the look-alike flagged) and the package of each build script;
// the alert shows the package block; the alerts list filters the look-alike finding; the incident's
// timeline names the package and opens with the look-alike's arrival. Screenshots land in
// test-results/console-packages/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertPage, TelltaleEvent } from '@telltale/proto';
import { createLogger, serverConfig, startServer, type RunningServer } from '@telltale/server';
import { openBrowser, type Browser } from '../support/browser.js';
import { base32, BuildScript } from '../../../server/src/core/test-events.js';
import { sendBatches } from '../../../server/src/test-ingest.js';

const TOKEN = 'console-packages-e2e-operator-token-0123456789';
const PIPELINE = 'acme/rust-app';
const SHOTS = fileURLToPath(new URL('../../../test-results/console-packages/', import.meta.url));
const lock = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url));
const SCRIPT = '/src/target/debug/build/reqwests-5e5d397914fe1527/build-script-build';
const RUSTC = '/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc';
const ARRIVAL = 'reqwests 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1';
const PATH = 'app 0.1.0 → rust-utilities 2.1.1 → reqwests 0.1.0';
const quiet = createLogger('test', () => undefined);

describe('console packages in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'telltale-console-packages-e2e-'));
  let server: RunningServer;
  let browser: Browser;
  let sequence = 1;
  let clock = Date.now() * 1000 - 60_000_000;
  const url = (path: string) => `${server.httpUrl}${path}`;
  const api = async <T>(path: string) => (await (await fetch(url(path), { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;
  const shot = (name: string) => browser.shotFromTop(SHOTS, name);

  /**
   * One cargo build: the agent reports its Cargo.lock first; rustc compiles the app with the serde_derive
   * proc-macro; with `leak`, reqwests' build script (vendored: its path carries no version) leaks a key.
   */
  const build = async (buildId: string, cargoLock: Buffer | null, leak: boolean) => {
    clock += 5_000_000;
    const b = new BuildScript(buildId, PIPELINE, 100, clock);
    b.context.runId = buildId.replace(/^build-/, 'run-');
    if (cargoLock) {
      b.events.push({
        kind: 'lockfile', timeUs: b.tick(), buildId, path: 'Cargo.lock', workspace: '/src', sha256: createHash('sha256').update(cargoLock).digest('hex'),
        size: cargoLock.length, content: cargoLock, omitted: null, scanIncomplete: false,
      });
    }
    if (buildId === 'build-1') {
      // A lockfile too large to send: only its hash came.
      b.events.push({ kind: 'lockfile', timeUs: b.tick(), buildId, path: 'web/package-lock.json', workspace: '/src', sha256: 'f'.repeat(64), size: 80 << 20, content: null, omitted: 'too_large', scanIncomplete: false });
    }
    b.exec(101, 100, '/root/.cargo/bin/cargo', ['cargo', 'build', '--locked']);
    b.dns(101, 'index.crates.test');
    b.exec(103, 101, RUSTC, ['rustc', '--crate-name', 'app', '--edition=2021', 'src/main.rs', '--crate-type', 'bin',
      '--extern', 'serde_derive=/src/target/debug/deps/libserde_derive-8f3a0c2d.so']);
    if (leak) {
      const exec: TelltaleEvent = {
        kind: 'exec', timeUs: b.tick(), buildId, pid: 102, ppid: 101, exe: SCRIPT, argv: [SCRIPT], cwd: '/src/vendor/reqwests', uid: 1000, startTimeUs: 0, argvTruncated: false,
      };
      b.events.push(exec);
      b.dns(102, `${base32('AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG').slice(0, 60)}.exfil-drill.test`);
    }
    b.end(0);
    await sendBatches(server.grpcAddress, [{ agentId: 'agent-packages-e2e', sequence: sequence++, events: b.events }]);
  };

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../../../web/dist/index.html', import.meta.url)))) {
      throw new Error('web/dist is not built: run `npm run build` first (npm test does)');
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(serverConfig({
      dataDir, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken: TOKEN, learningBuilds: '1',
    }, {}), quiet);
    await build('build-1', lock('Cargo.lock.before'), false);
    await build('build-2', lock('Cargo.lock.after'), true);
    await build('build-3', null, false);
    browser = await openBrowser();
    // The token arrives in the fragment, as `telltale up` prints it.
    await browser.page.goto(url(`/#token=${TOKEN}`));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the build shows its Dependencies: the look-alike flagged with its path, what arrived and how, and the build it is compared to', async () => {
    // The collector acknowledged each batch once stored: the alerts are there.
    expect((await api<AlertPage>('/api/alerts?buildId=build-2')).alerts.map((a) => a.kind))
      .toEqual(expect.arrayContaining(['encoded_dns_label', 'typosquat_package']));
    const { page } = browser;
    await page.goto(url('/builds/build-2'));
    const card = page.locator('[data-testid="lockfile-card"][data-path="Cargo.lock"]');
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('parsed');
    expect(await card.textContent()).toMatch(/Cargo\.lock v4.*6 packages/);
    expect(await page.getByTestId('lookalike-count').textContent()).toBe('1 look-alike name');

    const flagged = card.locator('[data-testid="lookalike"][data-name="reqwests"]');
    expect(await flagged.textContent()).toContain('looks like reqwest: 1 edit from "reqwest"');
    expect(await flagged.textContent()).toContain(PATH);
    expect(await card.getByTestId('lockfile-since').textContent()).toBe('Since build build-1: 1 added, 1 removed, 1 upgraded');
    expect(await card.getByTestId('lockfile-previous-build').getAttribute('href')).toBe('/builds/build-1');
    expect(await card.getByTestId('lockfile-added').textContent()).toContain(ARRIVAL);
    expect(await card.getByTestId('lockfile-upgraded').textContent()).toContain('rust-utilities 2.1.0 → 2.1.1');
    expect(await card.getByTestId('lockfile-removed').textContent()).toContain('once_cell 1.19.0');

    // The build scripts name their package: the vendored script's version comes from the lockfile.
    const script = page.locator('[data-testid="process-node"][data-pid="102"]');
    expect(await script.getByTestId('process-package').textContent()).toBe('cargo reqwests 0.1.0');
    const rustc = page.locator('[data-testid="process-node"][data-pid="103"]');
    expect(await rustc.getByTestId('process-package').textContent()).toBe('cargo app 0.1.0');
    expect(await rustc.textContent()).toContain('running serde_derive');
    expect(await page.getByTestId('alert-package').allTextContents()).toContain('reqwests 0.1.0');
    await shot('01-build-dependencies');

    // The build compared against: the pipeline's first lockfile, nothing to compare with.
    await card.getByTestId('lockfile-previous-build').click();
    await expect.poll(() => page.url()).toMatch(/\/builds\/build-1$/);
    const first = page.locator('[data-testid="lockfile-card"][data-path="Cargo.lock"]');
    await first.waitFor();
    expect(await first.getByTestId('lockfile-change').textContent()).toMatch(/first snapshot of this lockfile/);
    expect(await page.getByTestId('lookalike').count()).toBe(0);
    const large = page.locator('[data-testid="lockfile-card"][data-path="web/package-lock.json"]');
    expect(await large.getAttribute('data-status')).toBe('too_large');
    expect(await large.getByTestId('lockfile-detail').textContent()).toMatch(/^too large: the agent sent only its hash/);
    await shot('02-build-first-lockfile');
  });

  it('a build whose agent reported no lockfile says what the agent reports', async () => {
    const { page } = browser;
    await page.goto(url('/builds/build-3'));
    const empty = page.getByTestId('lockfiles-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toMatch(/^No lockfile reported: the agent reports Cargo\.lock, package-lock\.json, poetry\.lock, requirements\*\.txt and go\.sum/);
    await shot('03-build-no-lockfile');
  });

  it('the alerts list offers the look-alike kind by name, and lists the finding with its package', async () => {
    const { page } = browser;
    await page.goto(url('/alerts'));
    const kind = page.getByTestId('alerts-filter-kind');
    await kind.waitFor();
    expect(await kind.locator('option[value="typosquat_package"]').textContent()).toBe('look-alike package (typosquat_package)');
    await kind.selectOption('typosquat_package');
    await expect.poll(() => page.getByTestId('alert-row').count()).toBe(1);
    const row = page.getByTestId('alert-row').first();
    expect(await row.getByTestId('alert-package').textContent()).toBe('reqwests 0.1.0');
    expect(await row.textContent()).toContain('looks like reqwest');
    await shot('04-alerts-lookalike');
    await row.click();
    await page.getByTestId('package-block').waitFor();
    expect(await page.getByTestId('alert-title').textContent()).toContain('look-alike package');
    expect(await page.getByTestId('package-arrival').textContent()).toBe(ARRIVAL);
    expect(await page.getByTestId('package-typosquat').textContent()).toContain('looks like reqwest');
    await shot('05-alert-lookalike');
  });

  it('the leak\'s alert names the package: version, transitive path, arrival, the lockfile change and the look-alike', async () => {
    const { page } = browser;
    const leak = (await api<AlertPage>('/api/alerts?buildId=build-2&kind=encoded_dns_label')).alerts[0]!;
    await page.goto(url(`/alerts/${leak.id}`));
    const block = page.getByTestId('package-block');
    await block.waitFor();
    expect(await block.getByTestId('package-ecosystem').first().textContent()).toBe('cargo');
    expect(await block.getByTestId('package-name').textContent()).toBe('reqwests');
    expect(await block.getByTestId('package-version').textContent()).toBe('0.1.0');
    expect(await block.getByTestId('package-direct').textContent()).toBe('transitive dependency');
    expect(await block.getByTestId('package-arrival').textContent()).toBe(ARRIVAL);
    expect(await block.getByTestId('package-arrival').getAttribute('class')).toContain('pkg-arrival-new');
    expect(await block.getByTestId('package-paths').textContent()).toBe(PATH);
    expect(await block.getByTestId('package-typosquat').textContent()).toContain('looks like reqwest: 1 edit from "reqwest"');
    const change = block.getByTestId('package-lockfile-change');
    expect(await change.textContent()).toContain('rust-utilities 2.1.0 → 2.1.1');
    expect(await change.getByTestId('package-previous-build').getAttribute('href')).toBe('/builds/build-1');
    await shot('06-alert-package');
  });

  it('the incident\'s timeline names the package and opens with the look-alike\'s arrival', async () => {
    const { page } = browser;
    await page.getByTestId('action-open-incident').click();
    await page.getByTestId('incident-title-input').fill('AWS key leaked over DNS by reqwests');
    await page.getByTestId('action-submit').click();
    await page.getByTestId('incident-timeline').waitFor();
    const alerts = page.locator('[data-testid="timeline-entry"][data-type="alert"]');
    await expect.poll(() => alerts.count()).toBe(2);
    // The look-alike came with the lockfile, before anything ran; it is not in the incident, and says so.
    expect(await alerts.nth(0).textContent()).toMatch(/typosquat_package.*reqwests 0\.1\.0.*not in this incident/);
    expect(await alerts.nth(0).textContent()).toContain('looks like reqwest');
    expect(await alerts.nth(1).textContent()).toMatch(/encoded_dns_label.*reqwests 0\.1\.0/);
    expect(await alerts.nth(1).getByTestId('timeline-arrival').textContent()).toBe(ARRIVAL);
    expect(await page.getByTestId('alert-package').allTextContents()).toEqual(['reqwests 0.1.0']);
    await shot('07-incident-timeline');
    expect(browser.problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
