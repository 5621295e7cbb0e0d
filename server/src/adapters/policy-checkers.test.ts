// The generated policies against the real tools and the published schemas: `nft` (checked,
// then loaded and exercised in a throwaway network namespace), `unbound-checkconf` and
// `dnsmasq --test` (then both run and queried), Tetragon's TracingPolicy CRD, Falco's rules
// schema and the GitHub Actions / GitLab CI job keys. A missing tool fails, it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { parse } from 'yaml';
import { renderPolicy, type PolicyBaseline, type PolicyOptions } from '../core/policy/index.js';

const fixture = JSON.parse(readFileSync(new URL('../core/policy/testdata/baseline-ready.json', import.meta.url), 'utf8')) as PolicyBaseline;
/** The fixture minus one name and one destination, which no generated policy may allow. */
const EXCLUDED_NAME = 'static.crates.io';
const EXCLUDED_ADDRESS = '151.101.1.137';
const baseline: PolicyBaseline = {
  ...fixture,
  names: fixture.names.filter((n) => n !== EXCLUDED_NAME),
  destinations: fixture.destinations.filter((d) => d.address !== EXCLUDED_ADDRESS),
};

function tool(name: string, pkg: string): string {
  const found = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
  if (!found) throw new Error(`${name} is not installed (apt-get install ${pkg}); the policy checks need it`);
  return found;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function render(format: string, opts: PolicyOptions, b: PolicyBaseline = baseline): string {
  const r = renderPolicy(b, format, opts);
  if (!r.ok) throw new Error(`${format}: ${r.code}: ${r.message}`);
  return r.text;
}

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'telltale-policy-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

function needRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root (run the tests as root)`);
}

describe('nftables policy against nft', () => {
  /** A cgroup that exists here, since `socket cgroupv2` resolves its path at load time. */
  function someCgroup(): { path: string; cleanup: () => void } {
    const root = '/sys/fs/cgroup';
    const sub = existsSync(root) ? readdirSync(root).sort().find((n) => statSync(join(root, n)).isDirectory()) : undefined;
    if (sub) return { path: sub, cleanup: () => {} };
    const made = join(root, 'telltale-policy-test');
    mkdirSync(made);
    return { path: 'telltale-policy-test', cleanup: () => rmdirSync(made) };
  }

  it.each(['audit', 'enforce'] as const)('%s: nft -c accepts the uid and the cgroup forms', (mode) => {
    needRoot('nft -c');
    const nft = tool('nft', 'nftables');
    const byUid = run(nft, ['-c', '-f', file(`uid-${mode}.nft`, render('nftables', { mode, target: { uid: 1001 } }))]);
    expect(byUid.out).toBe('');
    expect(byUid.status).toBe(0);
    const cg = someCgroup();
    try {
      const text = render('nftables', { mode, target: { uid: 1001, cgroupPath: cg.path } });
      expect(text).toContain(`socket cgroupv2 level 1 "${cg.path}"`);
      const byCgroup = run(nft, ['-c', '-f', file(`cgroup-${mode}.nft`, text)]);
      expect(byCgroup.out).toBe('');
      expect(byCgroup.status).toBe(0);
    } finally {
      cg.cleanup();
    }
    const empty = run(nft, ['-c', '-f', file(`empty-${mode}.nft`, render('nftables', { mode, target: { uid: 1 } }, { ...baseline, destinations: [] }))]);
    expect(empty.status, empty.out).toBe(0);
  });

  it('loads (twice, as a reload does) and its sets hold exactly the baseline\'s triples', () => {
    needRoot('loading a ruleset in a network namespace');
    const nft = tool('nft', 'nftables');
    const text = render('nftables', { target: { uid: 1001 } });
    const table = /^table inet (\S+) \{$/m.exec(text)![1]!;
    const path = file('load.nft', text);
    const r = run(tool('unshare', 'util-linux'), ['--net', 'sh', '-c',
      `"${nft}" -f "$F" && "${nft}" -f "$F" && "${nft}" -j list set inet ${table} allowed_v4 && "${nft}" -j list set inet ${table} allowed_v6 && "${nft}" list ruleset | grep -c "jump build"`], { F: path });
    expect(r.status, r.out).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.at(-1)).toBe('1');
    const elems = lines.slice(0, 2).flatMap((l) => (JSON.parse(l) as { nftables: Array<{ set?: { elem?: Array<{ concat: [string, string, number] }> } }> })
      .nftables.flatMap((o) => o.set?.elem ?? []).map((e) => e.concat.join(' ')));
    const expected = baseline.destinations.map((d) => `${d.address} ${d.protocol} ${d.port}`);
    expect(new Set(elems)).toEqual(new Set(expected));
    expect(elems.some((e) => e.startsWith(`${EXCLUDED_ADDRESS} `))).toBe(false);
  });

  it('lets the build reach the baseline only, and only the build (veth in a network namespace)', () => {
    needRoot('a network namespace with a veth pair');
    const nft = tool('nft', 'nftables');
    const ip = tool('ip', 'iproute2');
    const tiny: PolicyBaseline = { ...baseline, names: [], domains: [], destinations: [
      { address: '10.9.9.2', port: 443, protocol: 'tcp' }, { address: '10.9.9.2', port: 53, protocol: 'udp' },
    ] };
    // A SYN to 10.9.9.2 goes unanswered (timeout, 124); a refused one fails at once.
    const probe = (mode: string, uid: number) => {
      const path = file(`traffic-${mode}-${uid}.nft`, render('nftables', { mode: mode as 'audit', target: { uid } }, tiny));
      const table = /^table inet (\S+) \{$/m.exec(readFileSync(path, 'utf8'))![1]!;
      const script = [
        `"${ip}" link set lo up`, `"${ip}" link add v0 type veth peer name v1`, `"${ip}" addr add 10.9.9.1/24 dev v0`,
        `"${ip}" link set v0 up`, `"${ip}" link set v1 up`, `"${nft}" -f "$F" || exit 90`,
        'try() { timeout 1 bash -c "$1" 2>/dev/null; echo "$2=$?"; }',
        'try "exec 3<>/dev/tcp/10.9.9.2/443" tcp_allowed', 'try "exec 3<>/dev/tcp/10.9.9.3/443" tcp_other_address',
        'try "exec 3<>/dev/tcp/10.9.9.2/80" tcp_other_port', 'try "echo x > /dev/udp/10.9.9.2/53" udp_allowed',
        'try "echo x > /dev/udp/10.9.9.3/53" udp_other_address',
        `"${nft}" list chain inet ${table} build | grep -o "counter packets [0-9]*" | tr "\\n" " "`,
      ].join('\n');
      const r = run(tool('unshare', 'util-linux'), ['--net', 'bash', '-c', script], { F: path });
      expect(r.status, r.out).toBe(0);
      return r.out;
    };
    const enforce = probe('enforce', 0);
    expect(enforce).toContain('tcp_allowed=124');
    expect(enforce).toContain('tcp_other_address=1');
    expect(enforce).toContain('tcp_other_port=1');
    expect(enforce).toContain('udp_allowed=0');
    expect(enforce).toContain('udp_other_address=1');
    const audit = probe('audit', 0);
    expect(audit).toMatch(/tcp_other_address=124[\s\S]*udp_other_address=0[\s\S]*counter packets [1-9]/);
    const otherUid = probe('enforce', 4242);
    expect(otherUid).toContain('tcp_other_address=124');
    expect(otherUid).toContain('udp_other_address=0');
  });
});

// ---- resolvers: a fake upstream that answers every A query with 192.0.2.1 ----

interface Upstream { port: number; asked: string[]; close(): void }

function startUpstream(): Promise<Upstream> {
  const sock = dgram.createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (msg, from) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    asked.push(question.name.toLowerCase());
    const answers = question.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '192.0.2.1' }] : [];
    sock.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), from.port, from.address);
  });
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve({ port: sock.address().port, asked, close: () => sock.close() })));
}

function query(port: number, name: string): Promise<{ rcode: string; answers: string[] }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); resolve({ rcode: 'TIMEOUT', answers: [] }); }, 1500);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      // @types/dns-packet leaves out rcode, which dns-packet decodes from the flags.
      const r = dnsPacket.decode(msg) as dnsPacket.DecodedPacket & { rcode?: string };
      resolve({ rcode: r.rcode ?? '?', answers: (r.answers ?? []).map((a) => String((a as { data?: unknown }).data)) });
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

function freePort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => { const { port } = sock.address(); sock.close(() => resolve(port)); }));
}

/** Starts a resolver, waits until it answers, runs `body`, stops it (only the process we started). */
async function withResolver(cmd: string, args: string[], port: number, body: () => Promise<void>): Promise<void> {
  let log = '';
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  try {
    const deadline = Date.now() + 10_000;
    while ((await query(port, 'github.com')).rcode === 'TIMEOUT') {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${cmd} did not start: ${log}`);
    }
    await body();
  } finally {
    child.kill('SIGTERM');
  }
}

