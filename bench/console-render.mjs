// Time to first render of the console's alert list with a fleet's history in the database
// (10,000 builds, 100,000 alerts), against the same page over 100 alerts measured in the same
// run. Real collector process, real headless Chromium; each figure the median of 7 loads.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startCollectorProcess } from './procs.mjs';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const { Store } = await import('../server/dist/adapters/store.js');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Chromium resolves Google names through the machine's resolver even so: resolve nothing.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'];
const KINDS = ['encoded_dns_label', 'first_seen_domain', 'raw_ip_egress', 'unexpected_tool', 'dns_tunnel_volume', 'doh_endpoint'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const STATUSES = ['open', 'open', 'open', 'acknowledged', 'resolved', 'false_positive'];

/** A database shaped like a fleet's: builds over 30 days, alerts spread over them with real-sized chains and evidence. */
export function seed(dir, builds, alerts) {
  mkdirSync(dir, { recursive: true });
  new Store(join(dir, 'telltale.db')).close(); // migrations
  const db = new Database(join(dir, 'telltale.db'));
  const now = Date.now() * 1000;
  const span = 30 * 86_400_000_000;
  const insertBuild = db.prepare(`INSERT INTO builds (id, pipeline, run_id, job, repo, commit_sha, agent_host, ci_provider, root_pid, started_us, ended_us, exit_code, processes, dns_queries, connects, alerts)
    VALUES (?, ?, ?, 'build', ?, ?, ?, 'github', 100, ?, ?, 0, 412, 37, 12, ?)`);
  const insertAlert = db.prepare(`INSERT INTO alerts (id, dedupe_key, build_id, pipeline, run_id, kind, severity, qname, domain, address, pid, chain, evidence, event_us, created_us, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 102, ?, ?, ?, ?, ?)`);
  const chain = JSON.stringify([
    { pid: 100, exe: '/usr/bin/bash', argv: ['bash', '-c', 'cargo build --release'], cwd: '/src' },
    { pid: 101, exe: '/root/.cargo/bin/cargo', argv: ['cargo', 'build', '--release'], cwd: '/src' },
    { pid: 102, exe: '/src/target/release/build/url-parsr-1a2b/build-script-build', argv: ['build-script-build'], cwd: '/src/vendor/url-parsr' },
  ]);
  const ids = [];
  db.transaction(() => {
    for (let i = 0; i < builds; i++) {
      const id = randomUUID();
      ids.push(id);
      const started = now - span + Math.floor((span * i) / builds);
      insertBuild.run(id, `acme/service-${i % 40}`, String(i), `acme/service-${i % 40}`, 'c0ffee' + i, `agent-${i % 25}`, started, started + 90_000_000, Math.ceil(alerts / builds));
    }
    for (let i = 0; i < alerts; i++) {
      const b = Math.floor((i * builds) / alerts);
      const created = now - span + Math.floor((span * i) / alerts);
      const qname = `${randomUUID().replace(/-/g, '')}.exfil-${i % 300}.example`;
      const evidence = JSON.stringify({ trigger: 'single_query', labels: [qname.split('.')[0]], alphabet: 'hex', length: 32, entropy: 3.9, bitsThisQuery: 120.5 });
      insertAlert.run(randomUUID(), `k${i}`, ids[b], `acme/service-${b % 40}`, String(b), KINDS[i % KINDS.length], SEVERITIES[i % 4], qname, `exfil-${i % 300}.example`,
        chain, evidence, created - 2000, created, STATUSES[i % STATUSES.length]);
    }
  })();
  db.close();
}

async function firstRender(browserContext, url, rounds = 7) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const page = await browserContext.newPage();
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator('[data-testid="alert-row"]').first().waitFor({ timeout: 30_000 });
    times.push(performance.now() - t0);
    await page.close();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function apiTime(url, rounds = 15) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function consoleRender(dir, line) {
  const small = join(dir, 'console-small');
  const large = join(dir, 'console-large');
  seed(small, 100, 100);
  const t0 = performance.now();
  seed(large, 10_000, 100_000);
  line('console_seed_10k_builds_100k_alerts', Math.round(performance.now() - t0), 'ms (setup, not a figure of merit)');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS, headless: true });
  const collectors = [];
  try {
    const results = {};
    for (const [name, d] of [['small', small], ['large', large]]) {
      const c = await startCollectorProcess(d);
      collectors.push(c);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await firstRender(context, `${c.httpUrl}/alerts`, 2); // warm: bundle parsed, SQLite pages cached
      results[name] = {
        render: await firstRender(context, `${c.httpUrl}/alerts`),
        filtered: await firstRender(context, `${c.httpUrl}/alerts?status=open&severity=high`),
        api: await apiTime(`${c.httpUrl}/api/alerts?limit=200`),
        apiFiltered: await apiTime(`${c.httpUrl}/api/alerts?limit=200&status=open&kind=encoded_dns_label&pipeline=acme/service-7`),
      };
      await context.close();
    }
    line('console_alerts_first_render_100k', results.large.render.toFixed(0), 'ms (median of 7 loads, 10,000 builds + 100,000 alerts)');
    line('console_alerts_first_render_100', results.small.render.toFixed(0), 'ms (reference: 100 builds + 100 alerts)');
    line('console_alerts_render_ratio', (results.large.render / results.small.render).toFixed(2), 'x (100k vs 100)');
    line('console_alerts_filtered_render_100k', results.large.filtered.toFixed(0), 'ms (status=open&severity=high)');
    line('api_alerts_page_100k', results.large.api.toFixed(1), `ms (limit=200; reference 100 alerts: ${results.small.api.toFixed(1)} ms)`);
    line('api_alerts_filtered_page_100k', results.large.apiFiltered.toFixed(1), 'ms (status+kind+pipeline, limit=200)');
  } finally {
    await browser.close();
    for (const c of collectors) await c.stop();
  }
}
