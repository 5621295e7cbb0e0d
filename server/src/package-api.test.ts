// The API names the culprit package (issue 8) end to end in-process, with the shipped look-alike
// lists: the build's process tree gives build scripts their package and locked version, its
// lockfiles say what changed, and an incident's timeline carries the look-alike that arrived.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertPage, AlertPackageEvidence, BuildDetail, IncidentDetail, ProcessNode, TelltaleEvent } from '@telltale/proto';
import { startServer, type RunningServer } from './server.js';
import { serverConfig } from './config.js';
import { createLogger } from './logger.js';
import { base32, BuildScript } from './core/test-events.js';
import { sendBatches } from './test-ingest.js';

const quiet = createLogger('test', () => undefined);
const TOKEN = 'operator-token-for-tests-0123456789';
const lockText = (name: string) => readFileSync(new URL(`./core/lockfiles/testdata/cargo/${name}`, import.meta.url), 'utf8');
const BEFORE = lockText('registry-before.v4.lock');
// The upgrade of rust-utilities brings in a crate one letter from reqwest (in the shipped list).
const AFTER = lockText('registry-after.v4.lock').replaceAll('url-parsr', 'reqwests');
const SCRIPT = '/src/target/debug/build/reqwests-0123456789abcdef/build-script-build';

describe('package views', () => {
  let server: RunningServer | undefined;
  let dir = '';
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** One build: its Cargo.lock reported at the start; with `leak`, a vendored build script of reqwests leaks over DNS. */
  const build = (buildId: string, lock: string, leak: boolean): TelltaleEvent[] => {
    const b = new BuildScript(buildId, 'acme/app');
    const content = Buffer.from(lock);
    b.events.push({ kind: 'lockfile', timeUs: b.tick(), buildId, path: 'Cargo.lock', workspace: '/src', sha256: createHash('sha256').update(content).digest('hex'),
      size: content.length, content, omitted: null, scanIncomplete: false });
    b.exec(101, 100, '/root/.cargo/bin/cargo', ['cargo', 'build']);
    if (leak) {
      b.events.push({ kind: 'exec', timeUs: b.tick(), buildId, pid: 102, ppid: 101, exe: SCRIPT, argv: [SCRIPT], cwd: '/src/vendor/reqwests', uid: 1000, startTimeUs: 0, argvTruncated: false });
      b.dns(102, `${base32('AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI').slice(0, 60)}.exfil-drill.test`);
    }
    return b.end().events;
  };
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(server!.httpUrl + path);
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };

  it('a build names the package its script ran, what its lockfile changed, and an incident\'s timeline shows the look-alike that arrived', async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-packages-'));
    server = await startServer(serverConfig({ dataDir: dir, http: '127.0.0.1:0', grpc: '127.0.0.1:0', operatorToken: TOKEN, learningBuilds: '0' }, {}), quiet);
    await sendBatches(server.grpcAddress, [
      { agentId: 'agent-1', sequence: 1, events: build('b-1', BEFORE, false) },
      { agentId: 'agent-1', sequence: 2, events: build('b-2', AFTER, true) },
    ]);

    const detail = await get<BuildDetail>('/api/builds/b-2');
    const flat = (nodes: ProcessNode[]): ProcessNode[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
    const script = flat(detail.processTree).find((n) => n.pid === 102)!;
    // The vendored path names the crate; the version is the one the build's Cargo.lock locks.
    expect(script).toMatchObject({ buildScript: 'cargo_build_script', package: { ecosystem: 'cargo', name: 'reqwests', version: '0.1.0' } });
    expect(flat(detail.processTree).filter((n) => n.package)).toHaveLength(1);
    expect(detail.lockfiles).toHaveLength(1);
    expect(detail.lockfiles[0]).toMatchObject({
      path: 'Cargo.lock', status: 'parsed', format: 'Cargo.lock v4',
      change: {
        first: false, previousBuildId: 'b-1', upgraded: [{ name: 'rust-utilities', from: '2.1.0', to: '2.1.1' }],
        added: [{ name: 'reqwests', version: '0.1.0', arrival: 'reqwests 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1' }],
        flagged: [{ name: 'reqwests', typosquat: [{ kind: 'edit_distance', resembles: 'reqwest' }], dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → reqwests 0.1.0'] }],
      },
    });

    const alerts = (await get<AlertPage>('/api/alerts?buildId=b-2')).alerts;
    const squat = alerts.find((a) => a.kind === 'typosquat_package')!;
    const leak = alerts.find((a) => a.kind === 'encoded_dns_label')!;
    expect(squat).toMatchObject({ severity: 'low', evidence: { package: { name: 'reqwests', version: '0.1.0' }, signals: [{ resembles: 'reqwest' }] } });
    expect(leak.evidence.package as AlertPackageEvidence).toMatchObject({
      name: 'reqwests', version: '0.1.0', direct: false, arrivedInThisBuild: true, lockfileChange: { previousBuildId: 'b-1', upgraded: ['rust-utilities 2.1.0 → 2.1.1'] },
    });

    // The incident holds the leak only; its timeline still opens with the look-alike's arrival.
    const opened = await fetch(`${server.httpUrl}/api/incidents`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ title: 'key leaked by reqwests', alertIds: [leak.id] }),
    });
    expect(opened.status).toBe(201);
    const { incident } = (await opened.json()) as { incident: { id: string } };
    const timeline = (await get<IncidentDetail>(`/api/incidents/${incident.id}`)).timeline;
    const alertEntries = timeline.flatMap((e) => (e.type === 'alert' ? [e.alert] : []));
    // (The build's first_seen_domain alert, not in the incident and no look-alike, stays off it.)
    expect(alertEntries.map((a) => [a.kind, a.incidentId])).toEqual([['typosquat_package', null], ['encoded_dns_label', incident.id]]);
    expect((alertEntries[1]!.evidence.package as AlertPackageEvidence).arrival).toMatch(/^reqwests 0\.1\.0 first appeared in this build/);
    // Added to the incident, it is listed once.
    const added = await fetch(`${server.httpUrl}/api/incidents/${incident.id}/alerts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ alertIds: [squat.id] }),
    });
    expect(added.status).toBe(200);
    const again = (await get<IncidentDetail>(`/api/incidents/${incident.id}`)).timeline.filter((e) => e.type === 'alert');
    expect(again.map((e) => (e.type === 'alert' ? e.alert.id : ''))).toEqual([squat.id, leak.id]);
  });
});
