// `telltale policy export --pipeline P --format F`: a pipeline's baseline as a Tetragon
// TracingPolicy, Falco rules, an unbound or dnsmasq allowlist, an nftables ruleset, the DNS
// guard's allowlist or a CI snippet — from a running collector's API, or from its data directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { many, one, UsageError, type FlagSpec, type ParsedFlags } from '../flags.js';
import type { CliIo } from '../io.js';

export const policyFlags: readonly FlagSpec[] = [
  { name: 'pipeline', value: 'P', help: 'the pipeline whose baseline to export (required)' },
  { name: 'format', value: 'F', help: 'tetragon, falco, unbound, dnsmasq, nftables, guard, github-actions or gitlab-ci (required)' },
  { name: 'mode', value: 'audit|enforce', help: 'audit reports what falls outside the baseline; enforce blocks it (default audit)' },
  { name: 'allow-unready', help: 'export even while the baseline still learns or is empty (the file says so at the top)' },
  { name: 'uid', value: 'N', help: 'the build user (nftables, falco): only its traffic is judged' },
  { name: 'cgroup', value: 'PATH', help: 'the build\'s cgroup v2 path (nftables): only its traffic is judged' },
  { name: 'namespace', value: 'NS', help: 'Kubernetes namespace of the build pods (tetragon, falco)' },
  { name: 'pod-label', value: 'K=V', repeatable: true, help: 'label of the build pods (tetragon podSelector)' },
  { name: 'upstream', value: 'ADDR', repeatable: true, help: 'resolver the unbound/dnsmasq allowlist forwards allowed names to' },
  { name: 'listen', value: 'ADDR[:PORT]', help: 'where the unbound/dnsmasq allowlist listens (default 127.0.0.1:53)' },
  { name: 'build-command', value: 'CMD', help: 'the build the CI snippets run under telltale run (default make)' },
  { name: 'collector', value: 'URL', help: 'read the baseline from this collector\'s API (token: TELLTALE_OPERATOR_TOKEN or --token-file)' },
  { name: 'token-file', value: 'FILE', help: 'file holding the operator token, when the collector needs it' },
  { name: 'data-dir', value: 'DIR', help: 'read the baseline from this collector data directory instead (default .telltale)' },
  { name: 'learning-builds', value: 'N', help: 'with --data-dir: the collector\'s --learning-builds (default 3)' },
  { name: 'out', value: 'FILE', help: 'write the policy here instead of standard output' },
];

function queryOf(flags: ParsedFlags): URLSearchParams {
  const q = new URLSearchParams();
  const set = (key: string, flag: string) => { const v = one(flags, flag); if (v !== undefined) q.set(key, v); };
  set('format', 'format');
  set('mode', 'mode');
  set('uid', 'uid');
  set('cgroup', 'cgroup');
  set('namespace', 'namespace');
  set('listen', 'listen');
  set('buildCommand', 'build-command');
  for (const l of many(flags, 'pod-label') ?? []) q.append('podLabel', l);
  for (const u of many(flags, 'upstream') ?? []) q.append('upstream', u);
  if (flags.booleans.has('allow-unready')) q.set('allowUnready', '1');
  return q;
}

/** Refusals that mean the command line was wrong, not the baseline. */
const USAGE_CODES = new Set(['invalid_option', 'missing_target', 'missing_upstream', 'unknown_format']);

async function fromCollector(url: string, pipeline: string, q: URLSearchParams, token: string | undefined): Promise<{ ok: true; text: string } | { ok: false; status: number; message: string }> {
  const base = url.replace(/\/+$/, '');
  const res = await fetch(`${base}/api/pipelines/${encodeURIComponent(pipeline)}/policy?${q}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  if (res.ok) return { ok: true, text: body };
  let message = body.slice(0, 500);
  try {
    const e = JSON.parse(body) as { code?: string; message?: string };
    message = `${e.code ?? res.status}: ${e.message ?? ''}`;
  } catch { /* not JSON: shown as it came */ }
  return { ok: false, status: res.status, message: `the collector answered ${res.status} (${message})` };
}

export async function policyCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const [sub, ...extra] = flags.rest;
  if (sub !== 'export' || extra.length) throw new UsageError('the one subcommand is "export": telltale policy export --pipeline P --format F');
  const pipeline = one(flags, 'pipeline');
  if (!pipeline) throw new UsageError('--pipeline is required');
  if (!one(flags, 'format')) throw new UsageError('--format is required');
  const q = queryOf(flags);
  const collector = one(flags, 'collector');
  let text: string;
  if (collector) {
    const tokenFile = one(flags, 'token-file');
    const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : io.env.TELLTALE_OPERATOR_TOKEN;
    let r;
    try {
      r = await fromCollector(collector, pipeline, q, token);
    } catch (err) {
      io.stderr(`telltale policy: cannot reach the collector at ${collector}: ${(err as Error).message}\n`);
      return 1;
    }
    if (!r.ok) {
      if (r.status === 400) throw new UsageError(r.message);
      io.stderr(`telltale policy: ${r.message}\n`);
      return 1;
    }
    text = r.text;
  } else {
    const learningText = one(flags, 'learning-builds') ?? io.env.TELLTALE_LEARNING_BUILDS ?? '3';
    const learningBuilds = Number(learningText);
    if (!Number.isInteger(learningBuilds) || learningBuilds < 0 || learningBuilds > 1000) throw new UsageError('--learning-builds must be an integer from 0 to 1000');
    const { policyFromDataDir } = await import('@telltale/server');
    let r;
    try {
      r = policyFromDataDir(one(flags, 'data-dir') ?? io.env.TELLTALE_DATA_DIR ?? '.telltale', pipeline, q, learningBuilds, Date.now() * 1000);
    } catch (err) {
      // Bad option values come back as the API's 400s; anything else is not the caller's doing.
      if ((err as { status?: unknown }).status === 400) throw new UsageError((err as Error).message);
      io.stderr(`telltale policy: cannot read the baseline: ${(err as Error).message}\n`);
      return 1;
    }
    if (!r.ok) {
      // A bad option is a usage error (exit 2); the baseline's state (not ready) a failure (exit 1).
      if (USAGE_CODES.has(r.code)) throw new UsageError(r.message);
      io.stderr(`telltale policy: ${r.message}\n`);
      return 1;
    }
    text = r.text;
  }
  const out = one(flags, 'out');
  if (out) {
    writeFileSync(out, text);
    io.stderr(`telltale policy: wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}
