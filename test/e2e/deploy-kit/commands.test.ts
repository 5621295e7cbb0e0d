// Every `telltale` command line the deploy kit ships (container args, systemd ExecStart=, CI
// scripts, deploy/README.md's shell blocks) parses with the CLI's own flag tables; those with
// concrete values also pass the daemons' boot-time config checks; and every TELLTALE_*
// variable the kit sets is one telltale reads.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseFlags, type FlagSpec } from '../../../cli/src/flags.js';
import { rawServerOptions, serverFlags } from '../../../cli/src/commands/server.js';
import { agentFlags, rawAgentOptions } from '../../../cli/src/commands/agent.js';
import { runFlags } from '../../../cli/src/commands/run.js';
import { upFlags } from '../../../cli/src/commands/up.js';
import { drillFlags } from '../../../cli/src/commands/drill.js';
import { analyzeFlags } from '../../../cli/src/commands/analyze.js';
import { serverConfig } from '../../../server/src/config.js';
import { agentConfig } from '../../../agent-bridge/src/config.js';
import { findCommandLines, flagsFromHelp, shellBlocks, type CommandLine, type CommandName } from './command-lines.js';
import { ROOT, k8sObjects, loadYaml, podSpec, read, type Doc } from './kit.js';
import { parseUnitFile, unitValue } from './unit-file.js';

const TABLES: Partial<Record<CommandName, readonly FlagSpec[]>> = {
  server: serverFlags, agent: agentFlags, run: runFlags, up: upFlags, drill: drillFlags, analyze: analyzeFlags,
};
/** Commands that take words besides flags (`policy export`, `run -- CMD`, `analyze FILE`). */
const POSITIONAL = new Set<CommandName>(['run', 'analyze', 'policy']);
/** Commands other engineers are adding: checked against their --help once they exist. */
const LANDING: CommandName[] = ['guard', 'policy'];

const k8sLines: CommandLine[] = k8sObjects()
  .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
  .flatMap((o) => podSpec(o).containers.map((c: Doc) => ({ where: `${o.file} ${c.name}`, command: c.args[0], args: c.args.slice(1) })));
const unitFiles = readdirSync(join(ROOT, 'deploy/systemd')).filter((f) => f.endsWith('.service')).map((f) => `deploy/systemd/${f}`);
const unitLines = unitFiles.flatMap((f) => findCommandLines(unitValue(parseUnitFile(read(f)), 'Service', 'ExecStart') ?? '', f));
const [github] = loadYaml('deploy/ci/github-actions.yml');
const [gitlab] = loadYaml('deploy/ci/gitlab-ci.yml');
const ciLines: CommandLine[] = [
  ...Object.values(github.jobs).flatMap((j: Doc) => j.steps.filter((s: Doc) => s.run).flatMap((s: Doc) => findCommandLines(s.run, `github-actions.yml ${s.name}`))),
  ...Object.entries(gitlab).filter(([, j]: [string, Doc]) => j?.script).flatMap(([n, j]: [string, Doc]) => j.script.flatMap((l: string) => findCommandLines(l, `gitlab-ci.yml ${n}`))),
];
const readmeLines = shellBlocks(read('deploy/README.md')).flatMap((b) => findCommandLines(b, 'deploy/README.md'));
const allLines: CommandLine[] = [...k8sLines, ...unitLines, ...ciLines, ...readmeLines];

function silentIo() {
  let out = '';
  return {
    io: {
      stdout: (t: string) => { out += t; }, stderr: (t: string) => { out += t; }, env: {}, cwd: ROOT,
      stdin: new PassThrough(), signal: new AbortController().signal,
    },
    output: () => out,
  };
}