describe.each([
  { format: 'unbound', pkg: 'unbound', check: (f: string) => [tool('unbound-checkconf', 'unbound'), [f]] as const, start: (f: string) => [tool('unbound', 'unbound'), ['-d', '-c', f]] as const },
  { format: 'dnsmasq', pkg: 'dnsmasq-base', check: (f: string) => [tool('dnsmasq', 'dnsmasq-base'), ['--test', `--conf-file=${f}`]] as const, start: (f: string) => [tool('dnsmasq', 'dnsmasq-base'), ['--keep-in-foreground', `--conf-file=${f}`, '--pid-file', '--log-facility=-']] as const },
])('$format policy against the real resolver', ({ format, check, start }) => {
  it.each(['audit', 'enforce'] as const)('%s: the checker accepts it', (mode) => {
    const [cmd, args] = check(file(`${format}-${mode}.conf`, render(format, { mode })));
    const r = run(cmd, [...args]);
    expect(r.status, r.out).toBe(0);
    const [cmd2, args2] = check(file(`${format}-${mode}-none.conf`, render(format, { mode, upstream: ['192.0.2.53'] }, { ...baseline, names: [], domains: [] })));
    expect(run(cmd2, [...args2]).status).toBe(0);
  });

  it('enforce: resolves the baseline\'s names and domains, NXDOMAIN for the rest, which never goes upstream', async () => {
    needRoot(`running ${format}`);
    const upstream = await startUpstream();
    const port = await freePort();
    try {
      const text = render(format, { mode: 'enforce', upstream: [`127.0.0.1@${upstream.port}`], listen: { address: '127.0.0.1', port } });
      expect(text).not.toContain(EXCLUDED_NAME);
      const [cmd, args] = start(file(`${format}-live.conf`, text));
      await withResolver(cmd, [...args], port, async () => {
        for (const name of ['github.com', 'index.crates.io', 'example.org', 'a.b.example.org', 'mirror.pkg.example.org']) {
          expect(await query(port, name), name).toEqual({ rcode: 'NOERROR', answers: ['192.0.2.1'] });
        }
        for (const name of [EXCLUDED_NAME, 'leak-mfrgg3dfmztq.attacker.test', 'crates.io', 'example.com']) {
          expect((await query(port, name)).rcode, name).toBe('NXDOMAIN');
        }
        // The documented difference: dnsmasq's exact names are exact, unbound's cover subnames.
        expect((await query(port, 'x.github.com')).rcode).toBe(format === 'dnsmasq' ? 'NXDOMAIN' : 'NOERROR');
        expect(upstream.asked).not.toContain(EXCLUDED_NAME);
        expect(upstream.asked).not.toContain('leak-mfrgg3dfmztq.attacker.test');
      });
    } finally {
      upstream.close();
    }
  }, 30_000);

  it('audit: resolves every name', async () => {
    needRoot(`running ${format}`);
    const upstream = await startUpstream();
    const port = await freePort();
    try {
      const [cmd, args] = start(file(`${format}-audit-live.conf`, render(format, { upstream: [`127.0.0.1@${upstream.port}`], listen: { address: '127.0.0.1', port } })));
      await withResolver(cmd, [...args], port, async () => {
        expect(await query(port, EXCLUDED_NAME)).toEqual({ rcode: 'NOERROR', answers: ['192.0.2.1'] });
        expect(upstream.asked).toContain(EXCLUDED_NAME);
      });
    } finally {
      upstream.close();
    }
  }, 30_000);
});

