// The console in real headless Chromium against a real collector: a recorded exfiltrating
// cargo build streams in, and an operator triages it — acknowledge, open an incident, allow a
// domain — with everything surviving a reload; hostile names stay inert text; a lost stream
// reconnects and says so; build scripts and alerts name their package. Screenshots of each view land in
// test-results/console/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AlertPage, PipelineDetail, TelltaleEvent } from '@telltale/proto';
import { createLogger, serverConfig, startServer, type RunningServer } from '@telltale/server';
import { openBrowser, type Browser } from '../support/browser.js';
import { CARGO_EXFIL_CAPTURE, replayCapture } from '../support/replay.js';
import { dnsPacket } from '../../../server/src/core/test-events.js';

const TOKEN = 'console-e2e-operator-token-0123456789';
const PIPELINE = 'acme/payments-api';
const LEAK_QNAME = 'o5fgc3dslbkxi3sgivgusl2lg5guirkoi4xweudykjtgsq2zivmectkqjrcuwrk.z.exfil-drill.test';
const HOSTILE_ARG = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_LABEL = '<svg/onload=window.__pwned=2>';
const LONG_ARG = 'A'.repeat(4096);
const quiet = createLogger('test', () => undefined);

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

describe('console in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'telltale-console-e2e-'));
  let httpPort = 0;
  let server: RunningServer;
  let browser: Browser;
  let sequence = 1;
  const start = async () => {
    server = await startServer(serverConfig({
      dataDir, http: `127.0.0.1:${httpPort}`, grpc: '127.0.0.1:0', operatorToken: TOKEN, learningBuilds: '1',
    }, {}), quiet);
  };
  const url = (path: string) => `${server.httpUrl}${path}`;
  const api = async <T>(path: string) => (await (await fetch(url(path))).json()) as T;
  const replay = async (buildId: string, o: { extra?: (buildId: string, lastUs: number) => TelltaleEvent[]; paceMs?: number; keep?: (e: TelltaleEvent) => boolean } = {}) => {
    sequence = await replayCapture(CARGO_EXFIL_CAPTURE, {
      grpcAddress: server.grpcAddress, agentId: 'agent-e2e', sequence, batches: o.paceMs ? 6 : 1, paceMs: o.paceMs, extra: o.extra, keep: o.keep,
      context: { buildId, pipeline: PIPELINE, runId: `run-${buildId}`, job: 'build', repo: 'acme/payments-api', commit: '9f1c2ab4e5d6' },
    });
  };

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../../../web/dist/index.html', import.meta.url)))) {
      throw new Error('web/dist is not built: run `npm run build` first (npm test does)');
    }
    httpPort = await freePort();
    await start();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts empty and says what to do, then shows a build streaming in live without a reload', async () => {
    const { page } = browser;
    // The token arrives in the fragment, as `telltale up` prints it; the console keeps it and drops it from the URL.
    await page.goto(url(`/#token=${TOKEN}`));
    await expect.poll(() => page.getByTestId('live-status').textContent()).toMatch(/live/i);
    expect(page.url()).not.toContain(TOKEN);
    await page.getByTestId('state-empty').waitFor();
    expect(await page.getByTestId('state-empty').textContent()).toMatch(/telltale (run|up)/);
    await browser.screenshot('01-builds-empty');

    // A clean build first (the recording without its DNS traffic): the pipeline learns its baseline from it.
    const learning = `build-learn-${Date.now()}`;
    await replay(learning, { keep: (e) => e.kind !== 'dns' });
    await page.locator(`[data-testid="build-row"][data-build-id="${learning}"]`).waitFor();

    const leaking = `build-leak-${Date.now()}`;
    await replay(leaking, { extra: hostileProcess, paceMs: 150 });
    const row = page.locator(`[data-testid="build-row"][data-build-id="${leaking}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/succeeded/i);
    expect(await page.getByTestId('build-row').count()).toBe(2);
    await page.getByTestId('events-chart').waitFor();
    await browser.screenshot('02-builds-live');
  });

  it('shows the build: its process tree with the path to the alerting build script, its DNS names and connections', async () => {
    const { page } = browser;
    const builds = await api<{ builds: { id: string }[] }>('/api/builds');
    const leaking = builds.builds[0]!.id;
    await page.locator(`[data-testid="build-row"][data-build-id="${leaking}"]`).click();
    await page.getByTestId('process-tree').waitFor();
    expect(page.url()).toContain(`/builds/${leaking}`);
    const onPath = page.locator('[data-testid="process-node"][data-alert-path="true"]');
    await expect.poll(() => onPath.count()).toBeGreaterThanOrEqual(2);
    expect(await onPath.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('build-script-build')]));
    expect(await page.locator('[data-testid="process-node"][data-build-script="true"]').count()).toBeGreaterThanOrEqual(1);
    // The build script names its package (the recording has no lockfile: the name from its path, no version).
    expect(await onPath.getByTestId('process-package').allTextContents()).toContain('cargo url-parsr');
    expect(await page.getByTestId('dns-table').textContent()).toContain('exfil-drill.test');
    await browser.screenshot('03-build');
  });

  it('renders hostile argv as inert text and shortens a 4 KB argument until asked', async () => {
    const { page } = browser;
    const hostile = page.locator('[data-testid="process-node"]', { hasText: 'onerror' });
    await hostile.first().waitFor();
    expect(await hostile.first().textContent()).toContain(HOSTILE_ARG);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main svg[onload]').count()).toBe(0);
    expect(await page.getByTestId('dns-table').textContent()).toContain(`${HOSTILE_LABEL}.evil.test`);
    // The long argument is cut in view...
    const long = page.locator('[data-testid="process-node"]', { hasText: 'AAAAAAAAAA' }).first();
    expect((await long.textContent())!.length).toBeLessThan(2000);
    // ...and complete on demand.
    await long.getByTestId('truncated-toggle').first().click();
    await expect.poll(async () => (await long.textContent())!.includes(LONG_ARG)).toBe(true);
    await browser.screenshot('04-build-hostile-argv');
  });

  it('shows the alert with its decoded query and process chain, and acknowledging it persists across a reload', async () => {
    const { page } = browser;
    await page.getByTestId('nav-alerts').click();
    const row = page.locator('[data-testid="alert-row"]', { hasText: 'exfil-drill.test' }).first();
    await row.waitFor();
    await browser.screenshot('05-alerts');
    await row.click();
    await page.getByTestId('alert-title').waitFor();
    expect(await page.getByTestId('alert-qname').textContent()).toContain(LEAK_QNAME);
    const labels = page.getByTestId('decoded-label');
    expect(await labels.count()).toBe(4);
    expect(await labels.first().textContent()).toMatch(/base32/);
    const chain = await page.getByTestId('chain-process').allTextContents();
    expect(chain.at(-1)).toContain('build-script-build');
    expect(chain.some((c) => c.includes('cargo'))).toBe(true);
    // The package whose build script asked: the alert names it.
    expect(await page.getByTestId('package-name').textContent()).toBe('url-parsr');
    expect(await page.getByTestId('package-block').textContent()).toMatch(/version unknown.*read from the build script path/);
    await browser.screenshot('06-alert');

    await page.getByTestId('action-acknowledge').click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toMatch(/acknowledged/i);
    await page.reload();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toMatch(/acknowledged/i);
    expect(await page.getByTestId('action-entry').allTextContents()).toEqual([expect.stringMatching(/acknowledge/i)]);
  });

  it('opens an incident from the alert, with a timeline, a note and a status that persist', async () => {
    const { page } = browser;
    await page.getByTestId('action-open-incident').click();
    await page.getByTestId('incident-title-input').fill('AWS key leaked over DNS by url-parsr');
    await page.getByTestId('action-submit').click();
    await page.getByTestId('incident-timeline').waitFor();
    expect(page.url()).toMatch(/\/incidents\/[0-9a-f-]+$/);
    const types = new Set(await page.getByTestId('timeline-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-type'))));
    expect([...types]).toEqual(expect.arrayContaining(['exec', 'dns', 'alert', 'action']));
    expect(await page.getByTestId('incident-ttd').textContent()).toMatch(/\d/);

    await page.getByTestId('incident-note-input').fill('Rotated the AWS key; yanked url-parsr from the lockfile.');
    await page.getByTestId('incident-note-submit').click();
    await page.getByTestId('incident-status-select').selectOption('contained');
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toMatch(/contained/i);
    await page.reload();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toMatch(/contained/i);
    expect(await page.getByTestId('incident-timeline').textContent()).toContain('Rotated the AWS key');
    await browser.screenshot('07-incident');
    await page.getByTestId('nav-incidents').click();
    await page.getByTestId('incident-row').first().waitFor();
    await browser.screenshot('08-incidents');
  });

  it('allowing the domain as a false positive teaches the pipeline baseline, and the next build does not alert', async () => {
    const { page } = browser;
    const alerts = await api<AlertPage>('/api/alerts?kind=encoded_dns_label');
    await page.goto(url(`/alerts/${alerts.alerts[0]!.id}`));
    await page.getByTestId('action-false-positive').click();
    await page.getByTestId('action-reason').fill('exfil-drill.test is our own fire-drill domain');
    await page.getByTestId('allow-domain').check();
    await page.getByTestId('action-submit').click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toMatch(/false.positive/i);

    const before = (await api<AlertPage>('/api/alerts')).total;
    await replay(`build-after-allow-${Date.now()}`);
    expect((await api<AlertPage>('/api/alerts')).total).toBe(before);

    await page.getByTestId('nav-pipelines').click();
    await page.locator('[data-testid="pipeline-row"]', { hasText: PIPELINE }).click();
    const allowed = page.locator('[data-testid="baseline-domain"][data-domain="exfil-drill.test"]');
    await allowed.waitFor();
    expect(await allowed.textContent()).toMatch(/allowed/i);
    const baseline = await api<PipelineDetail>(`/api/pipelines/${encodeURIComponent(PIPELINE)}`);
    expect(baseline.domains.find((d) => d.domain === 'exfil-drill.test')?.source).toBe('allowed');
    // The allowance is a baseline version of its own, attributed to whoever gave it.
    expect(baseline.versions[0]).toMatchObject({ cause: 'allowed', added: [{ kind: 'domain', value: 'exfil-drill.test' }] });
    await browser.screenshot('09-pipeline');
  });

  it('deep links open every view directly', async () => {
    const { page } = browser;
    const inIncident = (await api<AlertPage>('/api/alerts?kind=encoded_dns_label')).alerts.find((a) => a.incidentId !== null)!;
    expect(inIncident).toBeDefined();
    for (const [path, testId] of [
      [`/alerts/${inIncident.id}`, 'alert-title'], [`/builds/${encodeURIComponent(inIncident.buildId)}`, 'build-header'],
      [`/incidents/${inIncident.incidentId}`, 'incident-title'], ['/pipelines', 'pipeline-row'], [`/pipelines/${encodeURIComponent(PIPELINE)}`, 'baseline-domain'],
      ['/incidents/no-such-incident', 'state-error'], ['/builds/no-such-build', 'state-error'],
    ] as const) {
      await page.goto(url(path));
      await page.getByTestId(testId).first().waitFor({ timeout: 10_000 });
    }
    expect(await page.getByTestId('state-error').textContent()).toMatch(/no such build/i);
  });

  it('says when the live stream is lost, reconnects when the collector is back, and catches up on what it missed', async () => {
    const { page } = browser;
    // The stream goes through a gate the test controls: closed, the console's reconnects fail.
    let gateOpen = true;
    await page.routeWebSocket(/\/api\/stream$/, (ws) => {
      if (gateOpen) ws.connectToServer();
      else ws.close({ code: 1011, reason: 'test: stream refused' });
    });
    await page.goto(url('/builds'));
    await expect.poll(() => page.getByTestId('live-status').textContent()).toMatch(/live/i);
    gateOpen = false;
    await server.close();
    await page.getByTestId('live-banner').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('live-banner').textContent()).toMatch(/reconnecting/i);
    await browser.screenshot('10-reconnecting');
    await start();
    // A build comes and goes while the console has no stream: nothing can push it.
    const missed = `build-missed-${Date.now()}`;
    await replay(missed);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator(`[data-testid="build-row"][data-build-id="${missed}"]`).count()).toBe(0);
    expect(await page.getByTestId('live-status').textContent()).toMatch(/reconnecting/i);
    gateOpen = true;
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 20_000 }).toMatch(/live/i);
    // Back live, the console fetched the page again: the missed build is there without a reload.
    await page.locator(`[data-testid="build-row"][data-build-id="${missed}"]`).waitFor({ timeout: 10_000 });
    // And builds stream live again.
    const late = `build-late-${Date.now()}`;
    await replay(late);
    await page.locator(`[data-testid="build-row"][data-build-id="${late}"]`).waitFor({ timeout: 10_000 });
    expect(browser.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p))).toEqual([]);
  });
});

/** A process whose argv an attacker chose (markup, and one 4 KB argument), asking for a name that is markup too. */
function hostileProcess(buildId: string, lastUs: number): TelltaleEvent[] {
  const packet = dnsPacket(`${HOSTILE_LABEL}.evil.test`);
  return [{
    kind: 'exec', timeUs: lastUs + 1000, buildId, pid: 4242, ppid: 1, exe: '/usr/bin/sh', argv: ['sh', '-c', HOSTILE_ARG, LONG_ARG],
    cwd: '/src/<b>bold</b>', uid: 1000, startTimeUs: lastUs + 1000, argvTruncated: false,
  }, {
    kind: 'dns', timeUs: lastUs + 2000, buildId, pid: 4242, packet, packetLength: packet.length, family: 'inet', protocol: 'udp',
    address: '127.0.0.53', port: 53, response: false,
  }];
}
