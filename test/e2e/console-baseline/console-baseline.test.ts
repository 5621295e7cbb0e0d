// The console's baseline pages in real headless Chromium against a real collector: two learning
// builds make versions 1 and 2, a third build's new name is added to the baseline from its build
// page, a supervised pipeline's proposal is approved, a DNS guard's refusal is listed, and the
// baseline is exported as nftables (and refused, plainly, while another pipeline still learns).
// Screenshots land in test-results/console-baseline/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildBaselineDiff, PipelineDetail } from '@telltale/proto';
import { createLogger, serverConfig, startServer, type RunningServer } from '@telltale/server';
import { openBrowser, type Browser } from '../support/browser.js';
import { BuildScript } from '../../../server/src/core/test-events.js';
import { sendBatches } from '../../../server/src/test-ingest.js';

const TOKEN = 'console-baseline-e2e-operator-token-0123456789';
const PIPELINE = 'acme/baseline-app';
const LEARNING_PIPELINE = 'acme/still-learning';
const ACTOR = 'alice';
const SHOTS = fileURLToPath(new URL('../../../test-results/console-baseline/', import.meta.url));
const quiet = createLogger('test', () => undefined);

/** What one build resolves and where it connects: names with the address each resolves to. */
interface Traffic { names: [string, string][]; port?: number }