// ---- published schemas ----

const TETRAGON_ACTIONS = ['Post', 'Sigkill', 'Override', 'GetUrl', 'DnsLookup', 'NoPost', 'Signal', 'TrackSock', 'UntrackSock', 'NotifyEnforcer', 'CleanupEnforcerNotification', 'Set'];
const TETRAGON_OPERATORS = ['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix', 'GreaterThan', 'LessThan', 'GT', 'LT', 'Mask', 'SPort', 'NotSPort', 'SPortPriv', 'NotSportPriv', 'DPort', 'NotDPort', 'DPortPriv', 'NotDPortPriv', 'SAddr', 'NotSAddr', 'DAddr', 'NotDAddr', 'Protocol', 'Family', 'State', 'InMap', 'NotInMap', 'CapabilitiesGained', 'InRange', 'NotInRange', 'SubString', 'SubStringIgnCase', 'CelExpr', 'FileType', 'NotFileType'];
/** pkg/selectors/kernel.go: what each socket-ish argument type accepts. */
const OPERATORS_BY_TYPE: Record<string, string[]> = {
  sock: ['SAddr', 'NotSAddr', 'DAddr', 'NotDAddr', 'SPort', 'NotSPort', 'DPort', 'NotDPort', 'Protocol', 'Family', 'State'],
  socket: ['SAddr', 'NotSAddr', 'DAddr', 'NotDAddr', 'SPort', 'NotSPort', 'DPort', 'NotDPort', 'Protocol', 'Family', 'State'],
  sockaddr: ['SAddr', 'NotSAddr', 'SPort', 'NotSPort', 'Family'],
};
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const isCidr = (v: string) => { const [a, bits] = v.split('/'); const fam = isIP(a ?? ''); return fam !== 0 && Number(bits) >= 0 && Number(bits) <= (fam === 4 ? 32 : 128); };

