// Build scripts beyond cargo: an npm `postinstall` (a local package installed from a local
// tarball) and a pip sdist's setup.py, each leaking a fake AWS key over DNS. The alerts must
// name the package the script belongs to, with what the build's lockfile says about it
// (version, direct or not, how it arrived). A clean package whose postinstall only writes a
// file raises nothing. Real bpftrace, agent, gRPC and collector; DNS only to the test's own
// loopback server, names under .test; nothing downloaded (npm --offline, pip --no-index).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { base32Decode } from '../support/base32.js';
import { getJson } from '../support/telltale-procs.js';
import { startWatchedStack, type WatchedStack } from '../support/watched-stack.js';
import {
  buildSdist, COLORAMA_PY, COLORS_JS, npmEnv, npmProject, packNpmFixtures, pipEnv, pipInstallArgs, pipWorkspace, PYTHON, TIDY_STRINGS, trackedBuild,
} from './package-builds.js';

const FAKE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // AWS's documentation example, not a credential

interface ApiAlert { id: string; kind: string; severity: string; buildId: string; eventAtUs: number; chain: { pid: number; exe: string; argv: string[]; cwd: string }[]; evidence: Record<string, unknown> }

describe('npm lifecycle scripts and pip builds leaking a secret, attributed to their package', () => {
  let stack: WatchedStack;
  let npm: Record<string, string>;
  let tarballs: Record<string, string>;
  let dist: string;
  beforeAll(async () => {
    stack = await startWatchedStack({ prefix: 'telltale-e2e-pkgscripts-' });
    npm = npmEnv(stack.dir);
    tarballs = packNpmFixtures(stack.dir, npm);
    dist = buildSdist(stack.dir);
  });
  afterAll(async () => { await stack?.close(); });

  const leakEnv = () => ({ AWS_SECRET_ACCESS_KEY: FAKE_KEY, TELLTALE_FIXTURE_DNS: `127.0.0.1:${stack.dns.port}` });
  const alertsOf = async (buildId: string, pipeline: string) =>
    (await getJson<{ alerts: ApiAlert[] }>(`${stack.collector.httpUrl}/api/alerts?pipeline=${encodeURIComponent(pipeline)}`)).alerts.filter((a) => a.buildId === buildId);
  /** The one query under `suffix` the build sent, decoded. */
  const leakedUnder = (suffix: string, since: number) => {
    const sent = stack.dns.queries.slice(since).filter((q) => q.name.endsWith(suffix));
    expect(sent.map((q) => q.name)).toHaveLength(1);
    return base32Decode(sent[0]!.name.slice(0, -suffix.length).split('.').join('')).toString();
  };

  it('npm: a clean postinstall raises nothing; a look-alike arriving in the next build is named with its lockfile story', async () => {
    const pipeline = 'e2e/npm-postinstall';
    // Build 1: only the clean package, whose postinstall runs (watched) and writes a file.
    const clean = npmProject(join(stack.dir, 'npm-1'), npm, { [TIDY_STRINGS.name]: tarballs[TIDY_STRINGS.name]! });
    const quiet = stack.dns.queries.length;
    const first = await trackedBuild(stack, { pipeline, runId: '1', cwd: clean, cmd: ['npm', 'ci', '--offline'], env: { ...npm, ...leakEnv() } });
    expect(first.code, first.output).toBe(0);
    expect(first.report.complete, first.output).toBe(true);
    expect(existsSync(join(clean, 'node_modules', TIDY_STRINGS.name, 'installed.txt')), 'the clean postinstall ran').toBe(true);
    expect(stack.dns.queries.length, 'the clean build resolved nothing').toBe(quiet);
    expect(await alertsOf(first.report.buildId, pipeline)).toEqual([]);

    // Build 2: the lockfile gains colors-js, whose postinstall leaks the key.
    const project = npmProject(join(stack.dir, 'npm-2'), npm, { [TIDY_STRINGS.name]: tarballs[TIDY_STRINGS.name]!, [COLORS_JS.name]: tarballs[COLORS_JS.name]! });
    const before = stack.dns.queries.length;
    const second = await trackedBuild(stack, { pipeline, runId: '2', cwd: project, cmd: ['npm', 'ci', '--offline'], env: { ...npm, ...leakEnv() } });
    expect(second.code, second.output).toBe(3);
    expect(second.report.complete, second.output).toBe(true);
    expect(leakedUnder('.exfil-npm.test', before)).toBe(FAKE_KEY);

    const alerts = await alertsOf(second.report.buildId, pipeline);
    expect(alerts.map((a) => a.kind).sort(), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label', 'secret_leak', 'typosquat_package']);
    for (const kind of ['encoded_dns_label', 'secret_leak']) {
      const alert = alerts.find((a) => a.kind === kind)!;
      expect(alert.evidence.package, kind).toEqual({
        ecosystem: 'npm', name: COLORS_JS.name, version: COLORS_JS.version, from: 'working directory',
        lockfile: 'package-lock.json', direct: true, dependencyPaths: [`e2e-app 0.0.0 → ${COLORS_JS.name} ${COLORS_JS.version}`],
        // In package-lock.json the project is a package of its own (the "" entry), which gained a dependency.
        arrivedInThisBuild: true, changeInThisBuild: 'added', arrival: `${COLORS_JS.name} ${COLORS_JS.version} first appeared in this build, brought in by the project (e2e-app) directly`,
        lockfileChange: { lockfile: 'package-lock.json', previousBuildId: first.report.buildId, added: 1, removed: 0, upgraded: [], downgraded: [], changedInPlace: [] },
        typosquat: [{ kind: 'affix', resembles: 'colors', evidence: '"colors" with suffix "-js" added' }],
      });
      // npm (node running the npm CLI) → `sh -c <script>` in the package's folder → node.
      const [npmCli, sh, script] = alert.chain.slice(-3);
      expect(npmCli!.argv.slice(1, 3), JSON.stringify(alert.chain)).toEqual([expect.stringMatching(/(^|\/)npm(-cli\.js)?$/), 'ci']);
      expect(sh!.argv).toEqual(['sh', '-c', 'node postinstall.js']);
      expect(sh!.cwd).toBe(join(project, 'node_modules', COLORS_JS.name));
      expect(script!.argv).toEqual(['node', 'postinstall.js']);
    }
    // The look-alike's arrival was itself a (low) finding, raised from the lockfile before its script ran.
    const squat = alerts.find((a) => a.kind === 'typosquat_package')!;
    expect(squat).toMatchObject({
      severity: 'low', evidence: { package: { ecosystem: 'npm', name: COLORS_JS.name, version: COLORS_JS.version }, runsInstallScript: true },
    });
    expect(squat.eventAtUs).toBeLessThan(alerts.find((a) => a.kind === 'encoded_dns_label')!.eventAtUs);
  });

  // pip 23 (Debian 12, wheel installed) runs a setup.py-only sdist through its `-c` setuptools
  // caller unless told --use-pep517; pip 25.3 and later always go through the PEP 517 hooks.
  it.each([
    { mode: 'the setup.py caller of pip', extra: [], runner: /<pip-setuptools-caller>/ },
    { mode: 'the PEP 517 hooks (--use-pep517)', extra: ['--use-pep517'], runner: /\/_in_process\.py$/ },
  ])('pip: setup.py built through $mode is named with the version requirements.txt pins', async ({ extra, runner }) => {
    const pipeline = `e2e/pip${extra.join('')}`;
    const workspace = pipWorkspace(join(stack.dir, `pip${extra.join('')}`));
    const target = join(workspace, 'site');
    const before = stack.dns.queries.length;
    const r = await trackedBuild(stack, { pipeline, runId: '1', cwd: workspace, cmd: pipInstallArgs(dist, target, extra), env: { ...pipEnv(), ...leakEnv() } });
    expect(r.code, r.output).toBe(3);
    expect(r.report.complete, r.output).toBe(true);
    expect(existsSync(join(target, 'colorama_py.py')), 'pip installed it').toBe(true);
    expect(leakedUnder('.exfil-pip.test', before)).toBe(FAKE_KEY);

    const alerts = await alertsOf(r.report.buildId, pipeline);
    expect(alerts.map((a) => a.kind).sort(), JSON.stringify(alerts, null, 2)).toEqual(['encoded_dns_label', 'secret_leak']);
    for (const alert of alerts) {
      expect(alert.evidence.package, alert.kind).toEqual({
        ecosystem: 'pypi', name: COLORAMA_PY.name, version: COLORAMA_PY.version, from: 'working directory',
        lockfile: 'requirements.txt', direct: true, dependencyPaths: [`the project → ${COLORAMA_PY.name} ${COLORAMA_PY.version}`],
        arrivedInThisBuild: null, changeInThisBuild: null, typosquat: [{ kind: 'affix', resembles: 'colorama', evidence: '"colorama" with suffix "-py" added' }],
      });
      // python -m pip → python running the package's build in pip-install-XXXX/<name>_<32 hex>.
      const [pip, build] = alert.chain.slice(-2);
      expect(pip!.argv.slice(0, 4), JSON.stringify(alert.chain)).toEqual([PYTHON, '-m', 'pip', 'install']);
      expect(build!.exe).toBe(PYTHON);
      expect(build!.argv.some((a) => runner.test(a)), JSON.stringify(build!.argv)).toBe(true);
      expect(build!.cwd).toMatch(new RegExp(`/pip-install-[^/]+/${COLORAMA_PY.name}_[0-9a-f]{32}$`));
    }
  });
});