describe('console baselines in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'telltale-console-baseline-e2e-'));
  let server: RunningServer;
  let browser: Browser;
  let sequence = 1;
  let clock = Date.now() * 1000 - 60_000_000;
  const url = (path: string) => `${server.httpUrl}${path}`;
  const api = async <T>(path: string) => (await (await fetch(url(path), { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;
  const shot = (name: string) => browser.shotFromTop(SHOTS, name);

  /** One finished build of `pipeline`: each name asked and answered, then a TCP connect to its address. */
  const build = async (pipeline: string, buildId: string, t: Traffic) => {
    clock += 2_000_000;
    const b = new BuildScript(buildId, pipeline, 100, clock);
    b.context.runId = buildId.replace(/^build-/, 'run-');
    b.exec(101, 100, '/usr/bin/cargo', ['cargo', 'build']);
    for (const [name, address] of t.names) {
      b.dns(101, name);
      b.dns(101, name, { response: true, answers: [{ name, address }] });
      b.connect(101, address, t.port ?? 443);
    }
    b.end(0);
    await sendBatches(server.grpcAddress, [{ agentId: 'agent-baseline-e2e', sequence: sequence++, events: b.events }]);
  };
  const detail = () => api<PipelineDetail>(`/api/pipelines/${encodeURIComponent(PIPELINE)}`);

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../../../web/dist/index.html', import.meta.url)))) {
      throw new Error('web/dist is not built: run `npm run build` first (npm test does)');
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(serverConfig({
      dataDir, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken: TOKEN, learningBuilds: '2',
    }, {}), quiet);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the versions two learning builds made, with their builds linked, and the diff from 1 to 2', async () => {
    await build(PIPELINE, 'build-learn-1', { names: [['index.crates.test', '192.0.2.10'], ['static.crates.test', '192.0.2.10']] });
    await build(PIPELINE, 'build-learn-2', { names: [['index.crates.test', '192.0.2.10'], ['mirror.crates.test', '192.0.2.11']] });
    await expect.poll(async () => (await detail()).summary.version).toBe(2);

    const { page } = browser;
    await page.goto(url(`/#token=${TOKEN}`));
    // Who acts is recorded with each action: name the operator.
    await page.getByTestId('operator-toggle').click();
    await page.getByTestId('actor-input').fill(ACTOR);
    await page.getByTestId('token-save').click();
    await expect.poll(() => page.getByTestId('operator-state').textContent()).toMatch(/accepted/);
    await page.getByTestId('operator-toggle').click();

    await page.goto(url(`/pipelines/${encodeURIComponent(PIPELINE)}`));
    const versions = page.getByTestId('baseline-version');
    await versions.first().waitFor();
    expect(await versions.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['2', '1']);
    for (const [v, b] of [['1', 'build-learn-1'], ['2', 'build-learn-2']] as const) {
      const row = page.locator(`[data-testid="baseline-version"][data-version="${v}"]`);
      expect(await row.textContent()).toMatch(/learned/);
      expect(await row.getByTestId('version-build').getAttribute('href')).toBe(`/builds/${b}`);
    }
    expect(await page.getByTestId('learning-state').textContent()).toMatch(/learnt/);
    expect(await page.getByTestId('baseline-version-pill').textContent()).toBe('version 2');

    // The newest version against the one before it, unasked.
    const diff = page.getByTestId('version-diff');
    await expect.poll(() => diff.getAttribute('data-from')).toBe('1');
    await diff.getByTestId('diff-entry').first().waitFor();
    expect(await diff.getByTestId('diff-added').getByTestId('diff-entry').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.getAttribute('data-value')}`)))
      .toEqual(['name mirror.crates.test', 'destination tcp/192.0.2.11:443']);
    expect(await diff.getByTestId('diff-removed').getByTestId('diff-entry').count()).toBe(0);
    // Version 1 alone: everything the first build taught.
    await page.locator('[data-testid="baseline-version"][data-version="2"]').getByTestId('version-pick').uncheck();
    await page.locator('[data-testid="baseline-version"][data-version="1"]').getByTestId('version-pick').check();
    await expect.poll(() => diff.getAttribute('data-to')).toBe('1');
    await expect.poll(() => diff.getByTestId('diff-added').textContent()).toContain('index.crates.test');
    expect(await page.locator('[data-testid="baseline-name"][data-value="mirror.crates.test"]').getAttribute('data-status')).toBe('active');
    await shot('01-pipeline-versions');
  });

  it('lists what a later build used beyond the baseline, and adding a name to it makes version 3', async () => {
    await build(PIPELINE, 'build-new-dep', { names: [['index.crates.test', '192.0.2.10'], ['telemetry.newdep.test', '192.0.2.30']] });
    const { page } = browser;
    await page.goto(url('/builds/build-new-dep'));
    const rows = page.getByTestId('baseline-diff-row');
    await rows.first().waitFor();
    const listed = () => rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.getAttribute('data-value')}`));
    expect(await listed()).toEqual(['name telemetry.newdep.test', 'domain newdep.test', 'destination tcp/192.0.2.30:443']);
    expect(await page.getByTestId('pending-badge').count()).toBe(0);
    await shot('02-build-baseline-diff');

    await page.locator('[data-testid="baseline-diff-row"][data-value="telemetry.newdep.test"]').getByTestId('baseline-diff-select').check();
    await page.getByTestId('baseline-diff-reason').fill('new telemetry dependency, reviewed');
    await page.getByTestId('add-to-baseline').click();
    await expect.poll(() => page.getByTestId('baseline-diff-result').textContent()).toMatch(new RegExp(`version 3 by ${ACTOR}`));
    await expect.poll(listed).toEqual(['domain newdep.test', 'destination tcp/192.0.2.30:443']);
    await shot('03-build-baseline-diff-added');

    const v3 = (await detail()).versions[0]!;
    expect(v3).toMatchObject({ version: 3, cause: 'approved', actor: ACTOR, reason: 'new telemetry dependency, reviewed', added: [{ kind: 'name', value: 'telemetry.newdep.test' }] });
    await page.getByTestId('build-baseline-diff').getByRole('link', { name: PIPELINE }).click();
    const row3 = page.locator('[data-testid="baseline-version"][data-version="3"]');
    await row3.waitFor();
    expect(await row3.getByTestId('version-actor').textContent()).toBe(ACTOR);
    expect(await row3.textContent()).toMatch(/approved/);
  });

  it('switches the pipeline to supervised: the next build proposes, and approving makes version 4', async () => {
    const { page } = browser;
    await page.getByTestId('baseline-mode').selectOption('supervised');
    await page.getByTestId('baseline-settings-save').click();
    await expect.poll(() => page.getByTestId('baseline-mode-pill').textContent()).toBe('supervised');
    expect((await detail()).summary.mode).toBe('supervised');

    // The page follows the build as it ends: no reload.
    await build(PIPELINE, 'build-supervised', { names: [['index.crates.test', '192.0.2.10'], ['api.othernew.test', '192.0.2.40']] });
    const pendingName = page.locator('[data-testid="baseline-name"][data-value="api.othernew.test"]');
    await pendingName.waitFor({ timeout: 10_000 });
    expect(await pendingName.getAttribute('data-status')).toBe('pending');
    expect(await page.getByTestId('pending-count').textContent()).toMatch(/3 pending/);
    await shot('04-pipeline-pending');

    // The build page says the same.
    await page.goto(url('/builds/build-supervised'));
    await page.getByTestId('baseline-diff-row').first().waitFor();
    expect(await page.getByTestId('pending-badge').count()).toBe(3);
    await page.goBack();

    await pendingName.getByTestId('entry-select').check();
    await page.locator('[data-testid="baseline-destination"][data-value="tcp/192.0.2.40:443"]').getByTestId('entry-select').check();
    await page.getByTestId('baseline-reason').fill('the new API client');
    await page.getByTestId('approve-selected').click();
    await expect.poll(() => page.getByTestId('baseline-result').textContent()).toMatch(new RegExp(`Version 4 by ${ACTOR}: added 1 name, 1 destination`));
    await expect.poll(() => pendingName.getAttribute('data-status')).toBe('active');
    expect(await page.getByTestId('baseline-version-pill').textContent()).toBe('version 4');

    // The proposed domain is turned down: it leaves without a version.
    await page.locator('[data-testid="baseline-domain"][data-value="othernew.test"]').getByTestId('entry-select').check();
    await page.getByTestId('reject-selected').click();
    await expect.poll(() => page.getByTestId('baseline-result').textContent()).toMatch(/Rejected 1/);
    await expect.poll(() => page.locator('[data-testid="baseline-domain"][data-value="othernew.test"]').count()).toBe(0);
    expect((await detail()).summary).toMatchObject({ version: 4, pending: 0 });
    const diff = page.getByTestId('version-diff');
    await expect.poll(() => diff.getAttribute('data-to')).toBe('4');
    await expect.poll(() => diff.getByTestId('diff-added').textContent()).toContain('api.othernew.test');
    await shot('05-pipeline-approved');
  });

  it('removing an active entry needs a reason and makes a version', async () => {
    const { page } = browser;
    const row = page.locator('[data-testid="baseline-name"][data-value="static.crates.test"]');
    await row.getByTestId('entry-select').check();
    expect(await page.getByTestId('remove-selected').isDisabled()).toBe(true);
    await page.getByTestId('baseline-reason').fill('the static mirror is gone');
    await page.getByTestId('remove-selected').click();
    await expect.poll(() => page.getByTestId('baseline-result').textContent()).toMatch(/Version 5 by alice: removed 1 name/);
    await expect.poll(() => row.count()).toBe(0);
    expect((await detail()).versions[0]).toMatchObject({ version: 5, cause: 'removed', removed: [{ kind: 'name', value: 'static.crates.test' }] });
  });

  it('lists what a DNS guard refused for the pipeline', async () => {
    const res = await fetch(url('/api/guard/verdicts'), {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        guard: 'guard-e2e', pipeline: PIPELINE,
        verdicts: [{ timeUs: Date.now() * 1000, client: '127.0.0.1', qname: 'mfrgg3dfmztq4ylqmfzxg.leak.invalid', qtype: 1, verdict: 'blocked_encoded', evidence: {} }],
      }),
    });
    expect(res.status).toBe(200);
    const { page } = browser;
    const verdict = page.getByTestId('guard-verdict');
    await verdict.first().waitFor({ timeout: 10_000 });
    expect(await verdict.first().textContent()).toContain('mfrgg3dfmztq4ylqmfzxg.leak.invalid');
    expect(await verdict.first().getAttribute('data-verdict')).toBe('blocked_encoded');
  });

  it('exports the baseline as nftables: a download with the approved destinations, and a preview', async () => {
    const { page } = browser;
    const panel = page.getByTestId('policy-export');
    await panel.getByTestId('policy-format').selectOption('nftables');
    // Unscoped, nftables would police the whole host: the collector says so, and the console shows it.
    await panel.getByTestId('policy-preview-button').click();
    await expect.poll(() => panel.getByTestId('policy-error').textContent()).toMatch(/uid/);
    await panel.getByTestId('policy-uid').fill('1001');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('policy-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.nft$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('table inet');
    expect(text).toContain('meta skuid 1001');
    // nftables sees addresses, not names: the destinations approved or learnt are there, the one only used is not.
    for (const dest of ['192.0.2.10 . tcp . 443', '192.0.2.11 . tcp . 443', '192.0.2.40 . tcp . 443']) expect(text).toContain(dest);
    expect(text).not.toContain('192.0.2.30');
    const preview = panel.getByTestId('policy-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toContain('table inet');
    await shot('06-pipeline-export-nftables');
  });

  it('says plainly that a pipeline still learning cannot be exported yet', async () => {
    await build(LEARNING_PIPELINE, 'build-learning-only', { names: [['index.crates.test', '192.0.2.10']] });
    const { page } = browser;
    await page.goto(url(`/pipelines/${encodeURIComponent(LEARNING_PIPELINE)}`));
    const panel = page.getByTestId('policy-export');
    await panel.waitFor();
    expect(await page.getByTestId('learning-state').textContent()).toMatch(/learning 1\/2/);
    await panel.getByTestId('policy-format').selectOption('nftables');
    await panel.getByTestId('policy-uid').fill('1001');
    await panel.getByTestId('policy-download').click();
    const error = panel.getByTestId('policy-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('BASELINE_NOT_READY');
    expect(await error.textContent()).toMatch(/learning|not ready/i);
    expect(await error.textContent()).toMatch(/Tick .export even if the baseline is not ready./);
    expect(await panel.getByTestId('policy-preview').count()).toBe(0);
    await shot('07-pipeline-export-not-ready');
    // Asked for anyway, it comes, saying so at the top.
    await panel.getByTestId('policy-allow-unready').check();
    await panel.getByTestId('policy-preview-button').click();
    await expect.poll(() => panel.getByTestId('policy-preview').textContent()).toContain('table inet');
    expect(await panel.getByTestId('policy-error').count()).toBe(0);

    const diff = await api<BuildBaselineDiff>('/api/builds/build-learning-only/baseline-diff');
    expect(diff.new).toEqual([]);
    await page.goto(url('/builds/build-learning-only'));
    await expect.poll(() => page.getByTestId('baseline-diff-empty').textContent()).toBe('Matches the baseline (version 1).');
    await shot('08-build-matches-baseline');

    await page.getByTestId('nav-pipelines').click();
    const listed = page.locator(`[data-testid="pipeline-row"][data-pipeline="${PIPELINE}"]`);
    await listed.waitFor();
    expect(await listed.textContent()).toMatch(/supervised/);
    await shot('09-pipelines');
    expect(browser.problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