describe('Tetragon TracingPolicy against the CRD', () => {
  it.each([
    ['audit, cluster-wide', { target: { podSelector: { app: 'build' } } }],
    ['enforce, namespaced', { mode: 'enforce', target: { namespace: 'ci', podSelector: { 'app.kubernetes.io/name': 'build' } } }],
    ['audit, unscoped, no destinations', {}],
  ] as const)('%s', (_name, opts) => {
    const b = _name.includes('no destinations') ? { ...baseline, destinations: [] } : baseline;
    const doc = parse(render('tetragon', opts as PolicyOptions, b)) as Record<string, any>;
    expect(doc.apiVersion).toBe('cilium.io/v1alpha1');
    expect(['TracingPolicy', 'TracingPolicyNamespaced']).toContain(doc.kind);
    expect(doc.metadata.name.length).toBeLessThanOrEqual(253);
    expect(doc.metadata.name).toMatch(DNS_SUBDOMAIN);
    if (doc.kind === 'TracingPolicyNamespaced') expect(doc.metadata.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    for (const v of Object.values(doc.spec.podSelector?.matchLabels ?? {})) expect(typeof v).toBe('string');
    expect(doc.spec.kprobes.length).toBeGreaterThan(0);
    for (const k of doc.spec.kprobes) {
      expect(typeof k.call).toBe('string');
      expect(k.syscall).toBe(false);
      const types = new Map<number, string>();
      for (const a of k.args) {
        expect(Number.isInteger(a.index) && a.index >= 0).toBe(true);
        expect(Object.keys(OPERATORS_BY_TYPE)).toContain(a.type);
        types.set(a.index, a.type);
      }
      expect(k.selectors.length).toBeLessThanOrEqual(5);
      for (const s of k.selectors) {
        expect((s.matchArgs ?? []).length).toBeLessThanOrEqual(5);
        for (const m of s.matchArgs ?? []) {
          expect(TETRAGON_OPERATORS).toContain(m.operator);
          expect(OPERATORS_BY_TYPE[types.get(m.index)!]).toContain(m.operator);
          expect(Array.isArray(m.values) && m.values.every((v: unknown) => typeof v === 'string')).toBe(true);
          if (/Addr$/.test(m.operator)) for (const v of m.values) expect(isCidr(v), v).toBe(true);
          if (/Port$/.test(m.operator)) for (const v of m.values) expect(Number(v)).toBeGreaterThan(0);
          if (/Addr$/.test(m.operator)) expect(m.values).not.toContain(`${EXCLUDED_ADDRESS}/32`);
        }
        expect(s.matchActions.length).toBeGreaterThan(0);
        for (const a of s.matchActions) {
          expect(TETRAGON_ACTIONS).toContain(a.action);
          if (a.argError !== undefined) expect(Number.isInteger(a.argError)).toBe(true);
        }
      }
    }
  });
});

const FALCO_PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'INFO', 'DEBUG'];
/** The fields these rules use, as libsinsp names them (sinsp_filtercheck_*.cpp). */
const FALCO_FIELDS = new Set(['evt.type', 'evt.rawres', 'evt.res', 'evt.num', 'fd.typechar', 'fd.sip', 'fd.sport', 'fd.snet', 'fd.l4proto', 'fd.sip.name', 'fd.connected',
  'fd.name_changed', 'user.uid', 'k8s.ns.name', 'k8s.pod.label', 'k8s.pod.name', 'proc.pid', 'proc.ppid', 'proc.cmdline', 'container.id']);

