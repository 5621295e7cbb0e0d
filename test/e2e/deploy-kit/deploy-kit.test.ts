// The deploy kit, checked as an operator would meet it: every YAML file parses cleanly; the
// Kubernetes objects hang together (selectors, volumes, Secrets, ports, probes, capabilities);
// the TracingPolicies, Falco rules, CI jobs and Containerfile have what their tools require.
// Command lines are in commands.test.ts, systemd units in systemd.test.ts.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEPLOY, ROOT, deployFiles, k8sObjects, loadYaml, podSpec, read, yamlFiles, type Doc, type K8sObject } from './kit.js';

/** The capabilities each agent variant adds, as deploy/README.md ("Capabilities") explains. */
const AGENT_CAPABILITIES: Record<string, string[]> = {
  'deploy/kubernetes/agent-daemonset.yaml': ['SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'SETUID', 'SETGID'],
  'deploy/kubernetes/agent-daemonset-tetragon.yaml': ['SYS_PTRACE', 'DAC_READ_SEARCH', 'SETUID', 'SETGID'],
  'deploy/kubernetes/agent-daemonset-falco.yaml': ['SYS_PTRACE', 'DAC_READ_SEARCH', 'SETUID', 'SETGID'],
};

const objects = k8sObjects();
const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((s) => [s.metadata.name, { ...s.data, ...s.stringData }]));
const containers = (o: K8sObject): Doc[] => podSpec(o).containers;

describe('every YAML file under deploy/', () => {
  it.each(yamlFiles())('%s parses with no error or warning', (file) => {
    const docs = parseAllDocuments(read(file));
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect([...d.errors, ...d.warnings].map((e) => e.message)).toEqual([]);
  });
});