describe('telltale command lines in the deploy kit', () => {
  it('are found for every command an operator runs from the kit', () => {
    const seen = new Set(allLines.map((l) => l.command));
    for (const c of ['server', 'agent', 'run', 'drill', 'guard', 'policy'] as const) expect(seen, c).toContain(c);
    expect(k8sLines.length).toBe(4);
    expect(unitLines.map((l) => l.command).sort()).toEqual(['agent', 'guard', 'server']);
  });

  const known = allLines.filter((l) => TABLES[l.command]);
  it.each(known.map((l) => [l.where, l.command, l] as const))('%s: telltale %s parses with the real flag table', (_w, command, line) => {
    expect(() => parseFlags(line.args, TABLES[command]!, POSITIONAL.has(command))).not.toThrow();
  });

  it.each(LANDING)('telltale %s exists in the CLI and takes every flag the kit gives it', async (command) => {
    const { createCli } = await import('../../../cli/src/main.js');
    const { io, output } = silentIo();
    expect(await createCli([command, '--help'], io), output()).toBe(0);
    const table = flagsFromHelp(output());
    for (const line of allLines.filter((l) => l.command === command)) {
      expect(() => parseFlags(line.args, table, POSITIONAL.has(command)), `${line.where}: ${line.args.join(' ')}`).not.toThrow();
    }
  });

  it('the Kubernetes args pass the collector\'s and the agent\'s config checks (off loopback: tokens and TLS)', () => {
    const tokens = { readText: () => `build-fleet ${'t'.repeat(48)}\n` };
    for (const line of k8sLines) {
      const flags = parseFlags(line.args, TABLES[line.command]!);
      if (line.command === 'server') {
        const config = serverConfig(rawServerOptions(flags), { TELLTALE_OPERATOR_TOKEN: 'o'.repeat(48) }, tokens);
        expect(config).toMatchObject({ httpLoopbackOnly: false, grpcAddress: '0.0.0.0:7071', tls: { certPath: '/etc/telltale/tls/tls.crt' } });
        expect(config.agentTokens.has('build-fleet')).toBe(true);
      } else {
        expect(line.command).toBe('agent');
        const config = agentConfig(rawAgentOptions(flags), { TELLTALE_INGEST_TOKEN: 't'.repeat(48), TELLTALE_FALCO_HTTP_PASSWORD: 'p'.repeat(48) });
        expect(config).toMatchObject({ collectorAddress: 'telltale-collector.telltale.svc:7071', agentName: 'build-fleet', dataDir: '/var/lib/telltale-agent' });
      }
    }
  });

  it('the systemd units with their example environment pass the same checks', () => {
    const env = (file: string) => Object.fromEntries(read(file).split('\n').map((l) => /^([A-Z_]+)=(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m![1]!, m![2]!]));
    for (const line of unitLines) {
      if (line.command === 'server') {
        const c = serverConfig(rawServerOptions(parseFlags(line.args, serverFlags)), env('deploy/systemd/collector.env.example'));
        expect(c).toMatchObject({ dataDir: '/var/lib/telltale', httpLoopbackOnly: true, grpcAddress: '127.0.0.1:7071' });
      }
      if (line.command === 'agent') {
        const c = agentConfig(rawAgentOptions(parseFlags(line.args, agentFlags)), env('deploy/systemd/agent.env.example'));
        expect(c).toMatchObject({ controlSocket: '/var/lib/telltale-agent/agent.sock', source: { kind: 'bpftrace' }, dnsPorts: [53, 15353] });
      }
    }
  });
});

describe('environment variables', () => {
  const sources = ['cli/src', 'server/src', 'agent-bridge/src'].flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(join(ROOT, dir, f), 'utf8')));
  const read_ = new Set(sources.flatMap((s) => [...s.matchAll(/TELLTALE_[A-Z0-9_]+/g)].map((m) => m[0])));

  it('every TELLTALE_* variable the env examples and manifests set is one telltale reads', () => {
    const set = [
      ...['collector', 'agent'].flatMap((n) => [...read(`deploy/systemd/${n}.env.example`).matchAll(/^#?(TELLTALE_[A-Z0-9_]+)=/gm)].map((m) => m[1]!)),
      ...k8sObjects().filter((o) => o.spec?.template).flatMap((o) => podSpec(o).containers.flatMap((c: Doc) => (c.env ?? []).map((e: Doc) => e.name))),
    ];
    expect(set.length).toBeGreaterThan(20);
    expect(set.filter((v) => !read_.has(v))).toEqual([]);
  });

  it('every ${VAR} the guard unit passes is set in guard.env.example', () => {
    const exec = unitValue(parseUnitFile(read('deploy/systemd/telltale-guard.service')), 'Service', 'ExecStart')!;
    const defined = new Set([...read('deploy/systemd/guard.env.example').matchAll(/^([A-Z_]+)=\S/gm)].map((m) => m[1]));
    const used = [...exec.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    expect(used.length).toBe(5);
    expect(used.filter((v) => !defined.has(v))).toEqual([]);
  });
});