describe('Falco rules against the rules schema', () => {
  it.each(['audit', 'enforce'] as const)('%s', (mode) => {
    const items = parse(render('falco', { mode, target: { uid: 1001, namespace: 'ci', podSelector: { app: 'build' } } })) as Array<Record<string, any>>;
    const defined = new Set<string>();
    const fields = (text: string) => text.replace(/"[^"]*"/g, '""').match(/\b[a-z][a-z0-9]*\.[a-z0-9_.]*[a-z0-9_]/g) ?? [];
    const refs = (cond: string) => cond.match(/\btelltale_\w+/g) ?? [];
    for (const it of items) {
      const kinds = ['rule', 'macro', 'list', 'required_engine_version'].filter((k) => k in it);
      expect(kinds).toHaveLength(1);
      if (it.list) {
        expect(Array.isArray(it.items)).toBe(true);
        expect(it.items).not.toContain(EXCLUDED_ADDRESS);
        expect(it.items).not.toContain(EXCLUDED_NAME);
        defined.add(it.list);
      }
      if (it.macro || it.rule) {
        expect(typeof it.condition).toBe('string');
        expect(it.condition.split('(').length).toBe(it.condition.split(')').length);
        for (const r of refs(it.condition)) expect(defined, `${r} used before it is defined`).toContain(r);
        for (const f of fields(it.condition)) expect(FALCO_FIELDS, f).toContain(f);
      }
      if (it.macro) defined.add(it.macro);
      if (it.rule) {
        for (const k of ['desc', 'condition', 'output']) expect(typeof it[k]).toBe('string');
        expect(FALCO_PRIORITIES).toContain(it.priority);
        expect(it.tags).toEqual(['telltale', mode]);
        for (const f of it.output.match(/%[a-z0-9_.]+/g) ?? []) expect(FALCO_FIELDS, f).toContain(f.slice(1));
      }
    }
    expect(items.filter((i) => i.rule)).toHaveLength(2);
  });
});

describe('CI snippets against the workflow schemas', () => {
  const bashN = (script: string) => run(tool('bash', 'bash'), ['-n', '-c', script]);

  it.each(['audit', 'enforce'] as const)('GitHub Actions (%s)', (mode) => {
    const doc = parse(render('github-actions', { mode })) as Record<string, any>;
    expect(doc.on).toBeDefined();
    for (const job of Object.values(doc.jobs) as Array<Record<string, any>>) {
      expect(typeof job['runs-on']).toBe('string');
      expect(job.steps.length).toBeGreaterThan(0);
      for (const step of job.steps) {
        expect(('run' in step) !== ('uses' in step)).toBe(true);
        if (step.run) expect(bashN(step.run).status, step.run).toBe(0);
      }
    }
  });

  it.each(['audit', 'enforce'] as const)('GitLab CI (%s)', (mode) => {
    const doc = parse(render('gitlab-ci', { mode })) as Record<string, any>;
    const jobs = Object.entries(doc).filter(([k]) => !['default', 'include', 'stages', 'variables', 'workflow'].includes(k));
    expect(jobs.length).toBeGreaterThan(0);
    for (const [, job] of jobs as Array<[string, Record<string, any>]>) {
      expect(Array.isArray(job.script) && job.script.length > 0).toBe(true);
      for (const v of Object.values(job.variables ?? {})) expect(typeof v).toBe('string');
      expect(['on_success', 'on_failure', 'always']).toContain(job.artifacts.when);
      // The whole job is one script (the agent stopped by a trap).
      expect(bashN(job.script.join('\n')).status).toBe(0);
    }
  });
});