describe('Kubernetes manifests', () => {
  it.each(objects.map((o) => [`${o.file} ${o.kind}/${o.metadata?.name}`, o] as const))('%s has apiVersion, kind, name and the namespace', (_n, o) => {
    expect(o.apiVersion).toMatch(/^([a-z0-9.-]+\/)?v\d/);
    expect(o.kind).toMatch(/^[A-Z]/);
    expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('telltale');
  });

  it.each(workloads.map((w) => [`${w.file} ${w.kind}/${w.metadata.name}`, w] as const))('%s: selector, containers, volumes and Secrets hang together', (_n, w) => {
    const labels = w.spec.template.metadata.labels;
    expect(Object.keys(w.spec.selector.matchLabels).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(labels[k], k).toBe(v);
    const spec = podSpec(w);
    expect(spec.automountServiceAccountToken).toBe(false);
    const volumes = new Map<string, Doc>((spec.volumes ?? []).map((v: Doc) => [v.name, v]));
    for (const c of containers(w)) {
      expect(c.name).toMatch(/^[a-z0-9-]+$/);
      expect(c.image).toMatch(/^ghcr\.io\/telltale\/telltale:\S+$/);
      for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${c.name} mounts ${m.name}`).toBe(true);
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect(secrets.get(ref.name)?.[ref.key], `${e.name} from ${ref.name}/${ref.key}`).toBeDefined();
      }
      expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory).toBeTruthy();
      expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    for (const v of volumes.values()) {
      if (v.secret) {
        const data = secrets.get(v.secret.secretName);
        expect(data, `volume ${v.name}: Secret ${v.secret.secretName}`).toBeDefined();
        for (const item of v.secret.items ?? []) expect(data![item.key], `${v.secret.secretName}/${item.key}`).toBeDefined();
      }
      if (v.persistentVolumeClaim) {
        expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === v.persistentVolumeClaim.claimName)).toBe(true);
      }
    }
  });

  it('every Service selects a workload of its file and targets a port its containers name', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) {
      const matched = workloads.filter((w) => w.file === s.file && Object.entries(s.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
      expect(matched.length, s.metadata.name).toBe(1);
      const ports = containers(matched[0]!).flatMap((c: Doc) => c.ports ?? []);
      for (const p of s.spec.ports) {
        const target = ports.find((cp: Doc) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
        expect(target, `${s.metadata.name} port ${p.name}`).toBeDefined();
      }
    }
  });

  it('the collector: one replica, Recreate, non-root, a volume, probes on the one route that needs no token', () => {
    const d = workloads.find((w) => w.kind === 'Deployment')!;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate');
    expect(podSpec(d).securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = containers(d)[0];
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(c.args.slice(0, 1)).toEqual(['server']);
    // GET /api/health is exempt from the token off loopback; the probes must use exactly it.
    const httpApi = read('server/src/adapters/http-api.ts');
    expect(httpApi).toContain("url.pathname !== '/api/health'");
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(c[probe].httpGet, probe).toEqual({ path: '/api/health', port: 'http' });
    }
    expect(c.args[c.args.indexOf('--http') + 1]).toBe('0.0.0.0:7070');
    expect(c.ports.map((p: Doc) => p.containerPort).sort()).toEqual([7070, 7071]);
  });

  it.each(Object.entries(AGENT_CAPABILITIES))('%s: host PID, not the host network, not privileged, exactly the documented capabilities', (file, caps) => {
    const ds = workloads.find((w) => w.file === file && w.kind === 'DaemonSet')!;
    const spec = podSpec(ds);
    expect(spec.hostPID).toBe(true);
    expect(spec.hostNetwork).toBe(false);
    for (const c of containers(ds)) {
      expect(c.securityContext.privileged).toBe(false);
      expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: caps });
      // The API refuses allowPrivilegeEscalation: false beside CAP_SYS_ADMIN.
      if (caps.includes('SYS_ADMIN')) expect(c.securityContext.allowPrivilegeEscalation).toBeUndefined();
      else expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(c.args.slice(0, 3)).toEqual(['agent', '--source', file.includes('tetragon') ? 'tetragon' : file.includes('falco') ? 'falco' : 'bpftrace']);
      // Every capability the file adds is explained in its header comment.
      for (const cap of caps) expect(read(file)).toMatch(new RegExp(`^#\\s+(${cap}|.*\\b${cap}\\b)`, 'm'));
    }
    const hostPaths = (spec.volumes as Doc[]).filter((v) => v.hostPath).map((v) => v.hostPath.path).sort();
    const expected = { bpftrace: ['/sys/kernel/tracing', '/var/lib/telltale-agent'], tetragon: ['/var/lib/telltale-agent', '/var/run/tetragon'], falco: ['/var/lib/telltale-agent'] };
    expect(hostPaths).toEqual(expected[ds.spec.template.spec.containers[0].args[2] as keyof typeof expected]);
  });

  it('kustomization.yaml lists existing files, one agent variant, and never the Secret template', () => {
    const [k] = loadYaml('deploy/kubernetes/kustomization.yaml');
    for (const r of k.resources) expect(existsSync(join(DEPLOY, 'kubernetes', r)), r).toBe(true);
    expect(k.resources.filter((r: string) => r.startsWith('agent-daemonset')).length).toBe(1);
    expect(k.resources).not.toContain('secrets.example.yaml');
  });

  // The test line installs kubectl when it is missing (scripts/test.sh): no skipping.
  it('kubectl kustomize builds it (namespace, collector, agent)', () => {
    expect(spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status, 'kubectl is needed (apt-get install kubernetes-client)').toBe(0);
    const out = execFileSync('kubectl', ['kustomize', join(DEPLOY, 'kubernetes')], { encoding: 'utf8' });
    const kinds = parseAllDocuments(out).map((d) => d.toJS().kind).sort();
    expect(kinds).toEqual(['DaemonSet', 'Deployment', 'Namespace', 'PersistentVolumeClaim', 'Service']);
  });

  it('the Falco Helm values carry the settings deploy/falco/README.md asks for', () => {
    const [v] = loadYaml('deploy/kubernetes/helm/falco-values.yaml');
    expect(v.falco).toMatchObject({ rule_matching: 'all', json_output: true, buffer_format_base64: true, falco_libs: { snaplen: 512 }, http_output: { enabled: true } });
  });
});

describe('Tetragon TracingPolicies', () => {
  it.each(deployFiles().filter((f) => f.startsWith('deploy/tetragon/') && f.endsWith('.yaml')))('%s has the fields Tetragon requires', (file) => {
    for (const p of loadYaml(file)) {
      expect(p).toMatchObject({ apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy' });
      expect(p.metadata.name).toMatch(/^telltale-/);
      expect(p.spec.kprobes.length).toBeGreaterThan(0);
      for (const k of p.spec.kprobes) {
        expect(typeof k.call).toBe('string');
        for (const a of k.args) expect(Number.isInteger(a.index) && typeof a.type === 'string').toBe(true);
        for (const s of k.selectors ?? []) for (const m of s.matchArgs ?? []) expect(Number.isInteger(m.index) && typeof m.operator === 'string' && Array.isArray(m.values)).toBe(true);
      }
    }
  });
});

describe('Falco rules', () => {
  const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'INFO', 'DEBUG'];
  it('each item is a complete rule, list, macro or version requirement', () => {
    const [items] = loadYaml('deploy/falco/telltale_rules.yaml');
    expect(items.filter((i: Doc) => i.rule).length).toBeGreaterThan(0);
    for (const i of items as Doc[]) {
      if ('rule' in i) {
        for (const key of ['desc', 'condition', 'output', 'priority']) expect(typeof i[key], `${i.rule}: ${key}`).toBe('string');
        expect(PRIORITIES).toContain(i.priority.toUpperCase());
      } else if ('list' in i) expect(Array.isArray(i.items), i.list).toBe(true);
      else if ('macro' in i) expect(typeof i.condition, i.macro).toBe('string');
      else expect(Object.keys(i)).toEqual(['required_engine_version']);
    }
  });
});

describe('CI jobs', () => {
  it('the GitHub Actions workflow has on, and jobs whose steps each run or use', () => {
    const [w] = loadYaml('deploy/ci/github-actions.yml');
    expect(w.on).toBeDefined();
    for (const job of Object.values(w.jobs) as Doc[]) {
      expect(typeof job['runs-on']).toBe('string');
      for (const step of job.steps) expect(('run' in step) !== ('uses' in step), JSON.stringify(step).slice(0, 80)).toBe(true);
    }
  });

  it('the GitLab CI file has jobs with a script, in a declared stage', () => {
    const [g] = loadYaml('deploy/ci/gitlab-ci.yml');
    const reserved = new Set(['stages', 'variables', 'default', 'include', 'workflow']);
    const jobs = Object.entries(g).filter(([k]) => !reserved.has(k) && !k.startsWith('.'));
    expect(jobs.length).toBeGreaterThan(0);
    for (const [, job] of jobs as [string, Doc][]) {
      expect(job.script.every((l: unknown) => typeof l === 'string')).toBe(true);
      expect(g.stages).toContain(job.stage);
    }
  });
});

describe('Containerfile', () => {
  it('builds on node:20-bookworm-slim with npm ci && npm run build, copies only existing paths, runs bin/telltale.js', () => {
    const text = read('deploy/container/Containerfile');
    expect(text).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(text).toContain('npm ci && npm run build');
    expect(text).toMatch(/apt-get install -y --no-install-recommends bpftrace/);
    expect(text).toContain('ENTRYPOINT ["node", "bin/telltale.js"]');
    for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1]!.split(/\s+/)) expect(existsSync(join(ROOT, src)), src).toBe(true);
    }
  });
});
